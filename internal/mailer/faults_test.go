package mailer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// TestEveryQueuedEmailIsSentOnceThroughFaults: while DynamoDB meets each fault (throttling,
// 500s, refused connections, writes applied whose answers are lost) and SES throttles and
// fails every few sends, sweeps go on; once the faults stop, a last sweep sends what is left.
// Every queued email is then sent exactly once, and the organization keeps its promises.
func TestEveryQueuedEmailIsSentOnceThroughFaults(t *testing.T) {
	for _, fault := range []dynamotest.Fault{dynamotest.Throttle, dynamotest.ServerError, dynamotest.Refuse, dynamotest.TimeoutAfter, dynamotest.ResetAfter} {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel() // each fault gets a table and a server of its own
			env := dynamotest.New(t)
			clock := orgtest.NewClock()
			svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
			admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
			sender := &fakeSender{fail: func(n int, _ mailer.Message) error {
				switch n % 5 {
				case 1:
					return fmt.Errorf("slow down: %w", mailer.ErrThrottled)
				case 3:
					return fmt.Errorf("ses answered 503 ServiceUnavailable")
				}
				return nil
			}}
			m, err := mailer.New(env.Store.Deliveries, sender, mailer.Config{PublicURL: "http://127.0.0.1:3000", Now: clock.Now, SettleWait: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			const people = 30
			ids := map[string]string{}
			for i := range people {
				email := fmt.Sprintf("p%02d@example.com", i)
				c, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: email, Name: "P", Role: "member"})
				if err != nil {
					t.Fatal(err)
				}
				ids[email] = c.Invitation.ID
			}
			env.Inject(dynamotest.Every(4, fault))
			for range 6 {
				_, _ = m.Sweep(context.Background(), 10) // errors are expected while DynamoDB fails
				clock.Add(3 * time.Hour)
			}
			env.Inject(nil)
			sender.fail = nil
			for range 4 {
				if _, err := m.Sweep(context.Background(), 25); err != nil {
					t.Fatalf("sweep after the faults: %v", err)
				}
				clock.Add(3 * time.Hour)
			}
			sent := map[string]int{}
			for _, msg := range sender.messages() {
				sent[msg.To]++
			}
			for email, id := range ids {
				if sent[email] != 1 {
					t.Errorf("%s was sent %d emails, want 1", email, sent[email])
				}
				inv, err := env.Store.Deliveries.GetInvitation(context.Background(), "acme", id)
				if err != nil {
					t.Fatal(err)
				}
				if inv.Delivery.State != org.DeliverySent {
					t.Errorf("%s: delivery %+v, want sent", email, inv.Delivery)
				}
			}
			problems, err := env.Store.Verify(context.Background(), "acme", clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

// TestAnEmailWhoseSendTimedOutIsNeverLost: SES accepted the email but its answer never came
// (a timeout after acceptance). SES has no idempotency key, so the mailer cannot tell this
// from a send that failed: it sends again, and the email may arrive twice — never zero times.
func TestAnEmailWhoseSendTimedOutIsNeverLost(t *testing.T) {
	f := newFixture(t, 0)
	accepted := 0
	f.sender.fail = func(n int, m mailer.Message) error {
		if n == 1 {
			accepted++ // SES took it; the answer is lost
			return context.DeadlineExceeded
		}
		return nil
	}
	inv := f.invite(t, "grace@example.com")
	f.sweep(t)
	f.clock.Add(3 * time.Hour)
	f.sweep(t)
	if got := f.get(t, inv.ID); got.Delivery.State != org.DeliverySent {
		t.Fatalf("delivery %+v, want sent", got.Delivery)
	}
	if n := accepted + len(f.sender.messages()); n != 2 {
		t.Errorf("SES took the email %d times, want 2 (once lost in the timeout, once retried)", n)
	}
}

// TestTheRecordOfASentEmailOutlastsAnOutage: right after SES took the email, DynamoDB fails
// twenty writes in a row, more than one write's own retries. The mailer keeps trying to
// record the send instead of giving up, so the email is never sent again.
func TestTheRecordOfASentEmailOutlastsAnOutage(t *testing.T) {
	for _, fault := range []dynamotest.Fault{dynamotest.Throttle, dynamotest.ServerError, dynamotest.Refuse, dynamotest.ResetAfter} {
		t.Run(fault.String(), func(t *testing.T) {
			env := dynamotest.New(t)
			clock := orgtest.NewClock()
			svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
			admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
			sender := &fakeSender{fail: func(n int, _ mailer.Message) error {
				if n == 1 {
					env.Inject(dynamotest.First(20, fault, "TransactWriteItems", "UpdateItem", "PutItem"))
				}
				return nil
			}}
			m, err := mailer.New(env.Store.Deliveries, sender, mailer.Config{PublicURL: "http://127.0.0.1:3000", Now: clock.Now, SettleWait: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			c, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: "grace@example.com", Name: "Grace", Role: "member"})
			if err != nil {
				t.Fatal(err)
			}
			_, _ = m.Sweep(context.Background(), 10)
			env.Inject(nil)
			for range 3 {
				clock.Add(time.Hour) // well past any lease
				if _, err := m.Sweep(context.Background(), 10); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(sender.messages()); n != 1 {
				t.Errorf("%d emails sent, want 1", n)
			}
			inv, err := env.Store.Deliveries.GetInvitation(context.Background(), "acme", c.Invitation.ID)
			if err != nil || inv.Delivery.State != org.DeliverySent {
				t.Errorf("delivery %+v, %v; want sent", inv.Delivery, err)
			}
		})
	}
}
