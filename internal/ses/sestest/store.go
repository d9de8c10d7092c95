package sestest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// Email is one email the emulator accepted, as GET /store lists it.
type Email struct {
	MessageID string
	From      string
	To        []string
	CC        []string
	BCC       []string
	ReplyTo   []string
	Subject   string
	HTML      string
	Text      string
	At        time.Time // when the emulator accepted it, to the second
}

// storedEmail is an email in the emulator's GET /store answer.
type storedEmail struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		CC  []string `json:"cc"`
		BCC []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	At int64 `json:"at"` // Unix seconds
}

// Store returns every email the emulator at endpoint has accepted, oldest first.
func Store(tb testing.TB, endpoint string) []Email {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/store", nil)
	if err != nil {
		tb.Fatalf("aws-ses-v2-local store request: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("GET %s/store: %v", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read %s/store: %v", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s/store: %s: %s", endpoint, resp.Status, body)
	}
	var store struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := json.Unmarshal(body, &store); err != nil {
		tb.Fatalf("decode %s/store: %v: %s", endpoint, err, body)
	}
	emails := make([]Email, 0, len(store.Emails))
	for _, e := range store.Emails {
		emails = append(emails, Email{
			MessageID: e.MessageID,
			From:      e.From,
			To:        e.Destination.To,
			CC:        e.Destination.CC,
			BCC:       e.Destination.BCC,
			ReplyTo:   e.ReplyTo,
			Subject:   e.Subject,
			HTML:      e.Body.HTML,
			Text:      e.Body.Text,
			At:        time.Unix(e.At, 0).UTC(),
		})
	}
	return emails
}
