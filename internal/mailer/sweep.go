package mailer

import (
	"context"
	"sync"
)

// Stats counts what a sweep did.
type Stats map[Outcome]int

// sweepWorkers is how many emails a sweep has in flight at once; the rate limiter still
// bounds how many start per second.
const sweepWorkers = 8

// Sweep delivers every due entry, reading up to limit per round, until none is due or ctx
// ends. A failing entry does not stop the others; the first error is returned at the end.
func (m *Mailer) Sweep(ctx context.Context, limit int) (Stats, error) {
	stats := Stats{}
	var mu sync.Mutex
	var first error
	for ctx.Err() == nil {
		entries, err := m.store.DueEntries(ctx, m.now(), limit)
		if err != nil {
			return stats, err
		}
		progressed := false
		work := make(chan Entry)
		var wg sync.WaitGroup
		for range min(sweepWorkers, len(entries)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for e := range work {
					o, err := m.Deliver(ctx, e.OrgID, e.InvitationID)
					mu.Lock()
					stats[o]++
					if err != nil && first == nil {
						first = err
					}
					progressed = progressed || o != OutcomeSkipped
					mu.Unlock()
				}
			}()
		}
		for _, e := range entries {
			work <- e
		}
		close(work)
		wg.Wait()
		if len(entries) < limit || !progressed {
			break
		}
	}
	return stats, first
}
