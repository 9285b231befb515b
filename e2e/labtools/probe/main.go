// Command probe measures the outage a TCP client sees: it starts a connect attempt to -target
// every -interval, without waiting for earlier attempts to finish (a lost SYN then hides no
// recovery), and reports every run of failed attempts. With -udp an attempt is a datagram to
// -target from a fresh socket that counts when any answer comes back within -timeout (an echo
// service answers every datagram).
//
// An outage is a maximal run of consecutive failed attempts, ordered by start time. It lasts
// from the start of the last successful attempt before it to the start of the first successful
// attempt after it; one still under way when probing stops is reported as unrecovered, lasting
// until probing stopped. Failures before the first success are counted but are no outage.
//
// Output (stdout), one line per outage as soon as it is over, then a summary at exit:
//
//	outage_ms: 512.345 from=2025-01-02T03:04:05.123456789Z recovered=true
//	attempts: 500
//	failures: 50
//	max_outage_ms: 512.345
//	outages: 1
//
// "from" is the start of the last successful attempt before the outage. Exit status: 0 (also
// with outages), 2 for bad flags, 3 if no attempt succeeded.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("probe: ")
	target := flag.String("target", "", "TCP service to connect to: IPv4:port or [IPv6]:port")
	interval := flag.Duration("interval", 10*time.Millisecond, "start a new connect attempt this often")
	timeout := flag.Duration("timeout", 300*time.Millisecond, "connect timeout of one attempt")
	total := flag.Duration("for", 5*time.Second, "how long to probe; 0 means until SIGINT or SIGTERM")
	readyFile := flag.String("ready-file", "", "create this file once the first attempt succeeded")
	udp := flag.Bool("udp", false, "probe a UDP echo service: a datagram, and an answer within -timeout")
	flag.Parse()

	addr, err := netip.ParseAddrPort(*target)
	switch {
	case flag.NArg() > 0:
		usage("unexpected arguments %q", flag.Args())
	case err != nil:
		usage("-target: want IPv4:port or [IPv6]:port: %v", err)
	case addr.Port() == 0:
		usage("-target: port 0")
	case *interval <= 0 || *timeout <= 0 || *total < 0:
		usage("-interval and -timeout must be positive, -for not negative")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *total > 0 {
		ctx, stop = context.WithTimeout(ctx, *total)
		defer stop()
	}

	network := "tcp"
	if *udp {
		network = "udp"
	}
	t := run(ctx, network, addr.String(), *interval, *timeout, *readyFile, func(o outage) { printOutage(o) })
	fmt.Printf("attempts: %d\nfailures: %d\nmax_outage_ms: %.3f\noutages: %d\n",
		t.attempts, t.failures, ms(t.longest), t.outages)
	if t.leading > 0 && !t.lastOK.IsZero() {
		log.Printf("%d attempts failed before the first success; they are no outage", t.leading)
	}
	if t.lastOK.IsZero() {
		log.Printf("no attempt to %s succeeded", addr)
		os.Exit(3)
	}
}

func usage(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "probe: "+format+"\n", args...)
	flag.Usage()
	os.Exit(2)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func printOutage(o outage) {
	fmt.Printf("outage_ms: %.3f from=%s recovered=%t\n", ms(o.duration), o.from.UTC().Format(time.RFC3339Nano), o.recovered)
}

// run probes until ctx is done, waits for the attempts under way, and returns the totals. Every
// outage is passed to report as soon as it is over, the unrecovered one last.
func run(ctx context.Context, network, target string, interval, timeout time.Duration, readyFile string, report func(outage)) *tracker {
	type result struct {
		seq int
		a   attempt
	}
	results := make(chan result, 1024)
	var (
		wg    sync.WaitGroup
		ready sync.Once
	)
	dialer := net.Dialer{Timeout: timeout, KeepAlive: -1}
	try := func(seq int, start time.Time) {
		defer wg.Done()
		var err error
		if network == "udp" {
			err = echo(target, timeout)
		} else {
			var c net.Conn
			if c, err = dialer.Dial("tcp", target); err == nil {
				c.Close()
			}
		}
		if err == nil {
			if readyFile != "" {
				ready.Do(func() {
					if err := os.WriteFile(readyFile, []byte("ok\n"), 0o644); err != nil {
						log.Printf("ready file: %v", err)
					}
				})
			}
		}
		results <- result{seq, attempt{start: start, ok: err == nil}}
	}

	t := &tracker{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var s sequencer
		for r := range results {
			s.put(r.seq, r.a, func(a attempt) {
				if o, ok := t.add(a); ok {
					report(o)
				}
			})
		}
	}()

	tick := time.NewTicker(interval)
	defer tick.Stop()
	for seq := 0; ctx.Err() == nil; seq++ {
		wg.Add(1)
		go try(seq, time.Now())
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	end := time.Now()
	wg.Wait()
	close(results)
	<-done
	if o, ok := t.finish(end); ok {
		report(o)
	}
	return t
}

// echo sends one datagram to target and waits up to timeout for any answer.
func echo(target string, timeout time.Duration) error {
	c, err := net.DialTimeout("udp", target, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := c.Write([]byte("probe\n")); err != nil {
		return err
	}
	buf := make([]byte, 1500)
	_, err = c.Read(buf)
	return err
}
