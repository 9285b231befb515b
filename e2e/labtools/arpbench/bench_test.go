package main

import (
	"net/netip"
	"testing"
	"time"

	"herald.io/e2e/labtools/internal/arp"
)

func TestSeqMAC(t *testing.T) {
	for _, seq := range []uint32{0, 1, 0x01020304, 1<<32 - 1} {
		m := seqMAC(seq)
		if m[0]&0x02 == 0 || m[0]&0x01 != 0 {
			t.Fatalf("%s is not a locally administered unicast MAC", m)
		}
		if got, ok := seqOf(m); !ok || got != seq {
			t.Fatalf("seqOf(%s) = %d %v, want %d", m, got, ok, seq)
		}
	}
	if s := seqMAC(0x01020304).String(); s != "02:bb:01:02:03:04" {
		t.Fatalf("got %s", s)
	}
	if _, ok := seqOf(arp.MAC{0x02, 0x48, 0x4c, 0, 0, 0x11}); ok {
		t.Fatal("a MAC outside 02:bb: has no sequence number")
	}
}

// The request as sent and the kernel's answer as received carry the sequence number through.
func TestRequestReplyMatch(t *testing.T) {
	me, target := netip.MustParseAddr("198.18.77.1"), netip.MustParseAddr("198.18.77.2")
	req, err := arp.Parse(arp.Request(seqMAC(42), me, target).Marshal())
	if err != nil || req.Src != seqMAC(42) || req.SenderMAC != seqMAC(42) || req.Dst != arp.Broadcast {
		t.Fatalf("request %+v %v", req, err)
	}
	owner := arp.MAC{2, 0x77, 0, 0, 0, 2}
	reply := arp.Frame{Dst: req.SenderMAC, Src: owner, Op: arp.OpReply, SenderMAC: owner, SenderIP: target,
		TargetMAC: req.SenderMAC, TargetIP: me}
	got, err := arp.Parse(reply.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if seq, ok := seqOf(got.TargetMAC); !ok || seq != 42 {
		t.Fatalf("reply matched to %d %v", seq, ok)
	}
}

func TestPacerKeepsTheSchedule(t *testing.T) {
	us := time.Microsecond
	p := pacer{period: 100 * us, maxLag: 500 * us}
	for _, step := range []struct {
		elapsed, wait time.Duration
	}{
		{0, 0},               // slot 0 at once
		{10 * us, 90 * us},   // slot 1 at 100
		{130 * us, 0},        // woke 30 late: slot 1 now ...
		{135 * us, 65 * us},  // ... slot 2 still at 200, not at 230
		{200 * us, 0},        // slot 2
		{450 * us, 0},        // 150 behind: slot 3 (300) ...
		{451 * us, 0},        // ... and slot 4 (400) back to back
		{452 * us, 48 * us},  // slot 5 at 500
		{1600 * us, 0},       // 1100 behind, more than maxLag: slot 5 now, the schedule starts again
		{1601 * us, 99 * us}, // slot 6 at 1700, the missed ones are given up
	} {
		if got := p.wait(step.elapsed); got != step.wait {
			t.Fatalf("at %v: wait %v, want %v", step.elapsed, got, step.wait)
		}
	}
}

func TestSummarize(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var sentAt []time.Time
	for i := range 100 {
		sentAt = append(sentAt, t0.Add(time.Duration(i)*100*time.Microsecond))
	}
	var replies []received
	for i := range 98 { // requests 98 and 99 lost; request i took i+1 µs
		replies = append(replies, received{seq: uint32(i), at: sentAt[i].Add(time.Duration(i+1) * time.Microsecond)})
	}
	replies = append(replies,
		received{seq: 5, at: sentAt[5].Add(time.Second)}, // a second answer
		received{seq: 100, at: t0},                       // to a request never sent
	)
	s := summarize(sentAt, replies, sentAt[99].Sub(sentAt[0]))
	want := summary{sent: 100, replies: 98, duplicates: 1,
		p50: 49 * time.Microsecond, p99: 98 * time.Microsecond, max: 98 * time.Microsecond, rate: 10000}
	if s != want {
		t.Fatalf("got  %+v\nwant %+v", s, want)
	}
	if e := summarize(sentAt[:1], nil, 0); e != (summary{sent: 1}) {
		t.Fatalf("nothing answered: %+v", e)
	}
}

func TestPercentile(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for q, want := range map[float64]time.Duration{50: 5, 99: 10, 100: 10, 10: 1, 0: 1, 11: 2} {
		if got := percentile(d, q); got != want {
			t.Errorf("p%v = %v, want %v", q, got, want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("one value: %v", got)
	}
}
