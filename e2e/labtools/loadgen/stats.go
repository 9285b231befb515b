package main

import (
	"math"
	"slices"
	"time"
)

// summary is what a rate run measured.
type summary struct {
	requests, errors int
	p50, p99, max    time.Duration // over the successful requests; 0 when there were none
}

// summarize sorts lat (the successful requests' latencies) and takes its percentiles.
func summarize(requests, errors int, lat []time.Duration) summary {
	s := summary{requests: requests, errors: errors}
	if len(lat) > 0 {
		slices.Sort(lat)
		s.p50, s.p99, s.max = percentile(lat, 50), percentile(lat, 99), lat[len(lat)-1]
	}
	return s
}

// percentile is the nearest-rank percentile of sorted, non-empty values: the smallest value
// that at least q percent of them do not exceed.
func percentile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// bulk is what a bulk run measured.
type bulk struct {
	requests, errors int
	bytes            int64
	elapsed          time.Duration
}

// mbitPerSecond is the body bytes read per second, in megabits (10^6 bits).
func (b bulk) mbitPerSecond() float64 {
	if b.elapsed <= 0 {
		return 0
	}
	return float64(b.bytes) * 8 / b.elapsed.Seconds() / 1e6
}

// pace calls emit with start+offset(i) for i from 0 to n-1, in order, each call no earlier than
// that time. A call that is late (emit blocked, or the sleep overslept) is not made up for by
// moving the later ones: the schedule stays fixed, and lateness is the measured side's to show.
func pace(start time.Time, n int, offset func(int) time.Duration, emit func(time.Time)) {
	defer preciseSleep()()
	for i := 0; i < n; i++ {
		o := offset(i)
		if w := o - time.Since(start); w > 0 {
			sleep(w)
		}
		emit(start.Add(o))
	}
}
