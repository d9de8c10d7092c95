package webhook

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// ceilings is the longest wait after each number of failed attempts.
var ceilings = map[int]time.Duration{
	1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 4: 8 * time.Minute,
	5: 16 * time.Minute, 6: 32 * time.Minute, 7: 64 * time.Minute, 8: 128 * time.Minute,
	9: 256 * time.Minute, 10: 6 * time.Hour, 11: 6 * time.Hour, 30: 6 * time.Hour,
	1000: 6 * time.Hour, math.MaxInt: 6 * time.Hour,
}

// fixed is an rnd that always returns r.
func fixed(r float64) func() float64 { return func() float64 { return r } }

// TestNextAttemptBounds: the wait lies between FirstDelay and the attempt's ceiling, the
// ends included, whatever rnd returns.
func TestNextAttemptBounds(t *testing.T) {
	first := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	now := first.Add(time.Minute)
	for attempt, ceiling := range ceilings {
		for _, tc := range []struct {
			r    float64
			want time.Duration // 0: anywhere in bounds
		}{{0, FirstDelay}, {1, ceiling}, {0.5, FirstDelay + (ceiling-FirstDelay)/2}, {0.999, 0},
			{-3, FirstDelay}, {7, ceiling}, {math.NaN(), FirstDelay}, {math.Inf(1), ceiling}} {
			next, ok := NextAttempt(attempt, first, now, fixed(tc.r))
			if !ok {
				t.Fatalf("NextAttempt(%d, r=%v) gave up %s after the first", attempt, tc.r, now.Sub(first))
			}
			d := next.Sub(now)
			if d < FirstDelay || d > ceiling || tc.want != 0 && d != tc.want {
				t.Errorf("NextAttempt(%d, r=%v) waits %s, want %s (in [%s, %s])", attempt, tc.r, d, tc.want, FirstDelay, ceiling)
			}
		}
	}
	// Attempt numbers below 1 are the first attempt.
	for _, attempt := range []int{0, -1, math.MinInt} {
		if next, _ := NextAttempt(attempt, first, now, fixed(1)); next.Sub(now) != time.Minute {
			t.Errorf("NextAttempt(%d) waits %s, want the first attempt's 1m", attempt, next.Sub(now))
		}
	}
}

// TestNextAttemptIncreases: for the same draw, each wait is longer than the one before
// until the ceiling reaches MaxDelay.
func TestNextAttemptIncreases(t *testing.T) {
	first := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, r := range []float64{0.1, 0.5, 1} {
		var prev time.Duration
		for attempt := 1; attempt <= 12; attempt++ {
			next, ok := NextAttempt(attempt, first, first, fixed(r))
			if !ok {
				t.Fatalf("gave up at attempt %d", attempt)
			}
			d := next.Sub(first)
			switch {
			case attempt <= 10 && d <= prev:
				t.Errorf("r=%v: attempt %d waits %s, not longer than the %s before", r, attempt, d, prev)
			case attempt > 10 && d != prev:
				t.Errorf("r=%v: attempt %d waits %s, want the capped %s", r, attempt, d, prev)
			}
			prev = d
		}
	}
}

// TestNextAttemptJitters: waits drawn with a real random source spread over the bounds.
func TestNextAttemptJitters(t *testing.T) {
	first := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	const attempt = 5 // [30s, 16m]
	lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
	seen := make(map[time.Duration]bool)
	for range 1000 {
		next, _ := NextAttempt(attempt, first, first, rng.Float64)
		d := next.Sub(first)
		if d < FirstDelay || d > ceilings[attempt] {
			t.Fatalf("wait %s out of [%s, %s]", d, FirstDelay, ceilings[attempt])
		}
		lo, hi = min(lo, d), max(hi, d)
		seen[d] = true
	}
	if lo > 2*time.Minute || hi < 14*time.Minute || len(seen) < 900 {
		t.Errorf("1000 waits span %s to %s with %d distinct values: not spread over [30s, 16m]", lo, hi, len(seen))
	}
	// nil means the package's own random source, in the same bounds.
	if next, ok := NextAttempt(attempt, first, first, nil); !ok || next.Sub(first) < FirstDelay || next.Sub(first) > ceilings[attempt] {
		t.Errorf("NextAttempt with nil rnd = %s, %v", next.Sub(first), ok)
	}
}

// TestNextAttemptGivesUp: a delivery that always fails is tried for three days, never
// after, and then given up; with the deadline exactly reached it is still tried.
func TestNextAttemptGivesUp(t *testing.T) {
	first := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	deadline := first.Add(GiveUpAfter)
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 99))
		now, attempts := first, 1
		for {
			next, ok := NextAttempt(attempts, first, now, rng.Float64)
			if !ok {
				break
			}
			if next.After(deadline) || !next.After(now) {
				t.Fatalf("seed %d: attempt %d at %s, after %s and past the deadline %s", seed, attempts+1, next, now, deadline)
			}
			now, attempts = next, attempts+1
		}
		// It gives up only when even the shortest wait would not do, or a drawn one passed
		// the deadline, so the last attempt is within one MaxDelay of the deadline.
		if deadline.Sub(now) > MaxDelay {
			t.Errorf("seed %d: gave up at %s, %s before the deadline", seed, now, deadline.Sub(now))
		}
		if attempts < 15 || attempts > 80 {
			t.Errorf("seed %d: %d attempts in three days, want between 15 and 80", seed, attempts)
		}
	}
	// The edges: exactly at the deadline is allowed; one nanosecond past it is not.
	if next, ok := NextAttempt(3, first, deadline.Add(-FirstDelay), fixed(0)); !ok || !next.Equal(deadline) {
		t.Errorf("an attempt due exactly at the deadline: %s, %v", next, ok)
	}
	if next, ok := NextAttempt(3, first, deadline.Add(-FirstDelay+1), fixed(0)); ok {
		t.Errorf("an attempt due 1ns past the deadline was scheduled at %s", next)
	}
	if _, ok := NextAttempt(1, first, deadline.Add(time.Hour), fixed(0)); ok {
		t.Error("an attempt after the deadline was scheduled")
	}
}
