package connector

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateGate follows Okta's rate-limit headers (X-Rate-Limit-Limit, -Remaining, and -Reset
// in epoch seconds) across the requests of one connector, and spaces the requests out
// when the budget of the current window runs low, so that a large group slows down
// before the limit instead of running into 429s.
type rateGate struct {
	mu        sync.Mutex
	known     bool
	limit     int
	remaining int
	reset     time.Time
}

// observe reads the headers of a response.
func (g *rateGate) observe(h http.Header) {
	remaining, err1 := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, err2 := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	limit, err := strconv.Atoi(h.Get("X-Rate-Limit-Limit"))
	if err != nil {
		limit = 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.known, g.limit, g.remaining, g.reset = true, limit, remaining, time.Unix(reset, 0)
}

// delay is how long to wait before the next request, which it counts as spent. With
// requests to spare it is 0; within the reserve (a tenth of the limit, at least 2) the
// rest of the window is shared among the requests left; with none left it is the wait
// for the reset.
func (g *rateGate) delay(now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.known || !now.Before(g.reset) {
		g.known = false
		return 0
	}
	left := g.reset.Sub(now)
	reserve := max(2, g.limit/10)
	var d time.Duration
	switch {
	case g.remaining <= 0:
		d = left
	case g.remaining <= reserve:
		d = left / time.Duration(g.remaining+1)
	}
	g.remaining--
	return d
}
