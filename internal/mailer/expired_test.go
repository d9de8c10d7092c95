package mailer_test

import (
	"context"
	"testing"
	"time"

	"gatehouse/internal/org"
)

func TestAnEmailNeverAttemptedBeforeItsLinkExpiredLeavesTheOutbox(t *testing.T) {
	f := newFixture(t, 0)
	days := 1
	c, err := f.svc.Invite(context.Background(), f.admin, org.InviteRequest{Email: "grace@example.com", ExpiresInDays: &days})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(25 * time.Hour) // the mailer was down for longer than the link lives
	for range 3 {
		f.sweep(t)
		f.clock.Add(time.Hour)
	}
	if e, _ := f.store.DueEntries(context.Background(), f.clock.Now(), 10); len(e) != 0 {
		t.Errorf("the outbox still holds %v", e)
	}
	if got := f.get(t, c.Invitation.ID); got.Delivery.State != org.DeliveryFailed || got.Delivery.Reason == "" {
		t.Errorf("delivery = %+v, want failed with a reason", got.Delivery)
	}
}
