package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/oklog/ulid/v2"
	"golang.org/x/time/rate"

	"gatehouse/internal/org"
)

// Entry is an invitation's place in the outbox.
type Entry struct {
	OrgID        string
	InvitationID string
	Due          time.Time // when it may next be attempted
	Attempts     int       // sends attempted so far
	QueuedAt     time.Time // when the invitation was (re)queued: retries stop a day later
	LeaseID      string    // set while a mailer holds the entry
}

// Store is what the mailer needs of the database. Every method that changes an entry is
// conditional on the lease the mailer holds (Entry.LeaseID) and fails with org.ErrConflict
// when another mailer or a resend has taken the entry over.
type Store interface {
	// DueEntries lists entries due at now, most overdue first.
	DueEntries(ctx context.Context, now time.Time, limit int) ([]Entry, error)
	// Claim leases the entry until leaseUntil if it is due and nobody holds a live lease;
	// it returns the claimed entry, or false.
	Claim(ctx context.Context, orgID, invitationID, leaseID string, now, leaseUntil time.Time) (Entry, bool, error)
	GetInvitation(ctx context.Context, orgID, id string) (org.Invitation, error)
	GetOrg(ctx context.Context, orgID string) (org.Org, error)
	// MarkSending stores the invitation's new link hash and its sending state, if the
	// invitation is still pending with the same expiry.
	MarkSending(ctx context.Context, e Entry, inv org.Invitation) error
	// Sent records a sent email and removes the entry.
	Sent(ctx context.Context, e Entry, inv org.Invitation, audit org.AuditEntry) error
	// Failed records that the email will not be sent and removes the entry.
	Failed(ctx context.Context, e Entry, inv org.Invitation, audit org.AuditEntry) error
	// Retry releases the entry until due, recording why the attempt failed.
	Retry(ctx context.Context, e Entry, inv org.Invitation, due time.Time) error
	// Drop removes an entry that has nothing left to send.
	Drop(ctx context.Context, e Entry) error
}

// Config tunes a Mailer.
type Config struct {
	PublicURL string        // base of accept links, such as https://gatehouse.example.com
	Rate      float64       // emails per second at most (SES_MAX_SEND_RATE); 0 lifts the limit
	Lease     time.Duration // how long a claim lasts; default one minute
	GiveUp    time.Duration // how long passing failures are retried; default 24 hours
	Now       func() time.Time
	Logger    *slog.Logger
}

// Mailer delivers outbox entries.
type Mailer struct {
	store   Store
	sender  Sender
	limiter *rate.Limiter
	cfg     Config
}

// New returns a Mailer.
func New(store Store, sender Sender, cfg Config) (*Mailer, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("public URL %q must be an http(s) URL such as https://gatehouse.example.com", cfg.PublicURL)
	}
	if cfg.Lease == 0 {
		cfg.Lease = time.Minute
	}
	if cfg.GiveUp == 0 {
		cfg.GiveUp = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	limit := rate.Inf
	if cfg.Rate > 0 {
		limit = rate.Limit(cfg.Rate)
	}
	return &Mailer{store: store, sender: sender, limiter: rate.NewLimiter(limit, 1), cfg: cfg}, nil
}

// Outcome is what became of one delivery attempt.
type Outcome string

// The outcomes.
const (
	OutcomeSent    Outcome = "sent"
	OutcomeRetry   Outcome = "retry"
	OutcomeFailed  Outcome = "failed"
	OutcomeDropped Outcome = "dropped" // nothing to send: revoked, accepted, expired or no email wanted
	OutcomeSkipped Outcome = "skipped" // not due, or another mailer holds it
)

// Deliver attempts the email of one outbox entry. It returns an error only when the attempt
// could not be made or recorded (the database failed); the entry then stays in the outbox
// and a later sweep tries again.
func (m *Mailer) Deliver(ctx context.Context, orgID, invitationID string) (Outcome, error) {
	now := m.cfg.Now().UTC()
	e, ok, err := m.store.Claim(ctx, orgID, invitationID, ulid.Make().String(), now, now.Add(m.cfg.Lease))
	if err != nil || !ok {
		return OutcomeSkipped, err
	}
	inv, err := m.store.GetInvitation(ctx, orgID, invitationID)
	if errors.Is(err, org.ErrNotFound) {
		return OutcomeDropped, m.store.Drop(ctx, e)
	}
	if err != nil {
		return OutcomeSkipped, err
	}
	if !inv.SendEmail || inv.StatusAt(now) != org.StatusPending {
		return OutcomeDropped, m.store.Drop(ctx, e)
	}
	o, err := m.store.GetOrg(ctx, orgID)
	if err != nil {
		return OutcomeSkipped, err
	}
	token, hash := org.NewLink(inv)
	inv.TokenHash = hash
	inv.Delivery = org.Delivery{State: org.DeliverySending, Attempts: e.Attempts, UpdatedAt: now}
	if err := m.store.MarkSending(ctx, e, inv); err != nil {
		return m.lost(err)
	}
	if err := m.limiter.Wait(ctx); err != nil {
		return OutcomeSkipped, err
	}
	id, sendErr := m.sender.Send(ctx, Message{
		To: inv.Email, InviteeName: inv.Name, InviterName: inv.InvitedBy.Name, OrgName: o.Name,
		Role: string(inv.Role), AcceptURL: m.acceptURL(token), ExpiresAt: inv.ExpiresAt,
	})
	done := m.cfg.Now().UTC()
	inv.Delivery.UpdatedAt = done
	switch {
	case sendErr == nil:
		inv.Delivery.State, inv.Delivery.MessageID = org.DeliverySent, id
		a := m.audit(inv, done, org.ActionEmailSent, map[string]string{"email": inv.Email, "messageId": id})
		if err := m.store.Sent(ctx, e, inv, a); err != nil {
			return m.lost(err)
		}
		return OutcomeSent, nil
	case errors.Is(sendErr, ErrRejected) || done.Sub(e.QueuedAt) >= m.cfg.GiveUp:
		return m.fail(ctx, e, inv, done, sendErr)
	}
	inv.Delivery.State, inv.Delivery.Reason = org.DeliveryQueued, reason(sendErr)
	m.cfg.Logger.WarnContext(ctx, "invitation email will be retried", "invitationId", inv.ID, "attempts", e.Attempts, "err", sendErr)
	if err := m.store.Retry(ctx, e, inv, done.Add(backoff(e.Attempts))); err != nil {
		return m.lost(err)
	}
	return OutcomeRetry, nil
}

// fail records that the email will not be sent.
func (m *Mailer) fail(ctx context.Context, e Entry, inv org.Invitation, at time.Time, sendErr error) (Outcome, error) {
	inv.Delivery.State, inv.Delivery.Reason = org.DeliveryFailed, reason(sendErr)
	if !errors.Is(sendErr, ErrRejected) {
		inv.Delivery.Reason = "gave up after repeated failures: " + inv.Delivery.Reason
	}
	m.cfg.Logger.WarnContext(ctx, "invitation email failed", "invitationId", inv.ID, "attempts", e.Attempts, "err", sendErr)
	a := m.audit(inv, at, org.ActionEmailFailed, map[string]string{"email": inv.Email, "reason": inv.Delivery.Reason})
	if err := m.store.Failed(ctx, e, inv, a); err != nil {
		return m.lost(err)
	}
	return OutcomeFailed, nil
}

// lost treats a write refused because the entry was taken over (a resend re-queued it,
// another mailer's lease) as nothing left to do; other errors are returned.
func (m *Mailer) lost(err error) (Outcome, error) {
	if errors.Is(err, org.ErrConflict) {
		return OutcomeSkipped, nil
	}
	return OutcomeSkipped, err
}

// acceptURL is the link in the email: the accept page, which never consumes the token on GET.
func (m *Mailer) acceptURL(token string) string {
	return m.cfg.PublicURL + "/invitations/accept?token=" + url.QueryEscape(token)
}

// audit builds the audit entry of a delivery outcome, made by the mailer.
func (m *Mailer) audit(inv org.Invitation, at time.Time, action string, details map[string]string) org.AuditEntry {
	return org.AuditEntry{
		ID: ulid.Make().String(), OrgID: inv.OrgID, At: at, Action: action,
		Actor: org.Actor{Type: "mailer", ID: "mailer"}, Source: inv.Source,
		TargetType: "invitation", TargetID: inv.ID, Details: details,
	}
}

// reason is what an admin sees of a failure: the kinds this package knows, or a short text.
func reason(err error) string {
	switch {
	case errors.Is(err, ErrRejected):
		return "rejected by the email service: " + truncate(err.Error(), 300)
	case errors.Is(err, ErrThrottled):
		return "the email service asked us to slow down"
	}
	return "the email service could not be reached"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// backoff is how long to wait after attempt n failed: doubling from 30 seconds to at most
// an hour, with full jitter so a burst of failures does not retry in lockstep.
func backoff(attempts int) time.Duration {
	d := 30 * time.Second << min(max(attempts-1, 0), 7)
	d = min(d, time.Hour)
	return d/2 + rand.N(d/2+1)
}

// Stats counts what a sweep did.
type Stats map[Outcome]int

// Sweep delivers every due entry, up to limit per round, until none is due or ctx ends. A
// failing entry does not stop the others; the first error is returned at the end.
func (m *Mailer) Sweep(ctx context.Context, limit int) (Stats, error) {
	stats := Stats{}
	var first error
	for ctx.Err() == nil {
		entries, err := m.store.DueEntries(ctx, m.cfg.Now().UTC(), limit)
		if err != nil {
			return stats, err
		}
		progressed := false
		for _, e := range entries {
			o, err := m.Deliver(ctx, e.OrgID, e.InvitationID)
			stats[o]++
			if err != nil && first == nil {
				first = err
			}
			progressed = progressed || o != OutcomeSkipped
		}
		if len(entries) < limit || !progressed {
			break
		}
	}
	return stats, first
}
