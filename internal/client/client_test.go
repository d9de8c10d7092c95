package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// fakeAPI answers each request with the next of answers, recording what it was sent.
type fakeAPI struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter, r *http.Request)
	keys    []string
	paths   []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.keys = append(f.keys, r.Header.Get("Idempotency-Key"))
	f.paths = append(f.paths, r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer ghk_test" {
		f.mu.Unlock()
		http.Error(w, "no token", http.StatusUnauthorized)
		return
	}
	if len(f.answers) == 0 {
		f.mu.Unlock()
		http.Error(w, "no more answers", http.StatusTeapot)
		return
	}
	next := f.answers[0]
	f.answers = f.answers[1:]
	f.mu.Unlock()
	next(w, r)
}

func problem(status int, code string, retryAfter string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"type":"urn:gatehouse:problem:%s","status":%d,"code":%q,"detail":"the detail of %s","requestId":"req-1"}`, code, status, code, code)
	}
}

func answer(body any) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}
}

// newTestClient returns a client of f that records its waits instead of sleeping.
func newTestClient(t *testing.T, f *fakeAPI) (*Client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL + "/api/v1/", Token: "ghk_test\n"})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, &waits
}

func bulkOf(emails ...string) view.Bulk {
	b := view.Bulk{Summary: map[string]int{"created": len(emails)}}
	for i, e := range emails {
		b.Results = append(b.Results, view.BulkResult{Index: i, Email: e, Status: "created", Invitation: &view.Invitation{ID: "inv_" + e}})
	}
	return b
}

func TestRetriesHonourRetryAfterWithTheSameKey(t *testing.T) {
	f := &fakeAPI{answers: []func(http.ResponseWriter, *http.Request){
		problem(503, "temporarily_unavailable", "3"),
		problem(429, "rate_limited", ""),
		problem(409, "idempotency_in_progress", "1"),
		problem(503, "outcome_unknown", "1"),
		answer(bulkOf("a@example.com")),
	}}
	c, waits := newTestClient(t, f)
	got, err := c.BulkInvite(context.Background(), "key-1", []org.InviteRequest{{Email: "a@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Results[0].Invitation.ID != "inv_a@example.com" {
		t.Errorf("answer = %+v", got)
	}
	if diff := cmp.Diff([]string{"key-1", "key-1", "key-1", "key-1", "key-1"}, f.keys); diff != "" {
		t.Errorf("keys sent mismatch (-want +got):\n%s", diff)
	}
	if len(*waits) != 4 || (*waits)[0] < 3*time.Second || (*waits)[2] < time.Second {
		t.Errorf("waits = %v; want 4, the first at least the 3 s of Retry-After", *waits)
	}
	if f.paths[0] != "/api/v1/invitations/bulk" {
		t.Errorf("path = %q (the base URL's /api/v1 is not doubled)", f.paths[0])
	}
}

func TestGivesUpAfterItsAttemptsAndOnLongWaits(t *testing.T) {
	f := &fakeAPI{}
	for range 6 {
		f.answers = append(f.answers, problem(503, "outcome_unknown", "1"))
	}
	c, waits := newTestClient(t, f)
	_, err := c.BulkInvite(context.Background(), "k", []org.InviteRequest{{Email: "a@example.com"}})
	var p *Problem
	if !errors.As(err, &p) || p.Code != "outcome_unknown" || len(f.keys) != 6 || len(*waits) != 5 {
		t.Errorf("err = %v after %d tries and %d waits; want outcome_unknown after 6 tries", err, len(f.keys), len(*waits))
	}
	want := "bulk invite: outcome_unknown: the detail of outcome_unknown (request id req-1)"
	if err.Error() != want {
		t.Errorf("error reads %q, want %q", err, want)
	}

	// An answer asking to wait an hour is given back at once.
	f = &fakeAPI{answers: []func(http.ResponseWriter, *http.Request){problem(429, "rate_limited", "3600")}}
	c, waits = newTestClient(t, f)
	_, err = c.ResendInvitation(context.Background(), "inv_1")
	if !errors.As(err, &p) || p.RetryAfter != time.Hour || len(*waits) != 0 {
		t.Errorf("err = %v, waits %v; want rate_limited with an hour to wait, not waited for", err, *waits)
	}
	if !strings.HasPrefix(f.keys[0], "cli-") {
		t.Errorf("resend sent key %q; want a fresh cli- key", f.keys[0])
	}
}

func TestProblemsAreNotRetriedUnlessTheySaySo(t *testing.T) {
	f := &fakeAPI{answers: []func(http.ResponseWriter, *http.Request){problem(404, "not_found", "")}}
	c, waits := newTestClient(t, f)
	_, err := c.RevokeInvitation(context.Background(), "inv_nope")
	if err == nil || err.Error() != "revoke invitation inv_nope: not_found: the detail of not_found" || len(*waits) != 0 {
		t.Errorf("err = %v, waits %v", err, *waits)
	}
}

func TestAnswersThatAreNotTheAPIsSayWhatTheyHold(t *testing.T) {
	f := &fakeAPI{answers: []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html>\n<body>Not   here</body></html>")
	}}}
	c, _ := newTestClient(t, f)
	_, err := c.RevokeInvitation(context.Background(), "inv_1")
	want := `revoke invitation inv_1: 404 Not Found: the answer is not the API's (text/html: "<html> <body>Not here</body></html>"); check the API address`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

func TestListsFollowEveryCursor(t *testing.T) {
	f := &fakeAPI{answers: []func(http.ResponseWriter, *http.Request){
		answer(view.List[view.Member]{Items: []view.Member{{ID: "usr_1"}, {ID: "usr_2"}}, NextCursor: "c1"}),
		answer(view.List[view.Member]{Items: []view.Member{{ID: "usr_3"}}, NextCursor: "c2"}),
		answer(view.List[view.Member]{Items: []view.Member{}}),
	}}
	c, _ := newTestClient(t, f)
	var ids []string
	for m, err := range c.Members(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if diff := cmp.Diff([]string{"usr_1", "usr_2", "usr_3"}, ids); diff != "" {
		t.Errorf("members mismatch (-want +got):\n%s", diff)
	}
	want := []string{"/api/v1/users?limit=100", "/api/v1/users?cursor=c1&limit=100", "/api/v1/users?cursor=c2&limit=100"}
	if diff := cmp.Diff(want, f.paths); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}

	// A cursor answered twice would loop for ever: it ends the list with an error.
	f = &fakeAPI{answers: []func(http.ResponseWriter, *http.Request){
		answer(view.List[view.Member]{Items: []view.Member{{ID: "usr_1"}}, NextCursor: "c1"}),
		answer(view.List[view.Member]{Items: []view.Member{{ID: "usr_2"}}, NextCursor: "c1"}),
	}}
	c, _ = newTestClient(t, f)
	var last error
	for _, err := range c.Members(context.Background()) {
		last = err
	}
	if last == nil || !strings.Contains(last.Error(), "page 2: the API answered the same cursor again") {
		t.Errorf("err = %v", last)
	}
}

func TestConnectionsLostAreRetried(t *testing.T) {
	drops := 2
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		drop := drops > 0
		drops--
		mu.Unlock()
		if drop {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		answer(view.Invitation{ID: "inv_1", Status: "revoked"})(w, r)
	}))
	t.Cleanup(srv.Close)
	var heard []Retried
	c, err := New(Config{URL: srv.URL, Token: "ghk_test", Retrying: func(r Retried) { heard = append(heard, r) }})
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = func(context.Context, time.Duration) error { return nil }
	inv, err := c.RevokeInvitation(context.Background(), "inv_1")
	if err != nil || inv.Status != "revoked" || len(heard) != 2 {
		t.Errorf("revoke = %+v, %v after %d retries; want revoked after 2", inv, err, len(heard))
	}
}

func TestNewChecksItsConfiguration(t *testing.T) {
	tests := []struct {
		url, token, want string
	}{
		{"", "ghk_x", "no API address: set GATEHOUSE_API or pass --api"},
		{"ftp://example.com", "ghk_x", `API address "ftp://example.com" must be an http or https URL`},
		{"example.com", "ghk_x", `API address "example.com" must be an http or https URL`},
		{"https://example.com", " \n", "no API token: set GATEHOUSE_TOKEN or pass --token-file"},
		{"https://example.com", "ghk_a ghk_b", "the API token holds spaces or line breaks"},
	}
	for _, tt := range tests {
		_, err := New(Config{URL: tt.url, Token: tt.token})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("New(%q, %q) = %v; want %q…", tt.url, tt.token, err, tt.want)
		}
	}
	c, err := New(Config{URL: "https://abc.execute-api.eu-west-1.amazonaws.com/Prod/", Token: "ghk_x"})
	if err != nil || c.base != "https://abc.execute-api.eu-west-1.amazonaws.com/Prod" {
		t.Errorf("base = %v, %v", c, err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"": 0, "7": 7 * time.Second, "soon": 0, "-3": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}
