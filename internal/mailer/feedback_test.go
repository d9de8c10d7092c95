package mailer_test

import (
	"context"
	"testing"
	"time"

	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
)

func TestBouncesAndComplaintsShowOnTheInvitation(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	inv := f.invite(t, "grace@example.com")
	f.sweep(t)
	sent := f.get(t, inv.ID)
	if sent.Delivery.State != org.DeliverySent || sent.Delivery.MessageID == "" {
		t.Fatalf("after sending: %+v", sent.Delivery)
	}
	if m := f.sender.messages()[0]; m.OrgID != "acme" || m.InvitationID != inv.ID {
		t.Errorf("message names %q/%q, want the organization and invitation its events come back with", m.OrgID, m.InvitationID)
	}

	bounce := mailer.Feedback{Kind: mailer.FeedbackBounce, OrgID: "acme", InvitationID: inv.ID, MessageID: sent.Delivery.MessageID,
		At: f.clock.Now(), Reason: "the recipient's mail server refused it (permanent bounce: General): smtp; 550 5.1.1 user unknown"}
	o, err := f.mailer.RecordFeedback(ctx, bounce)
	if err != nil || o != mailer.OutcomeRecorded {
		t.Fatalf("record bounce: %s, %v", o, err)
	}
	got := f.get(t, inv.ID)
	if got.Delivery.State != org.DeliveryBounced || got.Delivery.Reason != bounce.Reason || got.Delivery.MessageID != sent.Delivery.MessageID {
		t.Errorf("delivery after a bounce = %+v", got.Delivery)
	}
	if n := f.audited(t, org.ActionEmailBounced, inv.ID); n != 1 {
		t.Errorf("bounce audit entries = %d, want 1", n)
	}
	if o, err := f.mailer.RecordFeedback(ctx, bounce); err != nil || o != mailer.OutcomeIgnored || f.audited(t, org.ActionEmailBounced, inv.ID) != 1 {
		t.Errorf("the same bounce again: %s, %v; want ignored and audited once", o, err)
	}

	// A complaint about the same email says so instead.
	complaint := bounce
	complaint.Kind, complaint.Reason = mailer.FeedbackComplaint, "the recipient marked it as spam (abuse)"
	if o, err := f.mailer.RecordFeedback(ctx, complaint); err != nil || o != mailer.OutcomeRecorded {
		t.Fatalf("record complaint: %s, %v", o, err)
	}
	if got := f.get(t, inv.ID); got.Delivery.State != org.DeliveryComplained {
		t.Errorf("delivery after a complaint = %+v", got.Delivery)
	}

	// Feedback about an email a resend replaced, or an invitation that does not exist, is ignored.
	stale := bounce
	stale.MessageID = "an-older-email"
	if o, err := f.mailer.RecordFeedback(ctx, stale); err != nil || o != mailer.OutcomeIgnored {
		t.Errorf("bounce of a replaced email: %s, %v", o, err)
	}
	gone := bounce
	gone.InvitationID = "inv_nothere"
	if o, err := f.mailer.RecordFeedback(ctx, gone); err != nil || o != mailer.OutcomeIgnored {
		t.Errorf("bounce of an unknown invitation: %s, %v", o, err)
	}
}

func TestSettledFeedbackIsNeverSentAgain(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	crash := &crashingStore{Deliveries: f.store, beforeDrop: true}
	inv := f.invite(t, "grace@example.com")
	// The send is recorded, then the mailer crashes before letting the entry go.
	if _, err := f.mailerOver(t, crash).Deliver(ctx, "acme", inv.ID); err == nil {
		t.Fatal("the crash did not happen")
	}
	sent := f.get(t, inv.ID)
	complaint := mailer.Feedback{Kind: mailer.FeedbackComplaint, OrgID: "acme", InvitationID: inv.ID, MessageID: sent.Delivery.MessageID,
		Reason: "the recipient marked it as spam"} // no timestamp in the event: now is used
	if o, err := f.mailer.RecordFeedback(ctx, complaint); err != nil || o != mailer.OutcomeRecorded {
		t.Fatalf("record complaint: %s, %v", o, err)
	}
	f.clock.Add(10 * time.Minute)
	f.sweep(t)
	if n := len(f.sender.messages()); n != 1 {
		t.Errorf("emails sent = %d, want 1: a complained-of invitation is not emailed again", n)
	}
	if got := f.get(t, inv.ID); got.Delivery.State != org.DeliveryComplained {
		t.Errorf("delivery after the sweep = %+v, want still complained", got.Delivery)
	}
}
