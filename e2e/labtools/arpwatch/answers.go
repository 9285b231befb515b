package main

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"herald.io/e2e/labtools/internal/arp"
)

// answer is one frame in which some MAC claimed the watched address.
type answer struct {
	t    time.Duration // since the watch started
	mac  arp.MAC
	kind string
}

// classify tells whether f is a claim on ip: a reply from ip ("reply"), or a gratuitous ARP
// announcing ip, in request or reply form ("garp-request", "garp-reply"). A plain request from ip
// for some other address is the owner asking, not answering, and is no claim.
func classify(f arp.Frame, ip netip.Addr) (string, bool) {
	if f.SenderIP != ip {
		return "", false
	}
	switch {
	case f.Op == arp.OpReply && f.Gratuitous():
		return "garp-reply", true
	case f.Op == arp.OpReply:
		return "reply", true
	case f.Op == arp.OpRequest && f.Gratuitous():
		return "garp-request", true
	}
	return "", false
}

// macs lists the distinct MACs of the answers in the order they were first seen.
func macs(as []answer) []arp.MAC {
	var ms []arp.MAC
	for _, a := range as {
		if !slices.Contains(ms, a.mac) {
			ms = append(ms, a.mac)
		}
	}
	return ms
}

// dualAnswer is the longest time two or more MACs kept answering for the address together:
//
//   - A MAC keeps answering from one of its answers to the next as long as they are at most gap
//     apart; a longer silence splits its answers into episodes. An episode lasts from its first
//     answer to its last (one lone answer is an episode of length zero).
//   - Two MACs answer together while an episode of each is under way. dualAnswer is the length
//     of the longest stretch [a, b] during which at least two MACs have an episode under way
//     without a break: a is the first answer of the MAC that joined, b the last answer of the
//     MAC that left (stopped answering for longer than gap, or for good) so that one or none
//     remained.
//
// It is 0 when only one MAC ever answers and when one MAC takes over from another without their
// answers interleaving; when two MACs both answer for a while and then one stops, it is the
// time from the second MAC's first answer to the last answer of the one that stopped.
func dualAnswer(as []answer, gap time.Duration) time.Duration {
	type edge struct {
		t     time.Duration
		delta int // +1 an episode starts, -1 one ends
	}
	var edges []edge
	byMAC := map[arp.MAC][]time.Duration{}
	for _, a := range as {
		byMAC[a.mac] = append(byMAC[a.mac], a.t)
	}
	for _, ts := range byMAC {
		slices.Sort(ts)
		start := ts[0]
		for i := 1; i <= len(ts); i++ {
			if i == len(ts) || ts[i]-ts[i-1] > gap {
				edges = append(edges, edge{start, +1}, edge{ts[i-1], -1})
				if i < len(ts) {
					start = ts[i]
				}
			}
		}
	}
	// Starts before ends at the same instant: episodes that touch overlap for an instant.
	slices.SortFunc(edges, func(x, y edge) int {
		return cmp.Or(cmp.Compare(x.t, y.t), cmp.Compare(y.delta, x.delta))
	})
	var longest, since time.Duration
	active := 0
	for _, e := range edges {
		active += e.delta
		switch {
		case e.delta > 0 && active == 2:
			since = e.t
		case e.delta < 0 && active == 1:
			longest = max(longest, e.t-since)
		}
	}
	return longest
}
