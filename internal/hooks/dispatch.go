package hooks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse/internal/org"
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
)

// Stats counts what a dispatch did, by outcome.
type Stats map[string]int

// Sweep fans out every event waiting and attempts every delivery due, until ctx ends or
// nothing is left.
func (s *Service) Sweep(ctx context.Context) (Stats, error) {
	stats := Stats{}
	if err := s.Fanout(ctx, stats); err != nil {
		return stats, err
	}
	return stats, s.Deliver(ctx, stats)
}

// Fanout turns each waiting event into one delivery per enabled endpoint that subscribes to
// it, its body rendered once, then drops the event. It is at least once: an event fanned
// out twice makes each delivery once.
func (s *Service) Fanout(ctx context.Context, stats Stats) error {
	endpoints := map[string][]Endpoint{}
	for ctx.Err() == nil {
		events, err := s.store.DueEvents(ctx, pageSize)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		if len(events) == 0 {
			return nil
		}
		for _, ev := range events {
			eps, ok := endpoints[ev.OrgID]
			if !ok {
				if eps, err = s.store.ListEndpoints(ctx, ev.OrgID); err != nil {
					return fmt.Errorf("list webhooks of %s: %w", ev.OrgID, err)
				}
				endpoints[ev.OrgID] = eps
			}
			if err := s.fanout(ctx, ev, eps); err != nil {
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

// Deliver attempts every delivery due, workers at once and at most perEndpoint to one
// endpoint, until ctx ends or none is due.
func (s *Service) Deliver(ctx context.Context, stats Stats) error {
	var mu sync.Mutex
	count := func(k string) {
		mu.Lock()
		stats[k]++
		mu.Unlock()
	}
	known := newEndpointCache(s)
	for ctx.Err() == nil {
		due, err := s.store.DueDeliveries(ctx, s.nowUTC(), pageSize)
		if err != nil {
			return fmt.Errorf("list due deliveries: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		busy := map[string]int{}
		var batch []Delivery
		for _, d := range due {
			if busy[d.EndpointID] < perEndpoint {
				busy[d.EndpointID]++
				batch = append(batch, d)
			}
		}
		var wg sync.WaitGroup
		slots := make(chan struct{}, workers)
		progress := false
		for _, d := range batch {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				outcome, err := s.attempt(ctx, d, known)
				if err != nil {
					s.log.WarnContext(ctx, "webhook delivery not attempted", "org", d.OrgID, "webhook", d.EndpointID, "delivery", d.ID, "err", err)
					count("errors")
					return
				}
				mu.Lock()
				progress = progress || outcome != ""
				mu.Unlock()
				if outcome != "" {
					count(outcome)
				}
			})
		}
		wg.Wait()
		if !progress {
			return nil // every due delivery is leased by another dispatcher
		}
	}
	return ctx.Err()
}

// endpointCache keeps the endpoints (and their opened secrets) one dispatch pass has read,
// so that a thousand deliveries to one endpoint read it once. An entry is read again after
// cacheFor, so that an endpoint disabled or rotated during a long pass stops being used soon.
type endpointCache struct {
	s     *Service
	mu    sync.Mutex
	items map[string]*cachedEndpoint
}

const cacheFor = 30 * time.Second

type cachedEndpoint struct {
	once    sync.Once
	readAt  time.Time
	e       Endpoint
	secrets []string
	err     error
}

func newEndpointCache(s *Service) *endpointCache {
	return &endpointCache{s: s, items: map[string]*cachedEndpoint{}}
}

// get is the endpoint id of orgID with its secrets, read once per cacheFor; forget drops it
// after the pass changed it.
func (c *endpointCache) get(ctx context.Context, orgID, id string) (Endpoint, []string, error) {
	key := orgID + "/" + id
	now := c.s.nowUTC()
	c.mu.Lock()
	it, ok := c.items[key]
	if !ok || now.Sub(it.readAt) > cacheFor {
		it = &cachedEndpoint{readAt: now}
		c.items[key] = it
	}
	c.mu.Unlock()
	it.once.Do(func() {
		it.e, it.secrets, it.err = c.read(ctx, orgID, id)
		if it.err != nil {
			c.forget(orgID, id) // an error is not kept: the next delivery tries again
		}
	})
	return it.e, it.secrets, it.err
}

func (c *endpointCache) read(ctx context.Context, orgID, id string) (Endpoint, []string, error) {
	e, err := c.s.store.GetEndpoint(ctx, orgID, id)
	if err != nil || !e.Enabled {
		return e, nil, err
	}
	secrets, err := c.s.secrets(ctx, e)
	return e, secrets, err
}

func (c *endpointCache) forget(orgID, id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.items, orgID+"/"+id)
	c.mu.Unlock()
}

// attempt claims d, sends it, and records the outcome, which it returns ("" when another
// dispatcher holds d). known caches endpoints across a pass; nil reads afresh.
func (s *Service) attempt(ctx context.Context, d Delivery, known *endpointCache) (string, error) {
	now := s.nowUTC()
	leaseID := ulid.Make().String()
	if err := s.store.ClaimDelivery(ctx, d, leaseID, now, now.Add(lease)); err != nil {
		if org.Refused(err, org.PartRecord) {
			return "", nil
		}
		return "", err
	}
	d.LeaseID, d.LeaseUntil = leaseID, now.Add(lease)
	if known == nil {
		known = newEndpointCache(s)
	}
	e, secrets, err := known.get(ctx, d.OrgID, d.EndpointID)
	if errors.Is(err, org.ErrNotFound) || (err == nil && !e.Enabled) {
		// Deleted or disabled since: nothing more is sent.
		d.Status, d.NextAt, d.LastError = DeliveryFailed, time.Time{}, "the endpoint was deleted or disabled before this was delivered"
		return DeliveryFailed, s.record(ctx, d)
	}
	if err != nil {
		return "", err
	}
	res := s.sender.Send(ctx, e.URL, secrets, d.ID, now, d.Body)
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
			d.Status, d.NextAt = DeliveryFailed, time.Time{}
		}
	}
	if err := s.record(ctx, d); err != nil {
		return "", err
	}
	if changed, err := s.follow(ctx, e, d, disable, done); err != nil {
		s.log.WarnContext(ctx, "webhook endpoint state not recorded", "org", d.OrgID, "webhook", e.ID, "err", err)
	} else if changed {
		known.forget(d.OrgID, e.ID)
	}
	if d.Status == DeliveryFailed || d.Status == DeliveryFailing {
		s.log.WarnContext(ctx, "webhook delivery failed", "org", d.OrgID, "webhook", e.ID, "delivery", d.ID, "status", res.Status,
			"attempts", d.Attempts, "final", d.Status == DeliveryFailed, "reason", res.Error)
	}
	return d.Status, nil
}

// record stores d's outcome; a lease lost meanwhile is no error (another dispatcher took over).
func (s *Service) record(ctx context.Context, d Delivery) error {
	err := s.store.RecordDelivery(context.WithoutCancel(ctx), d)
	if org.Refused(err, org.PartRecord) {
		return nil
	}
	return err
}

// follow keeps e's state in step with d's outcome: failing since its first failure, back to
// well on a success, and disabled (with an audit entry and an email to the admins) when it
// asked for no more (disable) or has failed for DisableAfter.
func (s *Service) follow(ctx context.Context, e Endpoint, d Delivery, disable string, now time.Time) (bool, error) {
	next := e
	switch {
	case d.Status == DeliveryDelivered:
		next.FailingSince = time.Time{}
	case e.FailingSince.IsZero():
		next.FailingSince = now
	case now.Sub(e.FailingSince) >= DisableAfter && disable == "":
		disable = "deliveries have failed for three days"
	}
	if disable != "" {
		next.Enabled, next.DisabledReason = false, disable
	}
	if next.FailingSince.Equal(e.FailingSince) && next.Enabled == e.Enabled {
		return false, nil
	}
	next.UpdatedAt = now
	var a *org.AuditEntry
	if disable != "" {
		entry := org.AuditEntry{ID: s.newID(), OrgID: e.OrgID, At: now, Action: ActionEndpointDisabled,
			Actor: org.Actor{Type: "gatehouse", ID: "webhooks"}, Source: org.SourceAPI, TargetType: "webhook", TargetID: e.ID,
			Details: map[string]string{"url": e.URL, "reason": disable}}
		a = &entry
	}
	if err := s.store.UpdateEndpoint(ctx, e, next, a); err != nil {
		if org.Refused(err, org.PartRecord) {
			return true, nil // changed meanwhile; the next delivery looks again
		}
		return false, err
	}
	if disable != "" && s.mailer != nil {
		if err := s.mailer.EndpointDisabled(ctx, e.OrgID, next, disable); err != nil {
			s.log.WarnContext(ctx, "admins not told of a disabled webhook", "org", e.OrgID, "webhook", e.ID, "err", err)
		}
	}
	return true, nil
}

// TestEndpoint sends a webhook.test event to one endpoint now and returns the delivery as
// it stands after the attempt.
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
	if _, err := s.attempt(ctx, d, nil); err != nil {
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
// (after fixing the receiver, say); a delivery already delivered is sent once more.
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
		return Delivery{}, conflicted(err)
	}
	return next, nil
}
