package mailer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
)

// With a real clock (sub-millisecond times), a crash after the audit entry and before the
// drop must not audit the same success twice.
func TestACrashAfterTheRecordAuditsOnceWithARealClock(t *testing.T) {
	f := newFixture(t, 0)
	f.clock.Add(123456789 * time.Nanosecond) // 12:00:00.123456789
	m := f.mailerOver(t, &crashingStore{Deliveries: f.store, beforeDrop: true})
	inv := f.invite(t, "grace@example.com")
	if _, err := m.Sweep(context.Background(), 25); err == nil {
		t.Fatal("the crash was not reported")
	}
	f.clock.Add(4 * time.Minute) // past the lease
	if _, err := m.Sweep(context.Background(), 25); err != nil {
		t.Fatal(err)
	}
	if sent := f.audited(t, org.ActionEmailSent, inv.ID); sent != 1 {
		t.Errorf("%d email_sent audit entries, want exactly 1", sent)
	}
}

// A resend within 60 seconds of the last send is refused, however long the email waited in the
// queue before it went out.
func TestResendCountsFromTheLastSend(t *testing.T) {
	f := newFixture(t, 0)
	inv := f.invite(t, "grace@example.com")
	// The email waits in the queue (a bulk import draining at 14/s, or SES retries) and is
	// sent two minutes after the invitation was created.
	f.clock.Add(2 * time.Minute)
	if stats := f.sweep(t); stats[mailer.OutcomeSent] != 1 {
		t.Fatalf("sweep = %v", stats)
	}
	f.clock.Add(5 * time.Second)
	_, err := f.svc.Resend(context.Background(), f.admin, inv.ID)
	var rl *org.RateLimitError
	if !errors.As(err, &rl) {
		t.Errorf("resend 5 s after the email went out: %v, want a rate limit error", err)
	}
}

// An invitation that expires in a day, with SES failing passingly all day, ends failed, not
// queued for ever.
func TestAnInvitationThatExpiresWhileRetryingIsMarkedFailed(t *testing.T) {
	f := newFixture(t, 0)
	f.sender.fail = func(int, mailer.Message) error { return errors.New("dial tcp: i/o timeout") }
	c, err := f.svc.Invite(context.Background(), f.admin, org.InviteRequest{Email: "grace@example.com", ExpiresInDays: ptr(1)})
	if err != nil {
		t.Fatal(err)
	}
	for range 30 {
		f.sweep(t)
		f.clock.Add(time.Hour)
	}
	if entries, _ := f.store.DueEntries(context.Background(), f.clock.Now(), 10); len(entries) != 0 {
		t.Fatalf("outbox still holds %v", entries)
	}
	got := f.get(t, c.Invitation.ID)
	if got.Delivery.State != org.DeliveryFailed {
		t.Errorf("after a day of failures the entry is gone but delivery = %+v", got.Delivery)
	}
}

func ptr[T any](v T) *T { return &v }
