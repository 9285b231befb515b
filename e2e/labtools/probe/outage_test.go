package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// attempts builds one attempt per character, 10 ms apart: '+' succeeded, '-' failed.
func attempts(pattern string) []attempt {
	var as []attempt
	for i, c := range pattern {
		as = append(as, attempt{start: t0.Add(time.Duration(i) * 10 * time.Millisecond), ok: c == '+'})
	}
	return as
}

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func track(pattern string, end time.Time) (*tracker, []outage) {
	t := &tracker{}
	var got []outage
	for _, a := range attempts(pattern) {
		if o, ok := t.add(a); ok {
			got = append(got, o)
		}
	}
	if o, ok := t.finish(end); ok {
		got = append(got, o)
	}
	return t, got
}

func TestOutages(t *testing.T) {
	for _, c := range []struct {
		name, pattern      string
		want               []outage
		failures, leading  int
		longestMS, outages int
	}{
		{name: "none", pattern: "+++++"},
		{name: "one lost attempt spans two intervals", pattern: "++-++",
			want:     []outage{{from: at(10), duration: 20 * time.Millisecond, failed: 1, recovered: true}},
			failures: 1, longestMS: 20, outages: 1},
		{name: "two outages", pattern: "+---++--+",
			want: []outage{
				{from: at(0), duration: 40 * time.Millisecond, failed: 3, recovered: true},
				{from: at(50), duration: 30 * time.Millisecond, failed: 2, recovered: true}},
			failures: 5, longestMS: 40, outages: 2},
		{name: "leading failures are no outage", pattern: "---++-+",
			want:     []outage{{from: at(40), duration: 20 * time.Millisecond, failed: 1, recovered: true}},
			failures: 4, leading: 3, longestMS: 20, outages: 1},
		{name: "unrecovered lasts until the end", pattern: "++---",
			want:     []outage{{from: at(10), duration: 90 * time.Millisecond, failed: 3}},
			failures: 3, longestMS: 90, outages: 1},
		{name: "never up", pattern: "----", failures: 4, leading: 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, got := track(c.pattern, at(100))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("outages\n got %+v\nwant %+v", got, c.want)
			}
			if tr.attempts != len(c.pattern) || tr.failures != c.failures || tr.leading != c.leading ||
				tr.longest != time.Duration(c.longestMS)*time.Millisecond || tr.outages != c.outages {
				t.Errorf("totals %+v", tr)
			}
		})
	}
}

func TestSequencerRestoresStartOrder(t *testing.T) {
	as := attempts("+-+-+")
	var s sequencer
	var got []attempt
	emit := func(a attempt) { got = append(got, a) }
	for _, i := range []int{1, 2, 0, 4, 3} {
		s.put(i, as[i], emit)
	}
	if !reflect.DeepEqual(got, as) {
		t.Fatalf("got %+v", got)
	}
	if len(s.pending) != 0 {
		t.Fatalf("left pending: %v", s.pending)
	}
}

// TestRunAgainstListener probes a loopback listener that is closed half way: the closed port
// refuses connections at once, so the run ends with an unrecovered outage.
func TestRunAgainstListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	ready := filepath.Join(t.TempDir(), "ready")
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	go func() {
		for {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		ln.Close()
	}()
	var got []outage
	tr := run(ctx, "tcp", ln.Addr().String(), 10*time.Millisecond, 100*time.Millisecond, ready, func(o outage) { got = append(got, o) })
	if b, err := os.ReadFile(ready); err != nil || !strings.HasPrefix(string(b), "ok") {
		t.Fatalf("ready file: %q %v", b, err)
	}
	if len(got) != 1 || got[0].recovered || tr.outages != 1 || tr.failures == 0 || tr.attempts < 20 {
		t.Fatalf("outages %+v, totals %+v", got, tr)
	}
	if d := got[0].duration; d < 100*time.Millisecond || d > 300*time.Millisecond {
		t.Fatalf("unrecovered outage of %v, want about 200ms", d)
	}
}

func TestUDPProbeCountsAnsweredDatagramsAndAnOutageOnceTheEchoStops(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
	ready := filepath.Join(t.TempDir(), "ready")
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	go func() {
		for {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		pc.Close()
	}()
	var got []outage
	tr := run(ctx, "udp", pc.LocalAddr().String(), 10*time.Millisecond, 50*time.Millisecond, ready, func(o outage) { got = append(got, o) })
	if len(got) != 1 || got[0].recovered || tr.failures == 0 || tr.attempts < 20 {
		t.Fatalf("outages %+v, totals %+v", got, tr)
	}
	if d := got[0].duration; d < 100*time.Millisecond || d > 300*time.Millisecond {
		t.Fatalf("unrecovered outage of %v, want about 200ms", d)
	}
}
