package mailer

import (
	"context"
	"sync"
)

// Stats counts what a sweep did.
type Stats map[Outcome]int

// workers is how many emails are in flight at once; the rate limiter still bounds how many
// start per second.
const workers = 8

// Job names the outbox entry of one invitation's email.
type Job struct {
	OrgID, InvitationID string
}

// DeliverEach delivers the jobs' entries, up to eight at once, and calls done with each
// job's index and outcome, never concurrently. Both the stream of the table and the sweep
// drain through it.
func (m *Mailer) DeliverEach(ctx context.Context, jobs []Job, done func(i int, o Outcome, err error)) {
	var mu sync.Mutex
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for i := range work {
				o, err := m.Deliver(ctx, jobs[i].OrgID, jobs[i].InvitationID)
				mu.Lock()
				done(i, o, err)
				mu.Unlock()
			}
		})
	}
	for i := range jobs {
		work <- i
	}
	close(work)
	wg.Wait()
}

// Sweep delivers every due entry, reading up to limit per round, until none is due or ctx
// ends. A failing entry does not stop the others; the first error is returned at the end.
func (m *Mailer) Sweep(ctx context.Context, limit int) (Stats, error) {
	stats := Stats{}
	var first error
	for round := 0; ctx.Err() == nil; round++ {
		now := m.now()
		entries, err := m.store.DueEntries(ctx, now, limit)
		if err != nil {
			return stats, err
		}
		if round == 0 {
			// Read most overdue first, the first page shows how long the backlog has waited.
			m.cfg.Metrics.Duration(ctx, metricOutboxAge, outboxAge(entries, now))
		}
		jobs := make([]Job, len(entries))
		for i, e := range entries {
			jobs[i] = Job{OrgID: e.OrgID, InvitationID: e.InvitationID}
		}
		progressed := false
		m.DeliverEach(ctx, jobs, func(_ int, o Outcome, err error) {
			stats[o]++
			if err != nil && first == nil {
				first = err
			}
			progressed = progressed || o != OutcomeSkipped
		})
		if len(entries) < limit || !progressed {
			break
		}
	}
	return stats, first
}
