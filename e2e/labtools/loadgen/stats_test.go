package main

import (
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var v []time.Duration
	for i := 1; i <= 100; i++ {
		v = append(v, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := percentile(v, c.q); got != c.want {
			t.Errorf("p%v = %v, want %v", c.q, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one value = %v", got)
	}
}

func TestSummarizeSortsAndKeepsCounts(t *testing.T) {
	s := summarize(5, 2, []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	if s.requests != 5 || s.errors != 2 || s.p50 != 2*time.Millisecond || s.p99 != 3*time.Millisecond || s.max != 3*time.Millisecond {
		t.Errorf("summary %+v", s)
	}
	if z := summarize(3, 3, nil); z.p50 != 0 || z.max != 0 {
		t.Errorf("no latencies: %+v", z)
	}
}

func TestMbitPerSecond(t *testing.T) {
	if got := (bulk{bytes: 125_000_000, elapsed: 2 * time.Second}).mbitPerSecond(); got != 500 {
		t.Errorf("got %v, want 500", got)
	}
	if got := (bulk{bytes: 1}).mbitPerSecond(); got != 0 {
		t.Errorf("no time: got %v", got)
	}
}

func TestPaceKeepsAFixedScheduleAndIsNeverEarly(t *testing.T) {
	start := time.Now()
	var got []time.Time
	pace(start, 20, func(i int) time.Duration { return time.Duration(i) * time.Millisecond }, func(at time.Time) {
		if now := time.Now(); now.Before(at) {
			t.Errorf("emitted %v early", at.Sub(now))
		}
		if i := len(got); i == 5 {
			time.Sleep(5 * time.Millisecond) // a blocked emit does not shift the rest
		}
		got = append(got, at)
	})
	for i, at := range got {
		if want := start.Add(time.Duration(i) * time.Millisecond); !at.Equal(want) {
			t.Errorf("slot %d at %v, want %v", i, at.Sub(start), want.Sub(start))
		}
	}
	if len(got) != 20 {
		t.Fatalf("%d slots, want 20", len(got))
	}
}
