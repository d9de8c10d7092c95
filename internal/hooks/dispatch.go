package hooks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse/internal/org"
	"gatehouse/internal/seal"
	"gatehouse/internal/view"
	"gatehouse/internal/webhook"
)

// Bounds of one dispatch.
const (
	// pageSize is how many events or deliveries one store read lists.
	pageSize = 100
	// workers is how many deliveries are attempted at once, and perEndpoint how many of
	// them may go to one endpoint: a slow endpoint holds two workers at most, never the
	// others' events.
	workers     = 8
	perEndpoint = 2
	// lease is how long a dispatcher holds a delivery it attempts: longer than an attempt.
	lease = 2 * time.Minute
	// cacheFor is how long a fan-out keeps an organization's list of endpoints.
	cacheFor = 30 * time.Second
)

// Stats counts what a dispatch did, by outcome.
type Stats map[string]int

// Sweep fans out the events waiting, for at most half of the time ctx leaves (or a minute),
// then attempts every delivery due until ctx ends or none is left. Delivering never waits
// for fan-out to finish: a large import's events never hold back the deliveries already due.
func (s *Service) Sweep(ctx context.Context) (Stats, error) {
	stats := Stats{}
	fanCtx, cancel := context.WithTimeout(ctx, share(ctx, 2, time.Minute))
	fanErr := s.Fanout(fanCtx, stats)
	cancel()
	if errors.Is(fanErr, context.DeadlineExceeded) && ctx.Err() == nil {
		fanErr = nil // its share of the time is up; the next sweep goes on
	}
	return stats, errors.Join(fanErr, s.Deliver(ctx, stats))
}

// share is 1/n of the time ctx leaves, or most when ctx has no deadline.
func share(ctx context.Context, n int, most time.Duration) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return min(most, time.Until(deadline)/time.Duration(n))
	}
	return most
}

// Fanout turns each waiting event into one delivery per enabled endpoint that subscribes to
// it, its body rendered once, then drops the event. It is at least once: an event fanned
// out twice makes each delivery once.
func (s *Service) Fanout(ctx context.Context, stats Stats) error {
	type listed struct {
		eps []Endpoint
		at  time.Time
	}
	endpoints := map[string]listed{}
	for ctx.Err() == nil {
		events, err := s.store.DueEvents(ctx, pageSize)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		if len(events) == 0 {
			return nil
		}
		for _, ev := range events {
			l, ok := endpoints[ev.OrgID]
			if now := s.nowUTC(); !ok || now.Sub(l.at) > cacheFor {
				// Read again now and then, so an endpoint made during a long fan-out gets
				// the events after it.
				eps, err := s.store.ListEndpoints(ctx, ev.OrgID)
				if err != nil {
					return fmt.Errorf("list webhooks of %s: %w", ev.OrgID, err)
				}
				l = listed{eps: eps, at: now}
				endpoints[ev.OrgID] = l
			}
			if err := s.fanout(ctx, ev, l.eps); err != nil {
				return err
			}
			stats["events"]++
		}
	}
	return ctx.Err()
}

// fanout makes ev's deliveries, then drops it.
func (s *Service) fanout(ctx context.Context, ev Event, eps []Endpoint) error {
	var body []byte
	for _, e := range eps {
		if !e.Enabled || !webhook.Subscribed(e.Events, ev.Type) {
			continue
		}
		if body == nil {
			b, err := render(ev)
			if err != nil {
				return err
			}
			body = b
		}
		d := Delivery{ID: "msg_" + ev.ID, OrgID: ev.OrgID, EndpointID: e.ID, EventType: ev.Type, Body: body,
			Status: DeliveryPending, CreatedAt: ev.At, TriesSince: ev.At, NextAt: ev.At, UpdatedAt: s.nowUTC()}
		if err := s.store.PutDelivery(ctx, d); err != nil {
			return fmt.Errorf("store delivery of %s to %s: %w", ev.ID, e.ID, err)
		}
	}
	if err := s.store.DropEvent(ctx, ev); err != nil {
		return fmt.Errorf("drop event %s: %w", ev.ID, err)
	}
	return nil
}

// scanPages bounds the pages of due deliveries one look reads (a variable only so that
// tests can make it small).
var scanPages = 50

// Bounds of how Deliver reads and holds what is due.
const (
	// queued is how many deliveries of one endpoint a look keeps waiting in memory: a
	// look reads past an endpoint with a backlog to the others' deliveries behind it.
	queued = 20
	// lookEvery is how often Deliver looks for deliveries that became due while it works.
	lookEvery = 5 * time.Second
	// breakAfter failures in a row make Deliver leave an endpoint alone for the rest of a
	// pass: one that times out costs a pass breakAfter attempts, not its whole backlog.
	breakAfter = 3
	// notAttemptedFor is how long a delivery that could not be attempted (the table or key
	// service unavailable) waits before the same pass tries it again.
	notAttemptedFor = 30 * time.Second
)

// Deliver attempts every delivery due until ctx ends or none is left: workers at once, at
// most perEndpoint of them to one endpoint, taking endpoints in turn. It keeps looking for
// what became due (every lookEvery, and whenever it runs out), so that one endpoint's
// backlog, slowness or failures hold only that endpoint's workers, never another's events.
func (s *Service) Deliver(ctx context.Context, stats Stats) error {
	p := &pass{s: s, stats: stats, secrets: newSecretCache(s), queues: map[string][]Delivery{}, busy: map[string]int{},
		failures: map[string]int{}, tried: map[string]time.Time{}, done: make(chan struct{}, workers)}
	defer p.wg.Wait()
	var looked time.Time
	for ctx.Err() == nil {
		if tooLate(ctx) && p.idle() {
			return nil // an attempt begun now might not end in time: the next pass takes it
		}
		if time.Since(looked) >= lookEvery || p.idle() {
			found, end, err := p.look(ctx)
			if err != nil {
				return err
			}
			looked = time.Now()
			if found == 0 && p.idle() {
				if end {
					return nil
				}
				continue // nothing here to start: read on, at once
			}
		}
		p.start(ctx)
		select {
		case <-p.done:
		case <-time.After(time.Until(looked.Add(lookEvery))):
		case <-ctx.Done():
		}
	}
	return ctx.Err()
}

// pass is one Deliver's state.
type pass struct {
	s       *Service
	secrets *secretCache
	wg      sync.WaitGroup
	done    chan struct{} // an attempt ended
	after   string        // where the next look reads on from ("" for the oldest)

	mu       sync.Mutex
	stats    Stats
	order    []string              // endpoints with deliveries waiting, in the order taken
	queues   map[string][]Delivery // waiting deliveries, by endpoint, oldest due first
	busy     map[string]int        // attempts under way, by endpoint
	running  int                   // attempts under way
	failures map[string]int        // failures in a row, by endpoint
	tried    map[string]time.Time  // when each delivery this pass attempted may be taken again
}

// idle reports whether nothing waits and nothing is under way.
func (p *pass) idle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running == 0 && len(p.order) == 0
}

// look reads the deliveries due, up to scanPages pages on from where the last look stopped
// (from the oldest again once it reached the end), and queues those not already waiting,
// under way or tried (the index may still show an attempted delivery as it was), up to
// queued per endpoint. It answers how many it queued and whether it read to the end: a
// backlog deeper than one look is read through look after look, so whatever lies behind it
// is reached.
func (p *pass) look(ctx context.Context) (found int, end bool, err error) {
	now := p.s.nowUTC()
	after := p.after
	p.mu.Lock()
	waiting := map[string]bool{}
	for _, q := range p.queues {
		for _, d := range q {
			waiting[d.ID+"/"+d.EndpointID] = true
		}
	}
	p.mu.Unlock()
	for range scanPages {
		due, next, err := p.s.store.DueDeliveries(ctx, now, pageSize, after)
		if err != nil {
			return found, false, fmt.Errorf("list due deliveries: %w", err)
		}
		p.mu.Lock()
		for _, d := range due {
			key, ep := d.ID+"/"+d.EndpointID, d.OrgID+"/"+d.EndpointID
			if waiting[key] || now.Before(p.tried[key]) || p.failures[ep] >= breakAfter || len(p.queues[ep]) >= queued {
				continue
			}
			if len(p.queues[ep]) == 0 && p.busy[ep] == 0 {
				p.order = append(p.order, ep)
			}
			p.queues[ep] = append(p.queues[ep], d)
			waiting[key] = true
			found++
		}
		p.mu.Unlock()
		if next == "" {
			p.after = ""
			return found, true, nil
		}
		after = next
	}
	p.after = after
	return found, false, nil
}

// startMargin is the time an attempt needs, at most: the sender's timeout and its record.
const startMargin = 12 * time.Second

// tooLate reports whether ctx ends too soon for another attempt.
func tooLate(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < startMargin
}

// start begins as many waiting deliveries as workers and perEndpoint allow, endpoints in
// turn.
func (p *pass) start(ctx context.Context) {
	if tooLate(ctx) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for progress := true; progress && p.running < workers; {
		progress = false
		for i := 0; i < len(p.order) && p.running < workers; i++ {
			ep := p.order[i]
			q := p.queues[ep]
			if len(q) == 0 || p.busy[ep] >= perEndpoint {
				continue
			}
			d := q[0]
			p.queues[ep] = q[1:]
			p.busy[ep]++
			p.running++
			p.tried[d.ID+"/"+d.EndpointID] = farFuture // under way
			progress = true
			p.wg.Go(func() { p.attempt(ctx, ep, d) })
		}
		p.prune()
	}
}

// prune drops from the order the endpoints with nothing waiting or under way.
func (p *pass) prune() {
	kept := p.order[:0]
	for _, ep := range p.order {
		if len(p.queues[ep]) > 0 || p.busy[ep] > 0 {
			kept = append(kept, ep)
		} else {
			delete(p.queues, ep)
		}
	}
	p.order = kept
}

// attempt attempts d and notes what came of it.
func (p *pass) attempt(ctx context.Context, ep string, d Delivery) {
	outcome, again, err := p.s.attempt(ctx, d, p.secrets)
	p.mu.Lock()
	p.busy[ep]--
	p.running--
	p.tried[d.ID+"/"+d.EndpointID] = again
	switch {
	case err != nil:
		p.s.log.WarnContext(ctx, "webhook delivery not attempted", "org", d.OrgID, "webhook", d.EndpointID, "delivery", d.ID, "err", err)
		p.stats["errors"]++
		p.failures[ep]++
	case outcome == DeliveryDelivered:
		p.failures[ep] = 0
	case outcome == DeliveryFailing || outcome == DeliveryFailed:
		p.failures[ep]++
	}
	if outcome != "" {
		p.stats[outcome]++
	}
	if p.failures[ep] >= breakAfter {
		// Left alone for the rest of the pass; its deliveries stay due for the next.
		p.queues[ep] = nil
	}
	p.prune()
	p.mu.Unlock()
	select {
	case p.done <- struct{}{}:
	default:
	}
}

// farFuture is a time after every delivery's.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// secretCache keeps the signing secrets of the endpoints one pass has opened, by endpoint
// and the endpoint's updatedAt (which every change of it moves), so that a thousand
// deliveries to one endpoint open its secrets once, and a rotation is seen at once.
type secretCache struct {
	s     *Service
	mu    sync.Mutex
	items map[string]*openedSecrets
}

type openedSecrets struct {
	once    sync.Once
	secrets []string
	err     error
}

func newSecretCache(s *Service) *secretCache {
	return &secretCache{s: s, items: map[string]*openedSecrets{}}
}

// get is e's live signing secrets, the current one first.
func (c *secretCache) get(ctx context.Context, e Endpoint) ([]string, error) {
	key := e.OrgID + "/" + e.ID + "@" + e.UpdatedAt.Format(time.RFC3339Nano)
	c.mu.Lock()
	it, ok := c.items[key]
	if !ok {
		it = &openedSecrets{}
		c.items[key] = it
	}
	c.mu.Unlock()
	it.once.Do(func() { it.secrets, it.err = c.s.openSecrets(ctx, e) })
	if it.err != nil {
		c.mu.Lock()
		if c.items[key] == it {
			delete(c.items, key) // an error is not kept: the next delivery tries again
		}
		c.mu.Unlock()
		return nil, it.err
	}
	return c.s.liveSecrets(e, it.secrets), nil
}

// unavailable reports whether err says the table or the key service could not answer just
// now, which passes: the delivery is tried again later, and counts as no attempt.
func unavailable(err error) bool {
	return errors.Is(err, org.ErrUnavailable) || errors.Is(err, org.ErrOutcomeUnknown) || errors.Is(err, seal.ErrUnavailable) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// attempt claims d, sends it, and records the outcome. It returns the outcome ("" when
// another dispatcher holds d) and when this pass may take d again. The endpoint is read
// afresh for every delivery, so one deleted, disabled or pointed elsewhere gets nothing more
// from the moment it is; secrets caches its opened secrets across a pass (nil: none).
func (s *Service) attempt(ctx context.Context, d Delivery, secrets *secretCache) (outcome string, again time.Time, err error) {
	now := s.nowUTC()
	leaseID := ulid.Make().String()
	if err := s.store.ClaimDelivery(ctx, d, leaseID, now, now.Add(lease)); err != nil {
		if org.Refused(err, org.PartRecord) {
			return "", now.Add(lease), nil
		}
		return "", now.Add(notAttemptedFor), err
	}
	claimed := d
	claimed.LeaseID = leaseID
	// notAttempted lets the lease go, leaving d as it was, for a delivery this dispatcher
	// could not attempt: the next pass (or an admin's retry) takes it at once.
	notAttempted := func(err error) (string, time.Time, error) {
		if rerr := s.record(ctx, claimed); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return "", s.nowUTC().Add(notAttemptedFor), err
	}
	d.LeaseID, d.LeaseUntil = leaseID, now.Add(lease)
	if secrets == nil {
		secrets = newSecretCache(s)
	}
	e, err := s.store.GetEndpoint(ctx, d.OrgID, d.EndpointID)
	if errors.Is(err, org.ErrNotFound) || (err == nil && !e.Enabled && d.EventType != webhook.EventTest) {
		// (A test goes to a disabled endpoint too: it is how an admin checks a receiver
		// before turning the endpoint on again.)
		// Deleted or disabled since: nothing more is sent.
		d.Status, d.NextAt, d.LastError = DeliveryFailed, time.Time{}, "the endpoint was deleted or disabled before this was delivered"
		if err := s.record(ctx, d); err != nil {
			return "", now.Add(notAttemptedFor), err
		}
		s.measure(ctx, d, 0, false)
		return DeliveryFailed, farFuture, nil
	}
	if err != nil {
		return notAttempted(err)
	}
	var res webhook.Result
	keys, err := secrets.get(ctx, e)
	switch {
	case err != nil && unavailable(err):
		return notAttempted(err)
	case err != nil:
		// The secrets cannot be opened (damaged, or sealed under a key this deployment no
		// longer has): nothing can be signed. It fails like an unreachable receiver, so it
		// gives up in time and the endpoint is disabled, with its admins told.
		s.log.ErrorContext(ctx, "webhook signing secret cannot be opened", "org", d.OrgID, "webhook", e.ID, "err", err)
		res = webhook.Result{Outcome: webhook.Retry, Error: "the endpoint's signing secret cannot be opened; rotate it"}
	default:
		res = s.sender.Send(ctx, e.URL, keys, d.ID, now, d.Body)
		if ctx.Err() != nil {
			// The pass ran out of time, not the receiver: no attempt is counted against it.
			return notAttempted(ctx.Err())
		}
	}
	done := s.nowUTC()
	d.Attempts++
	d.LastStatus, d.LastBody, d.LastError, d.UpdatedAt = res.Status, res.Body, res.Error, done
	var disable string
	switch res.Outcome {
	case webhook.Delivered:
		d.Status, d.NextAt = DeliveryDelivered, time.Time{}
	case webhook.Gone:
		d.Status, d.NextAt = DeliveryFailed, time.Time{}
		disable = "the endpoint answered 410 Gone"
	case webhook.Refused:
		d.Status, d.NextAt = DeliveryFailed, time.Time{}
	default:
		next, ok := webhook.NextAttempt(d.Attempts, d.TriesSince, done, nil)
		if ra := done.Add(res.RetryAfter); ok && res.RetryAfter > 0 && ra.After(next) {
			next = ra
		}
		if ok {
			d.Status, d.NextAt = DeliveryFailing, next
		} else {
			// Tried for the whole retry window: when the endpoint has not answered well
			// for about as long (since its streak began, the window less the longest
			// wait between two tries), it is dead.
			d.Status, d.NextAt = DeliveryFailed, time.Time{}
			if !e.FailingSince.IsZero() && done.Sub(e.FailingSince) >= DisableAfter-webhook.MaxDelay {
				disable = "deliveries have failed for three days"
			}
		}
	}
	if err := s.record(ctx, d); err != nil {
		return "", done.Add(notAttemptedFor), err
	}
	s.measure(ctx, d, done.Sub(now), true)
	followCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if err := s.follow(followCtx, e, d, disable, done); err != nil {
		s.log.WarnContext(ctx, "webhook endpoint state not recorded", "org", d.OrgID, "webhook", e.ID, "err", err)
	}
	if d.Status == DeliveryFailed || d.Status == DeliveryFailing {
		s.log.WarnContext(ctx, "webhook delivery failed", "org", d.OrgID, "webhook", e.ID, "delivery", d.ID, "status", res.Status,
			"attempts", d.Attempts, "final", d.Status == DeliveryFailed, "reason", res.Error)
	}
	again = d.NextAt
	if again.IsZero() {
		again = farFuture
	}
	return d.Status, again, nil
}

// record stores d's outcome; a lease lost meanwhile is no error (another dispatcher took over).
func (s *Service) record(ctx context.Context, d Delivery) error {
	err := s.store.RecordDelivery(context.WithoutCancel(ctx), d)
	if org.Refused(err, org.PartRecord) {
		return nil
	}
	return err
}

// follow keeps e's state in step with d's outcome: failing since its first failure after a
// success, well again on a success, and disabled (with an audit entry and an email to the
// admins) when disable says why: it asked for no more, or a delivery gave up after its
// three days without the endpoint answering well in that time. A test delivery
// (webhook.test, now or on a later retry) only reports what the receiver answered: it
// changes nothing.
func (s *Service) follow(ctx context.Context, e Endpoint, d Delivery, disable string, now time.Time) error {
	if d.EventType == webhook.EventTest {
		return nil
	}
	next := e
	switch {
	case d.Status == DeliveryDelivered:
		next.FailingSince = time.Time{}
	case e.FailingSince.IsZero():
		next.FailingSince = now
	}
	if disable != "" {
		next.Enabled, next.DisabledReason = false, disable
	}
	if next.FailingSince.Equal(e.FailingSince) && next.Enabled == e.Enabled {
		return nil
	}
	next.UpdatedAt = now
	var a *org.AuditEntry
	if disable != "" {
		entry := org.AuditEntry{ID: s.newID(), OrgID: e.OrgID, At: now, Action: ActionEndpointDisabled,
			Actor: org.Actor{Type: "system", ID: "webhooks", Name: "Webhooks"}, Source: org.SourceSystem, TargetType: "webhook", TargetID: e.ID,
			Details: map[string]string{"url": redactedURL(e.URL), "reason": disable}}
		a = &entry
	}
	if err := s.store.UpdateEndpoint(ctx, e, next, a); err != nil {
		if org.Refused(err, org.PartRecord) {
			return nil // changed meanwhile; the next delivery looks again
		}
		return err
	}
	if disable != "" && s.mailer != nil {
		if err := s.mailer.EndpointDisabled(ctx, e.OrgID, next, disable); err != nil {
			s.log.WarnContext(ctx, "admins not told of a disabled webhook", "org", e.OrgID, "webhook", e.ID, "err", err)
		}
	}
	return nil
}

// TestEndpoint sends a webhook.test event to one endpoint now and returns the delivery as
// it stands after the attempt. Whatever the receiver answers, the endpoint stays as it is
// (see follow): a test reports, and no email tells admins of it.
func (s *Service) TestEndpoint(ctx context.Context, p org.Principal, id string) (Delivery, error) {
	if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
		return Delivery{}, err
	}
	e, err := s.store.GetEndpoint(ctx, p.OrgID, id)
	if err != nil {
		return Delivery{}, err
	}
	now := s.nowUTC()
	evID := s.newID()
	body, err := webhook.Payload(webhook.EventTest, now, map[string]any{"webhook": map[string]string{"id": e.ID, "url": e.URL},
		"actor": view.Actor(p.Actor), "source": string(p.Source)})
	if err != nil {
		return Delivery{}, err
	}
	d := Delivery{ID: "msg_" + evID, OrgID: e.OrgID, EndpointID: e.ID, EventType: webhook.EventTest, Body: body,
		Status: DeliveryPending, CreatedAt: now, TriesSince: now, NextAt: now, UpdatedAt: now}
	if err := s.store.PutDelivery(ctx, d); err != nil {
		return Delivery{}, err
	}
	if _, _, err := s.attempt(ctx, d, nil); err != nil {
		return Delivery{}, err
	}
	return s.store.GetDelivery(ctx, e.OrgID, e.ID, d.ID)
}

// Deliveries lists an endpoint's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, p org.Principal, id string, pr org.PageRequest) (org.Page[Delivery], error) {
	if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
		return org.Page[Delivery]{}, err
	}
	pr, err := pr.Normalize()
	if err != nil {
		return org.Page[Delivery]{}, err
	}
	if _, err := s.store.GetEndpoint(ctx, p.OrgID, id); err != nil {
		return org.Page[Delivery]{}, err
	}
	return s.store.ListDeliveries(ctx, p.OrgID, id, pr)
}

// RetryDelivery makes a delivery due now again, with its body and id, as an admin asks
// (after fixing the receiver, say); a delivery already delivered is sent once more. One a
// dispatcher is attempting at that moment is left to it (ErrDeliveryUnderWay).
func (s *Service) RetryDelivery(ctx context.Context, p org.Principal, endpointID, id string) (Delivery, error) {
	if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
		return Delivery{}, err
	}
	e, err := s.store.GetEndpoint(ctx, p.OrgID, endpointID)
	if err != nil {
		return Delivery{}, err
	}
	if !e.Enabled {
		return Delivery{}, org.Invalid("webhook", "webhook_disabled", "the webhook is disabled; enable it (PATCH enabled: true) before retrying its deliveries")
	}
	prev, err := s.store.GetDelivery(ctx, p.OrgID, endpointID, id)
	if err != nil {
		return Delivery{}, err
	}
	now := s.nowUTC()
	next := prev
	next.Status, next.NextAt, next.UpdatedAt, next.LeaseID, next.LeaseUntil = DeliveryPending, now, now, "", time.Time{}
	if prev.Status == DeliveryFailed || prev.Status == DeliveryDelivered {
		next.TriesSince = now // a new three days of retries from now
	}
	a := s.audit(p, now, ActionDeliveryRetried, endpointID, map[string]string{"delivery": id, "event": prev.EventType})
	if err := s.store.RequeueDelivery(ctx, prev, next, a); err != nil {
		if org.Refused(err, org.PartRecord) {
			if cur, gerr := s.store.GetDelivery(ctx, p.OrgID, endpointID, id); gerr == nil && cur.LeaseUntil.After(now) {
				return Delivery{}, fmt.Errorf("retry webhook delivery %s: %w", id, ErrDeliveryUnderWay)
			}
		}
		return Delivery{}, conflicted(err)
	}
	return next, nil
}
