package main

import (
	"encoding/binary"
	"math"
	"slices"
	"time"

	"herald.io/e2e/labtools/internal/arp"
)

// Each request comes from its own locally administered unicast MAC 02:bb:<sequence, 32 bits>, so
// the reply (sent to that MAC) names the request it answers.
const macPrefix0, macPrefix1 = 0x02, 0xbb

func seqMAC(seq uint32) arp.MAC {
	m := arp.MAC{macPrefix0, macPrefix1}
	binary.BigEndian.PutUint32(m[2:], seq)
	return m
}

func seqOf(m arp.MAC) (uint32, bool) {
	if m[0] != macPrefix0 || m[1] != macPrefix1 {
		return 0, false
	}
	return binary.BigEndian.Uint32(m[2:]), true
}

// pacer keeps sends period apart on a fixed schedule (slot n at n*period after the start), so
// an occasional late wake-up does not slow the rate down. A sender that fell behind sends the
// slots it missed back to back, but at most maxLag's worth: beyond that it gives them up and
// starts a new schedule from now, rather than bursting out everything it owes.
type pacer struct {
	next, period, maxLag time.Duration
}

// wait returns 0 when a request is due at elapsed (time since the start) and books its slot, or
// how long to sleep until one is.
func (p *pacer) wait(elapsed time.Duration) time.Duration {
	if elapsed < p.next {
		return p.next - elapsed
	}
	if elapsed-p.next > p.maxLag {
		p.next = elapsed
	}
	p.next += p.period
	return 0
}

// received is one reply matched to its request.
type received struct {
	seq uint32
	at  time.Time
}

// summary is what the run measured.
type summary struct {
	sent, replies, duplicates int
	p50, p99, max             time.Duration
	rate                      float64 // requests sent per second
}

// summarize matches replies to the send times (indexed by sequence number). Replies to a
// sequence number never sent are ignored, a second reply to a request counts as a duplicate.
// sendSpan is the time from the first to the last send.
func summarize(sentAt []time.Time, replies []received, sendSpan time.Duration) summary {
	s := summary{sent: len(sentAt)}
	seen := make([]bool, len(sentAt))
	var lat []time.Duration
	for _, r := range replies {
		if int64(r.seq) >= int64(len(sentAt)) {
			continue
		}
		if seen[r.seq] {
			s.duplicates++
			continue
		}
		seen[r.seq] = true
		lat = append(lat, r.at.Sub(sentAt[r.seq]))
	}
	s.replies = len(lat)
	if len(lat) > 0 {
		slices.Sort(lat)
		s.p50, s.p99, s.max = percentile(lat, 50), percentile(lat, 99), lat[len(lat)-1]
	}
	if s.sent > 1 && sendSpan > 0 {
		s.rate = float64(s.sent-1) / sendSpan.Seconds()
	}
	return s
}

// percentile is the nearest-rank percentile of sorted, non-empty values: the smallest value
// that at least q percent of them do not exceed.
func percentile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
