// Command arpwatch watches which MACs answer ARP for one IPv4 address. Every -every it broadcasts
// a request for -ip from the interface's own address and MAC, and it prints every reply and
// gratuitous ARP that claims -ip, whoever it was for, as it sees it:
//
//	t_ms=1234.567 mac=02:48:4c:00:00:11 kind=reply
//
// (t_ms: milliseconds since the watch started, by the clock when the frame was read; kind: reply,
// garp-request or garp-reply), and at exit (after -for, or on SIGINT or SIGTERM):
//
//	macs: 02:48:4c:00:00:11,02:48:4c:00:00:12
//	dual_answer_ms: 850.000
//
// macs are in the order first seen (empty when none answered); dual_answer_ms is the longest time
// two MACs kept answering together, as dualAnswer defines it (answers further apart than -gap,
// by default 10 times -every, split a MAC's answering). It needs CAP_NET_RAW (an AF_PACKET socket).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"herald.io/e2e/labtools/internal/arp"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("arpwatch: ")
	iface := flag.String("iface", "eth0", "interface to ask and listen on")
	ipFlag := flag.String("ip", "198.18.0.200", "IPv4 address to watch")
	every := flag.Duration("every", 50*time.Millisecond, "send a request for -ip this often")
	total := flag.Duration("for", 10*time.Second, "how long to watch; 0 means until SIGINT or SIGTERM")
	gap := flag.Duration("gap", 0, "a MAC silent for longer than this stopped answering; 0 means 10 times -every")
	flag.Parse()
	ip, err := netip.ParseAddr(*ipFlag)
	switch {
	case flag.NArg() > 0:
		usage("unexpected arguments %q", flag.Args())
	case err != nil || !ip.Is4():
		usage("-ip: want an IPv4 address, got %q", *ipFlag)
	case *every <= 0 || *total < 0:
		usage("-every must be positive, -for not negative")
	case *gap != 0 && *gap <= *every:
		usage("-gap must exceed -every")
	}
	if *gap == 0 {
		*gap = 10 * *every
	}

	c, err := arp.Open(*iface)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SetReadTimeout(20 * time.Millisecond); err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *total > 0 {
		ctx, stop = context.WithTimeout(ctx, *total)
		defer stop()
	}

	start := time.Now()
	go ask(ctx, c, ip, *every)
	var seen []answer
	buf, oob := make([]byte, 1600), make([]byte, arp.OOBSize)
	for ctx.Err() == nil {
		n, outgoing, at, err := c.Recv(buf, oob)
		if err == arp.ErrTimeout || outgoing {
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		f, err := arp.Parse(buf[:n])
		if err != nil {
			continue
		}
		if kind, ok := classify(f, ip); ok {
			a := answer{t: at.Sub(start), mac: f.SenderMAC, kind: kind}
			seen = append(seen, a)
			fmt.Printf("t_ms=%.3f mac=%s kind=%s\n", ms(a.t), a.mac, a.kind)
		}
	}
	var names []string
	for _, m := range macs(seen) {
		names = append(names, m.String())
	}
	fmt.Printf("macs: %s\ndual_answer_ms: %.3f\n", strings.Join(names, ","), ms(dualAnswer(seen, *gap)))
}

// ask broadcasts a request for ip every period until ctx is done.
func ask(ctx context.Context, c *arp.Conn, ip netip.Addr, every time.Duration) {
	req := arp.Request(c.MAC, c.IP, ip).Marshal()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := c.Send(req); err != nil {
			log.Printf("send: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func usage(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "arpwatch: "+format+"\n", args...)
	flag.Usage()
	os.Exit(2)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
