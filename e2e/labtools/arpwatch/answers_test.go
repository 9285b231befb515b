package main

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"herald.io/e2e/labtools/internal/arp"
)

var (
	watched = netip.MustParseAddr("198.18.0.200")
	other   = netip.MustParseAddr("198.18.0.11")
	macA    = arp.MAC{2, 0x48, 0x4c, 0, 0, 0x11}
	macB    = arp.MAC{2, 0x48, 0x4c, 0, 0, 0x12}
	macC    = arp.MAC{2, 0x48, 0x4c, 0, 0, 0x13}
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		name string
		f    arp.Frame
		kind string
	}{
		{"reply", arp.Frame{Op: arp.OpReply, SenderIP: watched, TargetIP: other}, "reply"},
		{"gratuitous reply", arp.Frame{Op: arp.OpReply, SenderIP: watched, TargetIP: watched}, "garp-reply"},
		{"gratuitous request", arp.Frame{Op: arp.OpRequest, SenderIP: watched, TargetIP: watched}, "garp-request"},
		{"owner asks for another address", arp.Frame{Op: arp.OpRequest, SenderIP: watched, TargetIP: other}, ""},
		{"reply for another address", arp.Frame{Op: arp.OpReply, SenderIP: other, TargetIP: watched}, ""},
		{"our own request", arp.Request(macA, other, watched), ""},
		{"unknown op", arp.Frame{Op: 3, SenderIP: watched, TargetIP: watched}, ""},
	} {
		kind, ok := classify(c.f, watched)
		if kind != c.kind || ok != (c.kind != "") {
			t.Errorf("%s: got %q %v, want %q", c.name, kind, ok, c.kind)
		}
	}
}

// series is one answer from mac every step from a to b milliseconds (inclusive).
func series(mac arp.MAC, a, b, step int) []answer {
	var as []answer
	for t := a; t <= b; t += step {
		as = append(as, answer{t: time.Duration(t) * time.Millisecond, mac: mac, kind: "reply"})
	}
	return as
}

func join(parts ...[]answer) []answer {
	var as []answer
	for _, p := range parts {
		as = append(as, p...)
	}
	return as
}

func TestDualAnswer(t *testing.T) {
	const gap = 500 * time.Millisecond
	for _, c := range []struct {
		name string
		as   []answer
		want int // ms
	}{
		{"nobody", nil, 0},
		{"one MAC", series(macA, 0, 5000, 50), 0},
		{"one MAC with a long silence", join(series(macA, 0, 1000, 50), series(macA, 3000, 5000, 50)), 0},
		{"clean takeover", join(series(macA, 0, 2000, 50), series(macB, 2100, 5000, 50)), 0},
		{"takeover with a stale answer", join(series(macA, 0, 2000, 50), series(macB, 1950, 5000, 50)), 50},
		{"both answer, then one stops", join(series(macA, 0, 5000, 50), series(macB, 1000, 2500, 50)), 1500},
		{"both from the start, the later stops", join(series(macA, 0, 3000, 50), series(macB, 0, 5000, 50)), 3000},
		{"alternating gratuitous answers, then one remains",
			join(series(macA, 0, 5000, 100), series(macB, 50, 1250, 200)), 1200},
		{"handover and back is no overlap", join(
			series(macA, 0, 1000, 50), series(macB, 1600, 2400, 50), series(macA, 3000, 5000, 50)), 0},
		{"the longest of two overlaps", join(
			series(macA, 0, 9000, 50), series(macB, 1000, 1300, 50), series(macB, 5000, 6000, 50)), 1000},
		{"three MACs, two separate overlaps", join(
			series(macA, 0, 2000, 50), series(macB, 1000, 4000, 50), series(macC, 3000, 6000, 50)), 1000},
		{"three MACs, overlaps without a break", join(
			series(macA, 0, 2000, 50), series(macB, 1000, 4000, 50), series(macC, 1500, 6000, 50)), 3000},
		{"a lone answer overlaps for no time", join(series(macA, 0, 2000, 50), series(macB, 1000, 1000, 50)), 0},
	} {
		if got := dualAnswer(c.as, gap); got != time.Duration(c.want)*time.Millisecond {
			t.Errorf("%s: got %v, want %dms", c.name, got, c.want)
		}
	}
}

func TestDualAnswerIgnoresOrder(t *testing.T) {
	as := join(series(macB, 1000, 2500, 50), series(macA, 0, 5000, 50))
	if got := dualAnswer(as, 500*time.Millisecond); got != 1500*time.Millisecond {
		t.Fatalf("got %v", got)
	}
}

func TestMACsInOrderFirstSeen(t *testing.T) {
	as := join(series(macB, 0, 100, 50), series(macA, 0, 100, 50), series(macB, 200, 300, 50))
	if got := macs(as); !reflect.DeepEqual(got, []arp.MAC{macB, macA}) {
		t.Fatalf("got %v", got)
	}
	if got := macs(nil); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}
