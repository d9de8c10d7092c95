package ses

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/mailer"
)

func TestNewValidatesFrom(t *testing.T) {
	tests := []struct {
		from    string
		wantErr string // in the error; empty for none
	}{
		{from: "invites@acme.com"},
		{from: "Gatehouse <invites@acme.com>"},
		{from: `"Acme, Inc." <invites@acme.com>`},
		{from: "", wantErr: "From is empty"},
		{from: "   ", wantErr: "From is empty"},
		{from: "invites", wantErr: `From "invites" is not an email address`},
		{from: "Gatehouse <invites@acme.com", wantErr: "is not an email address"},
		{from: "a@acme.com, b@acme.com", wantErr: "is not an email address"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			_, err := New(&fakeAPI{}, Config{From: tt.from})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("New error = %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewNeedsClient(t *testing.T) {
	if _, err := New(nil, Config{From: "invites@acme.com"}); err == nil {
		t.Fatal("New(nil, ...) succeeded, want an error")
	}
}

// sent is what a SendEmail input asks SES for, in comparable form.
type sent struct {
	From, ConfigurationSet string
	To, CC, BCC            []string
	Subject, HTML, Text    string
	Charsets               []string
}

// sentOf flattens in; it fails the test when in is not simple content.
func sentOf(t *testing.T, in *sesv2.SendEmailInput) sent {
	t.Helper()
	if in.Content == nil || in.Content.Simple == nil || in.Content.Simple.Body == nil ||
		in.Content.Simple.Subject == nil || in.Content.Simple.Body.Html == nil || in.Content.Simple.Body.Text == nil {
		t.Fatalf("SendEmail input lacks simple content with subject, HTML and text: %+v", in.Content)
	}
	msg := in.Content.Simple
	var dest types.Destination
	if in.Destination != nil {
		dest = *in.Destination
	}
	return sent{
		From:             aws.ToString(in.FromEmailAddress),
		ConfigurationSet: aws.ToString(in.ConfigurationSetName),
		To:               dest.ToAddresses, CC: dest.CcAddresses, BCC: dest.BccAddresses,
		Subject: aws.ToString(msg.Subject.Data),
		HTML:    aws.ToString(msg.Body.Html.Data),
		Text:    aws.ToString(msg.Body.Text.Data),
		Charsets: []string{
			aws.ToString(msg.Subject.Charset), aws.ToString(msg.Body.Html.Charset), aws.ToString(msg.Body.Text.Charset),
		},
	}
}

func TestSendBuildsSimpleEmail(t *testing.T) {
	m := message(nil)
	subject, htmlBody, textBody := render(t, m)
	utf8 := []string{"UTF-8", "UTF-8", "UTF-8"}
	tests := []struct {
		name string
		cfg  Config
		want sent
	}{
		{
			name: "without configuration set",
			cfg:  Config{From: "Gatehouse <invites@acme.com>"},
			want: sent{From: "Gatehouse <invites@acme.com>", To: []string{m.To}, Subject: subject, HTML: htmlBody, Text: textBody, Charsets: utf8},
		},
		{
			name: "with configuration set",
			cfg:  Config{From: "invites@acme.com", ConfigurationSet: "gatehouse-invitations"},
			want: sent{From: "invites@acme.com", ConfigurationSet: "gatehouse-invitations", To: []string{m.To}, Subject: subject, HTML: htmlBody, Text: textBody, Charsets: utf8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{out: &sesv2.SendEmailOutput{MessageId: aws.String("0100-abc")}}
			id, err := newSender(t, api, tt.cfg).Send(t.Context(), m)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if id != "0100-abc" {
				t.Errorf("Send id = %q, want %q", id, "0100-abc")
			}
			if len(api.calls) != 1 {
				t.Fatalf("SendEmail called %d times, want once", len(api.calls))
			}
			if diff := cmp.Diff(tt.want, sentOf(t, api.calls[0])); diff != "" {
				t.Errorf("SendEmail input mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendRejectsUnsendableMessages(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mailer.Message)
	}{
		{name: "empty recipient", edit: func(m *mailer.Message) { m.To = "" }},
		{name: "recipient not an address", edit: func(m *mailer.Message) { m.To = "grace" }},
		{name: "recipient with a display name", edit: func(m *mailer.Message) { m.To = "Grace <grace@example.com>" }},
		{name: "several recipients", edit: func(m *mailer.Message) { m.To = "grace@example.com, evil@x.io" }},
		{name: "recipient with a line break", edit: func(m *mailer.Message) { m.To = "grace@example.com\r\nBcc: evil@x.io" }},
		{name: "javascript accept URL", edit: func(m *mailer.Message) { m.AcceptURL = "javascript:alert(1)" }},
		{name: "no organization", edit: func(m *mailer.Message) { m.OrgName = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{out: &sesv2.SendEmailOutput{MessageId: aws.String("0100-abc")}}
			_, err := newSender(t, api, Config{From: "invites@acme.com"}).Send(t.Context(), message(tt.edit))
			if !errors.Is(err, mailer.ErrRejected) {
				t.Errorf("Send error = %v, want one wrapping ErrRejected", err)
			}
			if len(api.calls) != 0 {
				t.Errorf("SendEmail called %d times, want never", len(api.calls))
			}
		})
	}
}

func TestSendWithoutMessageID(t *testing.T) {
	_, err := newSender(t, &fakeAPI{out: &sesv2.SendEmailOutput{}}, Config{From: "invites@acme.com"}).Send(t.Context(), message(nil))
	if err == nil {
		t.Fatal("Send succeeded without a message id, want an error")
	}
	if errors.Is(err, mailer.ErrRejected) || errors.Is(err, mailer.ErrThrottled) {
		t.Errorf("Send error = %v, want neither sentinel", err)
	}
}

func TestSendNoticeIsPlainTextWithoutTags(t *testing.T) {
	api := &fakeAPI{out: &sesv2.SendEmailOutput{MessageId: aws.String("0100-notice")}}
	s := newSender(t, api, Config{From: "Gatehouse <invites@acme.com>", ConfigurationSet: "gatehouse-invitations"})
	id, err := s.SendNotice(t.Context(), "owner@acme.com", "Webhook\r\nBcc: evil@x.io disabled", "Body text")
	if err != nil || id != "0100-notice" {
		t.Fatalf("SendNotice = %q, %v", id, err)
	}
	in := api.calls[0]
	msg := in.Content.Simple
	got := []string{aws.ToString(in.FromEmailAddress), aws.ToString(in.ConfigurationSetName), strings.Join(in.Destination.ToAddresses, ","),
		aws.ToString(msg.Subject.Data), aws.ToString(msg.Body.Text.Data)}
	want := []string{"Gatehouse <invites@acme.com>", "gatehouse-invitations", "owner@acme.com", "Webhook Bcc: evil@x.io disabled", "Body text"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notice (-want +got):\n%s", diff)
	}
	if msg.Body.Html != nil || len(in.EmailTags) != 0 {
		t.Errorf("notice has HTML %v or tags %v, want plain text without invitation tags", msg.Body.Html, in.EmailTags)
	}
	for _, bad := range []struct{ to, subject, text string }{
		{"", "s", "t"}, {"Owner <owner@acme.com>", "s", "t"}, {"a@acme.com, b@acme.com", "s", "t"},
		{"owner@acme.com\r\nBcc: evil@x.io", "s", "t"}, {"owner@acme.com", " \r\n", "t"}, {"owner@acme.com", "s", ""},
	} {
		if _, err := s.SendNotice(t.Context(), bad.to, bad.subject, bad.text); !errors.Is(err, mailer.ErrRejected) {
			t.Errorf("SendNotice(%q, %q, %q) = %v, want ErrRejected", bad.to, bad.subject, bad.text, err)
		}
	}
	if len(api.calls) != 1 {
		t.Errorf("SendEmail called %d times, want once", len(api.calls))
	}
}
