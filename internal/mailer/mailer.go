package mailer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strconv"
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

// Store is what the mailer needs of the database. Writes are single conditional writes: the
// invitation's delivery state is the commit point of a send, so a crash between writes never
// sends an email again after its success was recorded.
type Store interface {
	// DueEntries lists entries due at now, most overdue first.
	DueEntries(ctx context.Context, now time.Time, limit int) ([]Entry, error)
	// Claim leases the entry until leaseUntil if it is due and nobody holds a live lease;
	// it returns the claimed entry, or false.
	Claim(ctx context.Context, orgID, invitationID, leaseID string, now, leaseUntil time.Time) (Entry, bool, error)
	GetInvitation(ctx context.Context, orgID, id string) (org.Invitation, error)
	GetOrg(ctx context.Context, orgID string) (org.Org, error)
	// MarkSending stores the invitation's new link hash and its sending state, if the
	// invitation is still pending with the same expiry (not resent, revoked or accepted).
	MarkSending(ctx context.Context, inv org.Invitation) error
	// RecordDelivery stores inv.Delivery, which event produced, if the invitation still has
	// the link the mailer minted (inv.TokenHash) and its stored delivery is in a state event
	// may happen in (event.From()); org.ErrConflict otherwise.
	RecordDelivery(ctx context.Context, inv org.Invitation, event org.DeliveryEvent) error
	// AddAudit writes an audit entry once: writing the same entry again does nothing.
	AddAudit(ctx context.Context, a org.AuditEntry) error
	// Release lets the entry be claimed again at due, if the mailer still holds its lease.
	Release(ctx context.Context, e Entry, due time.Time) error
	// Drop removes the entry, if the mailer still holds its lease.
	Drop(ctx context.Context, e Entry) error
	// RecordFeedback stores inv.Delivery, which event produced, with its audit entry, if the
	// invitation's last email is still the one with messageID and its delivery is in a state
	// event may happen in: a *org.ConflictError otherwise, naming org.PartInvitation (a
	// resend came since) or org.PartAudit (this very feedback was recorded already).
	RecordFeedback(ctx context.Context, inv org.Invitation, event org.DeliveryEvent, messageID string, audit org.AuditEntry) error
}

// Config tunes a Mailer.
type Config struct {
	PublicURL string        // base of accept links, such as https://gatehouse.example.com
	Rate      float64       // emails per second at most (SES_MAX_SEND_RATE); 0 lifts the limit
	Lease     time.Duration // how long a claim lasts; default three minutes, longer than the function may run
	GiveUp    time.Duration // how long passing failures are retried; default 24 hours
	// SettleWait is the first wait before recording a sent email again while the database
	// cannot be reached (doubling to 5 s); default 100 ms.
	SettleWait time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
	// Metrics receives what the mailer did (sent, deferred, failed, bounced, latency,
	// outbox age); nothing is recorded when nil.
	Metrics Metrics
}

// Mailer delivers outbox entries.
type Mailer struct {
	store   Store
	sender  Sender
	limiter *rate.Limiter
	cfg     Config
	orgs    orgNames
}

// New returns a Mailer.
func New(store Store, sender Sender, cfg Config) (*Mailer, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("public URL %q must be an http(s) URL such as https://gatehouse.example.com", cfg.PublicURL)
	}
	if cfg.Lease == 0 {
		cfg.Lease = 3 * time.Minute
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
	if cfg.Metrics == nil {
		cfg.Metrics = nopMetrics{}
	}
	limit := rate.Inf
	if cfg.Rate > 0 {
		limit = rate.Limit(cfg.Rate)
	}
	return &Mailer{store: store, sender: sender, limiter: rate.NewLimiter(limit, 1), cfg: cfg, orgs: orgNames{names: map[string]orgName{}}}, nil
}

// Outcome is what became of one delivery attempt.
type Outcome string

// The outcomes.
const (
	OutcomeSent    Outcome = "sent"
	OutcomeRetry   Outcome = "retry"
	OutcomeFailed  Outcome = "failed"
	OutcomeDropped Outcome = "dropped" // nothing to send: revoked, accepted, expired, no email wanted, or already recorded
	OutcomeSkipped Outcome = "skipped" // not due, or another mailer holds it
)

// Deliver attempts the email of one outbox entry. It returns an error only when the attempt
// could not be made or recorded (the database failed); the entry then stays in the outbox
// and a later sweep tries again.
func (m *Mailer) Deliver(ctx context.Context, orgID, invitationID string) (Outcome, error) {
	now := m.now()
	e, ok, err := m.store.Claim(ctx, orgID, invitationID, ulid.Make().String(), now, now.Add(m.cfg.Lease))
	if err != nil || !ok {
		return OutcomeSkipped, err
	}
	inv, err := m.store.GetInvitation(ctx, orgID, invitationID)
	if errors.Is(err, org.ErrNotFound) {
		return m.drop(ctx, e)
	}
	if err != nil {
		return OutcomeSkipped, err
	}
	final := inv.Delivery.Final()
	switch {
	case inv.SendEmail && !final && inv.StatusAt(now) == org.StatusExpired:
		// Retries outlasted the link: say so rather than leave it queued for ever.
		return m.record(ctx, e, inv, org.EventFail, now, "the invitation expired before its email could be sent; resend it")
	case !inv.SendEmail || inv.StatusAt(now) != org.StatusPending:
		return m.drop(ctx, e)
	case inv.Delivery.State == org.DeliveryBounced || inv.Delivery.State == org.DeliveryComplained:
		// Sent, then news came back before a crash let the entry go: its audit is written.
		return m.drop(ctx, e)
	case final:
		// Recorded before a crash kept the entry: finish the record, send nothing.
		return m.finish(ctx, e, inv, OutcomeDropped)
	}
	orgName, err := m.orgName(ctx, orgID, now)
	if err != nil {
		return OutcomeSkipped, err
	}
	token, hash := org.NewLink(inv)
	inv.TokenHash = hash
	if inv.Delivery, err = inv.Delivery.Next(org.EventStart, now, ""); err != nil {
		return m.lost(err)
	}
	inv.Delivery.Attempts = e.Attempts
	if err := m.store.MarkSending(ctx, inv); err != nil {
		return m.lost(err)
	}
	if err := m.limiter.Wait(ctx); err != nil {
		return OutcomeSkipped, err
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < sendTimeout+settleFor/2 {
		// Not enough time left to send and record the send: an email sent and then cut off
		// before its record would go out again. The lease lapses and a later run sends it.
		return OutcomeSkipped, nil
	}
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	id, sendErr := m.sender.Send(sendCtx, Message{
		OrgID: inv.OrgID, InvitationID: inv.ID, To: inv.Email, InviteeName: inv.Name, InviterName: inv.InvitedBy.Name, OrgName: orgName,
		Role: string(inv.Role), AcceptURL: m.acceptURL(token), ExpiresAt: inv.ExpiresAt,
	})
	cancel()
	done := m.now()
	switch {
	case sendErr == nil:
		return m.record(ctx, e, inv, org.EventSend, done, id)
	case errors.Is(sendErr, ErrRejected) || done.Sub(e.QueuedAt) >= m.cfg.GiveUp:
		why := reason(sendErr)
		if !errors.Is(sendErr, ErrRejected) {
			why = "gave up after repeated failures: " + why
		}
		m.cfg.Logger.WarnContext(ctx, "invitation email failed", "invitationId", inv.ID, "attempts", e.Attempts, "err", sendErr)
		return m.record(ctx, e, inv, org.EventFail, done, why)
	}
	m.cfg.Logger.WarnContext(ctx, "invitation email will be retried", "invitationId", inv.ID, "attempts", e.Attempts, "err", sendErr)
	if inv.Delivery, err = inv.Delivery.Next(org.EventDefer, done, reason(sendErr)); err != nil {
		return m.lost(err)
	}
	if err := m.store.RecordDelivery(ctx, inv, org.EventDefer); err != nil {
		return m.lost(err)
	}
	if err := m.store.Release(ctx, e, done.Add(backoff(e.Attempts))); err != nil {
		return m.lost(err)
	}
	m.cfg.Metrics.Count(ctx, metricDeferred, 1)
	return OutcomeRetry, nil
}

// record moves inv's email on by a final event (sent or failed) and stores it: the commit
// point, after which this email is never sent again. Then it audits and drops the entry.
func (m *Mailer) record(ctx context.Context, e Entry, inv org.Invitation, event org.DeliveryEvent, at time.Time, note string) (Outcome, error) {
	var err error
	if inv.Delivery, err = inv.Delivery.Next(event, at, note); err != nil {
		return m.lost(err)
	}
	if err := settle(ctx, m.cfg.SettleWait, func(ctx context.Context) error { return m.store.RecordDelivery(ctx, inv, event) }); err != nil {
		return m.lost(err)
	}
	// Counted at the commit point: once per email, whatever becomes of the audit and entry.
	if inv.Delivery.State == org.DeliveryFailed {
		m.cfg.Metrics.Count(ctx, metricFailed, 1)
		return m.finish(ctx, e, inv, OutcomeFailed)
	}
	m.cfg.Metrics.Count(ctx, metricSent, 1)
	m.cfg.Metrics.Duration(ctx, metricSendLatency, at.Sub(e.QueuedAt))
	return m.finish(ctx, e, inv, OutcomeSent)
}

// sendTimeout bounds one call to the email service, well inside the lease.
const sendTimeout = 30 * time.Second

// settleFor bounds how long the record of an email that went out is retried while the
// database cannot be reached: an email sent but not recorded would be sent again once its
// lease lapses, so the record is worth waiting for, well inside the lease.
const settleFor = 90 * time.Second

// settle runs write until it succeeds or fails for a reason other than the database being
// unavailable, retrying with backoff (wait doubling to 5 s) for up to settleFor, even after
// ctx has been cancelled (what it records has already happened), but never past ctx's own
// deadline less a second: a Lambda function frozen mid-write helps nobody.
func settle(ctx context.Context, wait time.Duration, write func(context.Context) error) error {
	until := time.Now().Add(settleFor)
	if deadline, ok := ctx.Deadline(); ok && deadline.Add(-time.Second).Before(until) {
		until = deadline.Add(-time.Second)
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), until)
	defer cancel()
	if wait <= 0 {
		wait = 100 * time.Millisecond
	}
	for {
		err := write(ctx)
		if err == nil || !errors.Is(err, org.ErrUnavailable) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// now is the current time to the millisecond, as the store keeps it: ids derived from times
// then come out the same when read back.
func (m *Mailer) now() time.Time { return m.cfg.Now().UTC().Truncate(time.Millisecond) }

// drop removes an entry with nothing left to send.
func (m *Mailer) drop(ctx context.Context, e Entry) (Outcome, error) {
	if err := m.store.Drop(ctx, e); err != nil {
		return m.lost(err)
	}
	return OutcomeDropped, nil
}

// finish audits a recorded final delivery (once, whatever crashes came between) and removes
// the entry.
func (m *Mailer) finish(ctx context.Context, e Entry, inv org.Invitation, o Outcome) (Outcome, error) {
	if err := m.store.AddAudit(ctx, deliveryAudit(inv)); err != nil {
		return OutcomeSkipped, err
	}
	if err := m.store.Drop(ctx, e); err != nil {
		return m.lost(err)
	}
	return o, nil
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

// deliveryAudit is the audit entry of a recorded final delivery. Its id is derived from the
// delivery itself, so writing it again after a crash writes nothing new.
func deliveryAudit(inv org.Invitation) org.AuditEntry {
	action, details := org.ActionEmailSent, map[string]string{"email": inv.Email, "messageId": inv.Delivery.MessageID}
	if inv.Delivery.State == org.DeliveryFailed {
		action, details = org.ActionEmailFailed, map[string]string{"email": inv.Email, "reason": inv.Delivery.Reason}
	}
	at := inv.Delivery.UpdatedAt
	seed := sha256.Sum256([]byte(inv.ID + "\x00" + action + "\x00" + strconv.FormatInt(at.UnixMilli(), 10)))
	id := ulid.MustNew(ulid.Timestamp(at), bytes.NewReader(seed[:]))
	return org.AuditEntry{
		ID: id.String(), OrgID: inv.OrgID, At: at, Action: action,
		Actor: org.Actor{Type: "mailer", ID: "mailer"}, Source: org.SourceMailer,
		TargetType: "invitation", TargetID: inv.ID, Details: details, Subject: inv,
	}
}

// reason is what an admin sees of a failure: the kinds this package knows, or a short text.
func reason(err error) string {
	switch {
	case errors.Is(err, ErrRejected):
		return "rejected by the email service: " + truncate(err.Error(), 300)
	case errors.Is(err, ErrThrottled):
		return "the email service asked us to slow down"
	case errors.Is(err, ErrAccount):
		return "the email service refused the sending account or its configuration (retried until fixed): " + truncate(err.Error(), 300)
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
