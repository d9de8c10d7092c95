package ses_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/mailer"
	"gatehouse/internal/ses"
	"gatehouse/internal/ses/sestest"
)

// TestSendThroughSESLocal sends an invitation through a real SES v2 client to
// aws-ses-v2-local and reads it back from the emulator's store.
func TestSendThroughSESLocal(t *testing.T) {
	endpoint := sestest.Start(t)
	sender, err := ses.New(sestest.NewClient(t, endpoint), ses.Config{
		From:             "Gatehouse <invites@acme.com>",
		ConfigurationSet: "gatehouse-invitations",
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	m := mailer.Message{
		To:          "grace@example.com",
		InviteeName: "Grace Hopper",
		InviterName: "Ada Lovelace\r\nBcc: evil@x.io",
		OrgName:     "Acme <Labs>",
		Role:        "admin",
		AcceptURL:   "https://app.example.com/invitations/accept?token=abc123",
		ExpiresAt:   time.Date(2026, time.December, 2, 12, 0, 0, 0, time.UTC),
	}

	id, err := sender.Send(t.Context(), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	emails := sestest.Store(t, endpoint)
	if len(emails) != 1 {
		t.Fatalf("emulator holds %d emails, want 1: %+v", len(emails), emails)
	}
	got := emails[0]
	want := sestest.Email{
		MessageID: id,
		From:      "Gatehouse <invites@acme.com>",
		To:        []string{"grace@example.com"},
		CC:        []string{},
		BCC:       []string{},
		ReplyTo:   []string{},
		Subject:   "Ada Lovelace Bcc: evil@x.io invited you to join Acme <Labs>",
	}
	ignoreBodies := func(e sestest.Email) sestest.Email { e.HTML, e.Text, e.At = "", "", time.Time{}; return e }
	if diff := cmp.Diff(want, ignoreBodies(got)); diff != "" {
		t.Errorf("stored email mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []string{`href="` + m.AcceptURL + `"`, "Acme &lt;Labs&gt;", "Wednesday, 2 December 2026 at 12:00 UTC"} {
		if !strings.Contains(got.HTML, s) {
			t.Errorf("stored HTML lacks %q:\n%s", s, got.HTML)
		}
	}
	if !strings.Contains(got.Text, "\n"+m.AcceptURL+"\n") {
		t.Errorf("stored text lacks the accept URL on its own line:\n%s", got.Text)
	}
	if got.At.IsZero() {
		t.Error("stored email has no time")
	}
}
