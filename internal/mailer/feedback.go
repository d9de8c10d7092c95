package mailer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse/internal/org"
)

// FeedbackKind is what the email service heard back after sending.
type FeedbackKind string

// The kinds of feedback.
const (
	FeedbackBounce    FeedbackKind = "bounce"    // the recipient's server refused the email
	FeedbackComplaint FeedbackKind = "complaint" // the recipient marked it as spam
)

// Feedback is the email service's news of an invitation email it sent.
type Feedback struct {
	Kind         FeedbackKind
	OrgID        string
	InvitationID string
	MessageID    string // the email's id, as Send returned it
	At           time.Time
	Reason       string // for people: such as "permanent bounce: 550 5.1.1 user unknown"
}

// The outcomes of feedback.
const (
	OutcomeRecorded Outcome = "recorded" // the invitation's delivery now says so
	OutcomeIgnored  Outcome = "ignored"  // about an email since replaced, an unknown invitation, or recorded before
)

// RecordFeedback shows a bounce or complaint on the invitation whose email it is about, so
// admins see that the person never got (or did not want) the invitation. Feedback about an
// email a resend has replaced, or about an invitation that no longer exists, changes nothing.
func (m *Mailer) RecordFeedback(ctx context.Context, f Feedback) (Outcome, error) {
	inv, err := m.store.GetInvitation(ctx, f.OrgID, f.InvitationID)
	if errors.Is(err, org.ErrNotFound) {
		return OutcomeIgnored, nil
	}
	if err != nil {
		return OutcomeSkipped, fmt.Errorf("read invitation %s: %w", f.InvitationID, err)
	}
	if inv.Delivery.State == org.DeliverySending && inv.Delivery.MessageID == "" {
		// News raced ahead of the record of the send: fail, so the event is retried.
		return OutcomeSkipped, fmt.Errorf("feedback on invitation %s before its send is recorded: %w", inv.ID, org.ErrUnavailable)
	}
	if inv.Delivery.MessageID != f.MessageID {
		return OutcomeIgnored, nil
	}
	if f.At.IsZero() {
		f.At = m.now()
	}
	action, event := org.ActionEmailBounced, org.EventBounce
	if f.Kind == FeedbackComplaint {
		action, event = org.ActionEmailComplained, org.EventComplain
	}
	if inv.Delivery, err = inv.Delivery.Next(event, f.At.UTC().Truncate(time.Millisecond), truncate(f.Reason, 300)); err != nil {
		return OutcomeIgnored, nil // news of an email that was never recorded as sent
	}
	err = m.store.RecordFeedback(ctx, inv, event, f.MessageID, feedbackAudit(inv, action, f))
	switch {
	case errors.Is(err, org.ErrConflict):
		// A resend came since, or this very feedback was recorded already.
		return OutcomeIgnored, nil
	case err != nil:
		return OutcomeSkipped, fmt.Errorf("record %s of invitation %s: %w", f.Kind, inv.ID, err)
	}
	if f.Kind == FeedbackComplaint {
		m.cfg.Metrics.Count(ctx, metricComplained, 1)
	} else {
		m.cfg.Metrics.Count(ctx, metricBounced, 1)
	}
	return OutcomeRecorded, nil
}

// feedbackAudit is the audit entry of feedback, with an id derived from the email and the
// kind, so the same event delivered twice is recorded once.
func feedbackAudit(inv org.Invitation, action string, f Feedback) org.AuditEntry {
	at := inv.Delivery.UpdatedAt
	seed := sha256.Sum256([]byte(f.MessageID + "\x00" + action))
	return org.AuditEntry{
		ID: ulid.MustNew(ulid.Timestamp(at), bytes.NewReader(seed[:])).String(), OrgID: inv.OrgID, At: at, Action: action,
		Actor: org.Actor{Type: "mailer", ID: "mailer"}, Source: org.SourceMailer,
		TargetType: "invitation", TargetID: inv.ID,
		Details: map[string]string{"email": inv.Email, "messageId": f.MessageID, "reason": inv.Delivery.Reason},
	}
}
