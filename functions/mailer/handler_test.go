package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// recordingSender stands in for SES.
type recordingSender struct {
	mu   sync.Mutex
	sent []mailer.Message
}

func (r *recordingSender) Send(_ context.Context, m mailer.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return "msg", nil
}

func loadEvent(t *testing.T, name string) json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newMailerFixture is a mailer over a fresh table holding organization demo and one queued
// invitation.
func newMailerFixture(t *testing.T) (*mailer.Mailer, *recordingSender, org.Invitation) {
	t.Helper()
	env := dynamotest.New(t)
	svc := org.NewService(env.Store.Org())
	ctx := context.Background()
	admin, _ := orgtest.Seed(t, svc, "demo", "Demo")
	c, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "grace@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	sender := &recordingSender{}
	m, err := mailer.New(env.Store.Deliveries, sender, mailer.Config{PublicURL: "https://gatehouse.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return m, sender, c.Invitation
}

func TestStreamRecordsAreDelivered(t *testing.T) {
	m, sender, inv := newMailerFixture(t)
	h := newHandler(m, quiet)
	raw := loadEvent(t, "mailer-stream-outbox.json")
	// As recorded: it names an invitation this table does not hold; nothing to send, and
	// nothing to retry either.
	out, err := h(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if res := out.(events.DynamoDBEventResponse); len(res.BatchItemFailures) != 0 || len(sender.sent) != 0 {
		t.Errorf("unknown entry: failures %v, sent %d", res.BatchItemFailures, len(sender.sent))
	}
	// The same record for the queued invitation sends its email.
	ours := json.RawMessage(strings.ReplaceAll(string(raw), "inv_01JDQ3W9V7K2M4N6P8R0S2T4V6", inv.ID))
	out, err = h(context.Background(), ours)
	if err != nil {
		t.Fatal(err)
	}
	if res := out.(events.DynamoDBEventResponse); len(res.BatchItemFailures) != 0 || len(sender.sent) != 1 || sender.sent[0].To != "grace@example.com" {
		t.Errorf("queued entry: failures %v, sent %+v", res.BatchItemFailures, sender.sent)
	}
	// Delivered again (streams deliver at least once): nothing more is sent.
	if _, err := h(context.Background(), ours); err != nil || len(sender.sent) != 1 {
		t.Errorf("redelivered record: %v, sent %d", err, len(sender.sent))
	}
}

// failingDeliverer fails every delivery, as when the table cannot be reached.
type failingDeliverer struct{}

func (failingDeliverer) DeliverEach(_ context.Context, jobs []mailer.Job, done func(int, mailer.Outcome, error)) {
	for i := range jobs {
		done(i, mailer.OutcomeSkipped, errors.New("table unreachable"))
	}
}

func (failingDeliverer) Sweep(context.Context, int) (mailer.Stats, error) {
	return nil, errors.New("table unreachable")
}

func (failingDeliverer) RecordFeedback(context.Context, mailer.Feedback) (mailer.Outcome, error) {
	return mailer.OutcomeSkipped, errors.New("table unreachable")
}

func TestBouncesShowOnTheirInvitation(t *testing.T) {
	m, _, inv := newMailerFixture(t)
	h := newHandler(m, quiet)
	raw := loadEvent(t, "mailer-ses-bounce.json")
	answer := func(event string) mailer.Outcome {
		t.Helper()
		out, err := h(context.Background(), json.RawMessage(event))
		if err != nil {
			t.Fatal(err)
		}
		return out.(feedbackAnswer).Outcome
	}
	// As recorded it names an invitation this table does not hold: ignored.
	if o := answer(string(raw)); o != mailer.OutcomeIgnored {
		t.Errorf("unknown invitation: %s", o)
	}
	if _, err := m.Deliver(context.Background(), inv.OrgID, inv.ID); err != nil {
		t.Fatal(err)
	}
	ours := strings.ReplaceAll(string(raw), "inv_01JDQ3W9V7K2M4N6P8R0S2T4V6", inv.ID)
	// A bounce of another email (one a resend replaced) changes nothing.
	if o := answer(ours); o != mailer.OutcomeIgnored {
		t.Errorf("bounce of another email: %s", o)
	}
	ours = strings.ReplaceAll(ours, "0100019abc7e3a10-8f2b4c1d-9e7a-4b3c-a2d1-6f5e4d3c2b1a-000000", "msg")
	if o := answer(ours); o != mailer.OutcomeRecorded {
		t.Fatalf("bounce of the invitation's email: %s", o)
	}
	if o := answer(ours); o != mailer.OutcomeIgnored {
		t.Errorf("the same bounce delivered again: %s, want ignored", o)
	}
	// Other applications' mail in the account (no tags) is not ours.
	if o := answer(strings.ReplaceAll(ours, `"gatehouse-org"`, `"other-app"`)); o != mailer.OutcomeIgnored {
		t.Errorf("untagged email: %s", o)
	}
	if _, err := newHandler(failingDeliverer{}, quiet)(context.Background(), json.RawMessage(ours)); err == nil {
		t.Error("a store failure on feedback was not returned for EventBridge to retry")
	}
}

func TestFailedRecordsAreReportedForRetry(t *testing.T) {
	h := newHandler(failingDeliverer{}, quiet)
	out, err := h(context.Background(), loadEvent(t, "mailer-stream-outbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	res := out.(events.DynamoDBEventResponse)
	if len(res.BatchItemFailures) != 1 || res.BatchItemFailures[0].ItemIdentifier != "4421584500000000017450439091" {
		t.Errorf("batch failures = %+v", res.BatchItemFailures)
	}
	if _, err := h(context.Background(), loadEvent(t, "mailer-schedule.json")); err == nil {
		t.Error("a failing sweep reported success")
	}
}

func TestTheScheduleSweepsTheOutbox(t *testing.T) {
	m, sender, _ := newMailerFixture(t)
	out, err := newHandler(m, quiet)(context.Background(), loadEvent(t, "mailer-schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s := out.(summary); s.Outcomes[mailer.OutcomeSent] != 1 || len(sender.sent) != 1 {
		t.Errorf("sweep = %+v, sent %d", s, len(sender.sent))
	}
}

func TestUnknownEventsAreRefused(t *testing.T) {
	if _, err := newHandler(failingDeliverer{}, quiet)(context.Background(), json.RawMessage(`{"hello":"world"}`)); err == nil {
		t.Error("an unknown event was accepted")
	}
}
