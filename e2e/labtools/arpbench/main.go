// Command arpbench measures how fast something answers ARP for -target: it broadcasts requests
// at -rate per second for -for, paced evenly, from the interface's own IPv4 address, each from
// its own MAC 02:bb:<32-bit sequence number> (Ethernet source and sender hardware address), so
// each reply, addressed to that MAC, is matched to its request exactly. The interface is
// promiscuous for the run so the replies to those MACs are captured on any interface; a separate
// goroutine receives them. The Linux kernel answering for an address of its own is the reference.
//
// Latency is from just before the request's sendto (time.Now()) to the kernel's receive
// timestamp of the reply on our interface (SO_TIMESTAMPNS), so it does not include how late the
// receiving goroutine was scheduled. Replies later than 500 ms after the last request count as
// lost. Output, each line prefixed with -name:
//
//	label_sent: 50000
//	label_replies: 50000
//	label_lost: 0
//	label_duplicates: 0
//	label_p50_us: 21.3
//	label_p99_us: 80.4
//	label_max_us: 950.2
//	label_achieved_rate: 9999.8
//
// (latencies over the answered requests, nearest-rank percentiles; achieved_rate is requests
// per second from the first send to the last). At the end one request from the interface's real
// MAC puts the target's neighbour entry for our address back to it. Needs CAP_NET_RAW.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"herald.io/e2e/labtools/internal/arp"
)

// drain is how long replies are still awaited after the last request.
const drain = 500 * time.Millisecond

func main() {
	log.SetFlags(0)
	log.SetPrefix("arpbench: ")
	iface := flag.String("iface", "eth0", "interface to send and receive on")
	targetFlag := flag.String("target", "198.18.0.200", "IPv4 address to ask for")
	rate := flag.Int("rate", 10000, "requests per second (at most 1000000)")
	total := flag.Duration("for", 5*time.Second, "how long to send; 0 means until SIGINT or SIGTERM")
	name := flag.String("name", "arp", "prefix of the output lines")
	flag.Parse()
	target, err := netip.ParseAddr(*targetFlag)
	switch {
	case flag.NArg() > 0:
		usage("unexpected arguments %q", flag.Args())
	case err != nil || !target.Is4():
		usage("-target: want an IPv4 address, got %q", *targetFlag)
	case *rate <= 0 || *rate > 1_000_000:
		usage("-rate must be between 1 and 1000000")
	case *total < 0:
		usage("-for must not be negative")
	case *name == "":
		usage("-name must not be empty")
	}

	c, err := arp.Open(*iface)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for _, setup := range []func() error{c.Promiscuous, c.KernelTimestamps, func() error { return c.SetReadTimeout(20 * time.Millisecond) }} {
		if err := setup(); err != nil {
			log.Fatal(err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *total > 0 {
		ctx, stop = context.WithTimeout(ctx, *total)
		defer stop()
	}

	var (
		stopRecv atomic.Bool
		answered atomic.Int64 // requests answered so far
		replies  []received
		recvDone = make(chan struct{})
	)
	go func() {
		defer close(recvDone)
		replies = receive(c, target, &stopRecv, &answered)
	}()

	period := time.Second / time.Duration(*rate)
	sentAt, span := send(ctx, c, target, period, min(int(total.Seconds()*float64(*rate))+1, 1<<24))
	deadline := time.Now().Add(drain)
	for answered.Load() < int64(len(sentAt)) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	stopRecv.Store(true)
	<-recvDone
	if err := c.Send(arp.Request(c.MAC, c.IP, target).Marshal()); err != nil {
		log.Printf("restoring request: %v", err)
	}

	s := summarize(sentAt, replies, span)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	p := *name
	fmt.Printf("%s_sent: %d\n%s_replies: %d\n%s_lost: %d\n%s_duplicates: %d\n", p, s.sent, p, s.replies, p, s.sent-s.replies, p, s.duplicates)
	fmt.Printf("%s_p50_us: %.1f\n%s_p99_us: %.1f\n%s_max_us: %.1f\n", p, us(s.p50), p, us(s.p99), p, us(s.max))
	fmt.Printf("%s_achieved_rate: %.1f\n", p, s.rate)
}

// send broadcasts requests for target one period apart until ctx is done and returns when each
// was sent (index: sequence number) and the time from the first send to the last.
//
// Go's timers wake up about a millisecond late here, far too coarse for 100 µs between requests,
// so the sender sleeps with nanosleep(2) on its own OS thread with the timer slack cut to 1 ns;
// that wakes it some tens of microseconds late, which the pacer's fixed schedule absorbs.
func send(ctx context.Context, c *arp.Conn, target netip.Addr, period time.Duration, expect int) ([]time.Time, time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const prSetTimerslack = 29
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)

	sentAt := make([]time.Time, 0, expect)
	buf := make([]byte, 0, arp.FrameLen)
	p := pacer{period: period, maxLag: 10 * period}
	failed := 0
	start := time.Now()
	for ctx.Err() == nil && len(sentAt) < 1<<32 {
		if w := p.wait(time.Since(start)); w > 0 {
			ts := syscall.NsecToTimespec(int64(w))
			_ = syscall.Nanosleep(&ts, nil)
			continue
		}
		mac := seqMAC(uint32(len(sentAt)))
		f := arp.Request(mac, c.IP, target)
		buf = f.Append(buf[:0])
		now := time.Now()
		if err := c.Send(buf); err != nil {
			if failed++; failed == 1 {
				log.Printf("send: %v", err)
			}
			continue
		}
		sentAt = append(sentAt, now)
	}
	if failed > 0 {
		log.Printf("%d sends failed (their slots were skipped)", failed)
	}
	if len(sentAt) == 0 {
		return nil, 0
	}
	return sentAt, sentAt[len(sentAt)-1].Sub(sentAt[0])
}

// receive collects the replies from target to our sequence MACs until stop is set, counting the
// distinct requests answered in answered.
func receive(c *arp.Conn, target netip.Addr, stop *atomic.Bool, answered *atomic.Int64) []received {
	var got []received
	distinct := map[uint32]bool{}
	buf, oob := make([]byte, 1600), make([]byte, arp.OOBSize)
	for !stop.Load() {
		n, outgoing, at, err := c.Recv(buf, oob)
		if err == arp.ErrTimeout || outgoing {
			continue
		}
		if err != nil {
			log.Fatalf("receive: %v", err)
		}
		f, err := arp.Parse(buf[:n])
		if err != nil || f.Op != arp.OpReply || f.SenderIP != target {
			continue
		}
		if seq, ok := seqOf(f.TargetMAC); ok {
			got = append(got, received{seq: seq, at: at})
			if !distinct[seq] {
				distinct[seq] = true
				answered.Add(1)
			}
		}
	}
	return got
}

func usage(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "arpbench: "+format+"\n", args...)
	flag.Usage()
	os.Exit(2)
}
