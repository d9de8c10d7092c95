package ses_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/mailer"
	"gatehouse/internal/ses"
)

func TestParseFeedback(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "mailer-ses-bounce.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	got, err := ses.ParseFeedback(ev.DetailType, ev.Detail)
	if err != nil {
		t.Fatal(err)
	}
	want := mailer.Feedback{
		Kind: mailer.FeedbackBounce, OrgID: "demo", InvitationID: "inv_01JDQ3W9V7K2M4N6P8R0S2T4V6",
		MessageID: "0100019abc7e3a10-8f2b4c1d-9e7a-4b3c-a2d1-6f5e4d3c2b1a-000000",
		At:        time.Date(2026, 11, 25, 12, 0, 5, 512e6, time.UTC),
		Reason:    "the recipient's mail server refused it (permanent bounce: General): smtp; 550 5.1.1 <new.hire@demo.example>: Recipient address rejected: User unknown",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("bounce mismatch (-want +got):\n%s", d)
	}

	complaint := `{"eventType":"Complaint","complaint":{"complaintFeedbackType":"abuse","timestamp":"2026-11-26T08:00:00Z"},
		"mail":{"messageId":"m-1","timestamp":"2026-11-25T12:00:00Z","tags":{"gatehouse-org":["acme"],"gatehouse-invitation":["inv_1"]}}}`
	got, err = ses.ParseFeedback(ses.DetailComplaint, json.RawMessage(complaint))
	if err != nil || got.Kind != mailer.FeedbackComplaint || got.Reason != "the recipient marked it as spam (abuse)" || got.InvitationID != "inv_1" {
		t.Errorf("complaint = %+v, %v", got, err)
	}

	untagged := strings.ReplaceAll(string(ev.Detail), "gatehouse-", "other-")
	if _, err := ses.ParseFeedback(ev.DetailType, json.RawMessage(untagged)); !errors.Is(err, ses.ErrNotInvitation) {
		t.Errorf("untagged email: %v, want ErrNotInvitation", err)
	}
	if _, err := ses.ParseFeedback("Email Delivered", ev.Detail); err == nil {
		t.Error("a delivery event was read as feedback")
	}
	if _, err := ses.ParseFeedback(ev.DetailType, json.RawMessage(`{`)); err == nil {
		t.Error("broken JSON was read")
	}
}
