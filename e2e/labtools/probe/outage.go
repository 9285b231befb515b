package main

import "time"

// attempt is one connect attempt: when it started and whether it connected in time.
type attempt struct {
	start time.Time
	ok    bool
}

// outage is a maximal run of consecutive failed attempts (in start order) after a success.
// It lasts from the start of the last successful attempt before the run (from) to the start of
// the first successful attempt after it, or, when none followed (recovered false), to the end
// of the run.
type outage struct {
	from      time.Time
	duration  time.Duration
	failed    int // attempts in the run
	recovered bool
}

// tracker turns attempts, fed in start order, into outages and totals. Failures before the
// first success are counted as failures but make no outage: there is no instant the service
// was last seen up to measure from (the service may simply not have been up yet).
type tracker struct {
	attempts, failures int
	leading            int       // failures before the first success
	lastOK             time.Time // start of the latest successful attempt; zero before the first
	failing            int       // failures since lastOK (or since the beginning)
	outages            int
	longest            time.Duration
}

// add takes the next attempt in start order and returns the outage it ended, if any.
func (t *tracker) add(a attempt) (outage, bool) {
	t.attempts++
	if !a.ok {
		t.failures++
		t.failing++
		return outage{}, false
	}
	var o outage
	ended := false
	if t.lastOK.IsZero() {
		t.leading = t.failing
	} else if t.failing > 0 {
		o = t.record(outage{from: t.lastOK, duration: a.start.Sub(t.lastOK), failed: t.failing, recovered: true})
		ended = true
	}
	t.lastOK, t.failing = a.start, 0
	return o, ended
}

// finish closes the run at end (when probing stopped) and returns the outage still under way.
func (t *tracker) finish(end time.Time) (outage, bool) {
	if t.lastOK.IsZero() || t.failing == 0 {
		return outage{}, false
	}
	return t.record(outage{from: t.lastOK, duration: end.Sub(t.lastOK), failed: t.failing}), true
}

func (t *tracker) record(o outage) outage {
	t.outages++
	t.longest = max(t.longest, o.duration)
	return o
}

// sequencer hands attempts on in the order they started, whatever order they finish in:
// attempt n+1 may connect before attempt n times out.
type sequencer struct {
	next    int
	pending map[int]attempt
}

// put takes attempt number seq (numbered from 0 in start order) and passes every attempt that is
// now next in order to emit.
func (s *sequencer) put(seq int, a attempt, emit func(attempt)) {
	if s.pending == nil {
		s.pending = map[int]attempt{}
	}
	s.pending[seq] = a
	for {
		b, ok := s.pending[s.next]
		if !ok {
			return
		}
		delete(s.pending, s.next)
		s.next++
		emit(b)
	}
}
