package webhook

import (
	"math/rand/v2"
	"time"
)

// The retry schedule: exponential backoff with full jitter, for up to GiveUpAfter.
const (
	// FirstDelay is the shortest wait between two attempts, and the base of the backoff.
	FirstDelay = 30 * time.Second
	// MaxDelay is the longest wait between two attempts.
	MaxDelay = 6 * time.Hour
	// GiveUpAfter is how long after its first attempt a delivery is still tried.
	GiveUpAfter = 72 * time.Hour
)

// NextAttempt says when to try a delivery again after attempt attempts have failed (1 after
// the first), the first of them at first and the last at now; false means give up, since
// the next attempt would come more than GiveUpAfter after the first.
//
// The wait is FirstDelay plus rnd() times (min(MaxDelay, FirstDelay·2^attempt) −
// FirstDelay): "full jitter", whose ceiling doubles with every attempt (1 minute after the
// first failure, 2 after the second, … 6 hours from the tenth on), so that endpoints that
// failed together (one outage) do not come back together, and never less than FirstDelay
// apart. About 30 attempts fit in three days. rnd returns a number in [0, 1); nil means
// math/rand/v2's Float64, and tests pass their own.
func NextAttempt(attempt int, first, now time.Time, rnd func() float64) (time.Time, bool) {
	if rnd == nil {
		rnd = rand.Float64
	}
	next := now.Add(backoff(attempt, rnd()))
	if next.After(first.Add(GiveUpAfter)) {
		return time.Time{}, false
	}
	return next, true
}

// backoff is the wait after attempt failures for the random number r in [0, 1).
func backoff(attempt int, r float64) time.Duration {
	ceiling := MaxDelay
	if attempt < 1 {
		attempt = 1
	}
	if attempt < 20 { // 30s·2^20 is years: past MaxDelay, and clear of overflow
		ceiling = min(ceiling, FirstDelay<<attempt)
	}
	if r != r { // NaN: a broken rnd still gives a wait within bounds
		r = 0
	}
	r = min(max(r, 0), 1)
	return FirstDelay + time.Duration(r*float64(ceiling-FirstDelay))
}
