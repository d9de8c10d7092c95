package mailer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/mailer"
	"gatehouse/internal/metrics/metricstest"
)

func TestMetricsSayWhatBecameOfEachEmail(t *testing.T) {
	f := newFixture(t, 0)
	rec := metricstest.New(t)
	m, err := mailer.New(f.store, f.sender, mailer.Config{PublicURL: "http://127.0.0.1:3000", Now: f.clock.Now, Metrics: rec})
	if err != nil {
		t.Fatal(err)
	}
	throttled := true
	f.sender.fail = func(_ int, msg mailer.Message) error {
		switch {
		case msg.To == "rejected@example.com":
			return fmt.Errorf("MessageRejected: %w", mailer.ErrRejected)
		case msg.To == "later@example.com" && throttled:
			return fmt.Errorf("throttled: %w", mailer.ErrThrottled)
		}
		return nil
	}
	sent := f.invite(t, "sent@example.com")
	f.invite(t, "rejected@example.com")
	f.invite(t, "later@example.com")
	ctx := context.Background()
	sweep := func() {
		t.Helper()
		if _, err := m.Sweep(ctx, 25); err != nil {
			t.Fatal(err)
		}
	}

	f.clock.Add(2 * time.Minute) // queued two minutes before the first sweep
	sweep()
	counts := func() map[string]float64 {
		out := map[string]float64{}
		for _, name := range []string{"EmailsSent", "EmailsDeferred", "EmailsFailed", "EmailsBounced", "EmailsComplained"} {
			out[name] = rec.Sum(name)
		}
		return out
	}
	want := map[string]float64{"EmailsSent": 1, "EmailsDeferred": 1, "EmailsFailed": 1, "EmailsBounced": 0, "EmailsComplained": 0}
	if diff := cmp.Diff(want, counts()); diff != "" {
		t.Errorf("after the first sweep mismatch (-want +got):\n%s", diff)
	}

	throttled = false
	f.clock.Add(time.Hour)
	sweep()
	sweep() // nothing left: the backlog's age is 0
	want["EmailsSent"] = 2
	if diff := cmp.Diff(want, counts()); diff != "" {
		t.Errorf("after the retry mismatch (-want +got):\n%s", diff)
	}
	ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) }
	if diff := cmp.Diff([]float64{ms(2 * time.Minute), ms(time.Hour + 2*time.Minute)}, values(rec, "EmailSendLatency")); diff != "" {
		t.Errorf("send latencies mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{ms(2 * time.Minute), ms(time.Hour + 2*time.Minute), 0}, values(rec, "OutboxAge")); diff != "" {
		t.Errorf("outbox ages mismatch (-want +got):\n%s", diff)
	}

	// News from SES after sending: counted once, when recorded.
	got := f.get(t, sent.ID)
	bounce := mailer.Feedback{Kind: mailer.FeedbackBounce, OrgID: "acme", InvitationID: sent.ID, MessageID: got.Delivery.MessageID, At: f.clock.Now(), Reason: "550 user unknown"}
	for range 2 {
		if _, err := m.RecordFeedback(ctx, bounce); err != nil {
			t.Fatal(err)
		}
	}
	complaint := bounce
	complaint.Kind = mailer.FeedbackComplaint
	if _, err := m.RecordFeedback(ctx, complaint); err != nil {
		t.Fatal(err)
	}
	want["EmailsBounced"], want["EmailsComplained"] = 1, 1
	if diff := cmp.Diff(want, counts()); diff != "" {
		t.Errorf("after feedback mismatch (-want +got):\n%s", diff)
	}
	for _, r := range rec.Records() {
		if len(r.Dims) != 0 {
			t.Errorf("the mailer's metrics carry no dimensions of their own: %v", r)
		}
	}
}

// values are the values of name, in the order recorded.
func values(rec *metricstest.Recorder, name string) []float64 {
	var out []float64
	for _, r := range rec.Matching(name) {
		if r.Unit != "Milliseconds" {
			return nil
		}
		out = append(out, r.Value)
	}
	return out
}
