// Command loadgen loads an HTTP server over a fixed number of keep-alive connections, for the
// proxy benchmarks. Two modes:
//
// -mode rate: GET -target at -rate requests per second for -for, spread over -conns connections
// (each its own HTTP/1.1 connection, reused). Request i is scheduled at i/rate after the start
// and its latency runs from that scheduled time to the end of its response body, so a server (or
// a connection) that stalls is charged for every request that had to wait behind it, not just
// the one it held up (no coordinated omission). When all connections are busy, due requests
// queue and wait for the next free one. Output, latencies over the successful requests
// (nearest-rank percentiles):
//
//	requests: 10000
//	errors: 0
//	p50_ms: 0.412
//	p99_ms: 1.870
//	max_ms: 5.012
//
// -mode bulk: each of -conns connections GETs -target (a large body, such as the lab echo's
// /bytes/1048576) over and over for -for; the bytes of every body, including the part of one
// still under way when time is up, count. Output:
//
//	requests: 4100
//	errors: 0
//	bytes: 4299161600
//	throughput_mbit_s: 6878.7
//
// requests counts requests made (in bulk mode: bodies read in full), errors those that failed: no
// connection, a status other than 2xx, a time-out (-timeout per request), a body cut short, or
// in rate mode a request still waiting for a connection when -for plus -timeout had passed.
// Before the clock starts every connection is opened by one request, not counted.
// Exit status: 0, also with errors; 1 when no request succeeded; 2 for bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("loadgen: ")
	mode := flag.String("mode", "rate", "rate (fixed request rate, latency) or bulk (throughput)")
	target := flag.String("target", "", "URL to GET, http://host:port/path")
	rate := flag.Float64("rate", 1000, "rate mode: requests per second (at most 1000000)")
	total := flag.Duration("for", 10*time.Second, "how long to load")
	conns := flag.Int("conns", 8, "keep-alive connections (at most 10000)")
	timeout := flag.Duration("timeout", 5*time.Second, "time limit of one request, body included")
	flag.Parse()
	u, err := url.Parse(*target)
	switch {
	case flag.NArg() > 0:
		usage("unexpected arguments %q", flag.Args())
	case err != nil || u.Scheme != "http" || u.Host == "":
		usage("-target: want an http:// URL, got %q", *target)
	case *mode != "rate" && *mode != "bulk":
		usage("-mode must be rate or bulk, got %q", *mode)
	case *mode == "rate" && (*rate <= 0 || *rate > 1_000_000):
		usage("-rate must be more than 0 and at most 1000000")
	case *total <= 0:
		usage("-for must be positive")
	case *conns < 1 || *conns > 10000:
		usage("-conns must be between 1 and 10000")
	case *timeout <= 0:
		usage("-timeout must be positive")
	}

	clients := make([]*client, *conns)
	for i := range clients {
		clients[i] = newClient(*target, *timeout)
	}
	warmUp(clients)

	var ok bool
	if *mode == "rate" {
		s := runRate(clients, *rate, *total, *timeout)
		fmt.Printf("requests: %d\nerrors: %d\n", s.requests, s.errors)
		fmt.Printf("p50_ms: %.3f\np99_ms: %.3f\nmax_ms: %.3f\n", ms(s.p50), ms(s.p99), ms(s.max))
		ok = s.requests > s.errors
	} else {
		b := runBulk(clients, *total)
		fmt.Printf("requests: %d\nerrors: %d\n", b.requests, b.errors)
		fmt.Printf("bytes: %d\nthroughput_mbit_s: %.1f\n", b.bytes, b.mbitPerSecond())
		ok = b.requests > b.errors && b.bytes > 0
	}
	if !ok {
		log.Print("no request succeeded")
		os.Exit(1)
	}
}

// client is one keep-alive connection: a transport that never holds more than one.
type client struct {
	http   *http.Client
	target string
	buf    []byte
}

func newClient(target string, timeout time.Duration) *client {
	t := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		MaxConnsPerHost:     1,
		MaxIdleConnsPerHost: 1,
		MaxIdleConns:        1,
		DisableCompression:  true,
		IdleConnTimeout:     time.Hour,
	}
	return &client{http: &http.Client{Transport: t, Timeout: timeout}, target: target, buf: make([]byte, 256<<10)}
}

// get makes one request and reads the body to its end, adding what it read to *read as it goes.
func (c *client) get(ctx context.Context, read *int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.target, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	for {
		n, err := resp.Body.Read(c.buf)
		*read += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// warmUp opens every connection with one request, all at once, before anything is measured.
func warmUp(clients []*client) {
	var wg sync.WaitGroup
	var failed atomic.Int64
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			if err := c.get(context.Background(), &n); err != nil && failed.Add(1) == 1 {
				log.Printf("warm-up: %v", err)
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		log.Printf("warm-up: %d of %d connections failed", f, len(clients))
	}
}

// errorLog logs the first error of a run and counts the rest.
type errorLog struct {
	once  sync.Once
	count atomic.Int64
}

func (e *errorLog) add(err error) {
	e.count.Add(1)
	e.once.Do(func() { log.Printf("first error: %v", err) })
}

// runRate schedules requests every 1/rate for total and lets the clients take them as they are free.
func runRate(clients []*client, rate float64, total, timeout time.Duration) summary {
	n := int(rate * total.Seconds())
	due := make(chan time.Time, min(n, 1<<20))
	// past this no request is started: one still queued then failed to get a connection in time
	ctx, cancel := context.WithTimeout(context.Background(), total+timeout)
	defer cancel()
	var errs errorLog
	lat := make([][]time.Duration, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var read int64
			for at := range due {
				if ctx.Err() != nil {
					errs.add(errors.New("still waiting for a connection when time was up"))
					continue
				}
				if err := c.get(ctx, &read); err != nil {
					errs.add(err)
					continue
				}
				lat[i] = append(lat[i], time.Since(at))
			}
		}()
	}
	start := time.Now()
	pace(start, n, func(i int) time.Duration { return time.Duration(float64(i) / rate * float64(time.Second)) },
		func(at time.Time) { due <- at })
	close(due)
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return summarize(n, int(errs.count.Load()), all)
}

// runBulk has every client fetch its target over and over until total has passed.
func runBulk(clients []*client, total time.Duration) bulk {
	ctx, cancel := context.WithTimeout(context.Background(), total)
	defer cancel()
	var errs errorLog
	var requests atomic.Int64
	read := make([]int64, len(clients))
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				err := c.get(ctx, &read[i])
				switch {
				case ctx.Err() != nil: // time is up: what was read of this body counts, the request does not
				case err != nil:
					errs.add(err)
					requests.Add(1)
					time.Sleep(10 * time.Millisecond) // a server that refuses is not spun on
				default:
					requests.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	b := bulk{requests: int(requests.Load()), errors: int(errs.count.Load()), elapsed: min(time.Since(start), total)}
	for _, r := range read {
		b.bytes += r
	}
	return b
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func usage(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	flag.Usage()
	os.Exit(2)
}
