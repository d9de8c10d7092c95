package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/hooks"
	"gatehouse/internal/mailer"
	"gatehouse/internal/webhook"
)

// receiver is a webhook endpoint on 127.0.0.1 that checks every request as the Standard
// Webhooks specification says a receiver does, and keeps what it got.
type receiver struct {
	t       *testing.T
	url     string
	mu      sync.Mutex
	secrets []string
	got     []received
	answer  func(n int) int // the status to answer the nth request with (from 1)
	delay   time.Duration
}

type received struct {
	id, eventType string
	data          map[string]any
	verified      bool
	// verifiedBy says which trusted secrets verify the request, each checked alone (as a
	// receiver knowing only that one would); signatures counts the webhook-signature's entries.
	verifiedBy map[string]bool
	signatures int
}

func newReceiver(t *testing.T) *receiver {
	rv := &receiver{t: t, answer: func(int) int { return http.StatusNoContent }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		secrets := append([]string(nil), rv.secrets...)
		n := len(rv.got) + 1
		rv.mu.Unlock()
		verified, by := false, map[string]bool{}
		for _, secret := range secrets {
			wh, err := standardwebhooks.NewWebhook(secret)
			// The fake clock of the tests is days away from the real one: the timestamp is
			// checked apart from the signature.
			if err == nil && wh.VerifyIgnoringTimestamp(body, r.Header) == nil {
				verified, by[secret] = true, true
			}
		}
		var payload struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		_ = json.Unmarshal(body, &payload)
		if problem := eventMismatch(t, r.Header, body); problem != "" {
			t.Errorf("webhook event %s is not one openapi.json describes: %s\n%.600s", payload.Type, problem, body)
		}
		rv.mu.Lock()
		rv.got = append(rv.got, received{id: r.Header.Get("webhook-id"), eventType: payload.Type, data: payload.Data, verified: verified,
			verifiedBy: by, signatures: len(strings.Fields(r.Header.Get("webhook-signature")))})
		rv.mu.Unlock()
		time.Sleep(rv.delay)
		w.WriteHeader(rv.answer(n))
	}))
	t.Cleanup(srv.Close)
	rv.url = srv.URL
	return rv
}

func (rv *receiver) trust(secret string) {
	rv.mu.Lock()
	rv.secrets = append(rv.secrets, secret)
	rv.mu.Unlock()
}

func (rv *receiver) events() []received {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]received(nil), rv.got...)
}

// sweep runs the dispatcher as the schedule does.
func (s *server) sweep(t *testing.T) hooks.Stats {
	t.Helper()
	stats, err := s.hooks.Sweep(context.Background())
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return stats
}

// endpoint creates an endpoint for events at rv, which is told its secret.
func (s *server) endpoint(t *testing.T, rv *receiver, events ...string) map[string]any {
	t.Helper()
	r := s.do(http.MethodPost, "/api/v1/webhooks", "acme/admin", map[string]any{"url": rv.url, "events": events, "description": "provisioning"})
	if r.status != http.StatusCreated || !strings.HasPrefix(r.body["secret"].(string), "whsec_") {
		t.Fatalf("create webhook: %d %s", r.status, r.raw)
	}
	rv.trust(r.body["secret"].(string))
	return r.body
}

func TestWebhooksAnnounceChangesSigned(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	ep := s.endpoint(t, rv, "*")
	secret := ep["secret"].(string)

	// The secret is in no answer after the one that made it.
	for _, path := range []string{"/api/v1/webhooks", "/api/v1/webhooks/" + ep["id"].(string)} {
		if r := s.do(http.MethodGet, path, "acme/admin", nil); strings.Contains(string(r.raw), secret) || r.status != http.StatusOK {
			t.Errorf("GET %s: %d, shows the secret: %v", path, r.status, strings.Contains(string(r.raw), secret))
		}
	}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/webhooks", "acme/member", map[string]any{"url": rv.url, "events": []string{"*"}}), http.StatusForbidden, "forbidden", "")

	// Real operations, each announced once, signed, with the resource as the API shows it.
	inv := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	id := inv.body["id"].(string)
	s.do(http.MethodPost, "/api/v1/invitations/"+id+"/resend", "acme/admin", nil)
	link := s.do(http.MethodPost, "/api/v1/invitations/"+id+"/resend", "acme/admin", nil).body["acceptToken"].(string)
	member := s.do(http.MethodPost, "/api/v1/invitations/accept", "", map[string]any{"token": link})
	memberID := member.body["id"].(string)
	s.do(http.MethodPatch, "/api/v1/users/"+memberID, "acme/admin", map[string]any{"role": "viewer"})
	s.do(http.MethodDelete, "/api/v1/users/"+memberID, "acme/admin", nil)
	s.do(http.MethodPost, "/api/v1/users/"+memberID+"/reactivate", "acme/admin", nil)
	bob := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "sendEmail": false})
	s.do(http.MethodDelete, "/api/v1/invitations/"+bob.body["id"].(string), "acme/admin", nil)
	s.sweep(t)

	want := []string{"invitation.created", "invitation.resent", "invitation.resent", "invitation.accepted", "member.role_changed",
		"member.deactivated", "member.reactivated", "invitation.created", "invitation.revoked"}
	got := rv.events()
	types := map[string]int{}
	ids := map[string]bool{}
	for _, ev := range got {
		types[ev.eventType]++
		if !ev.verified {
			t.Errorf("%s %s: the signature does not verify", ev.eventType, ev.id)
		}
		if ids[ev.id] {
			t.Errorf("webhook-id %s came twice", ev.id)
		}
		ids[ev.id] = true
		if ev.data["actor"] == nil || ev.data["source"] == nil {
			t.Errorf("%s has no actor or source: %v", ev.eventType, ev.data)
		}
		raw, _ := json.Marshal(ev.data)
		if strings.Contains(string(raw), "acceptToken") || strings.Contains(string(raw), "ghk_") || strings.Contains(string(raw), link) {
			t.Errorf("%s carries a token: %s", ev.eventType, raw)
		}
	}
	for _, w := range want {
		if types[w] == 0 {
			t.Errorf("no %s event (got %v)", w, types)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d events, want %d: %v", len(got), len(want), types)
	}
	for _, ev := range got {
		if ev.eventType == "member.role_changed" && (ev.data["role"] != "viewer" || ev.data["email"] != "ada@acme.com") {
			t.Errorf("member.role_changed data %v", ev.data)
		}
	}
	// Nothing more once sent.
	s.sweep(t)
	if n := len(rv.events()); n != len(want) {
		t.Errorf("a second sweep sent %d more", n-len(want))
	}
}

func TestWebhookDeliveriesRetryWithOneID(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	rv.answer = func(n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	ep := s.endpoint(t, rv, "invitation.created")
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	for range 3 {
		s.sweep(t)
		s.clock.Add(2 * time.Hour) // past any backoff of the first attempts
	}
	got := rv.events()
	if len(got) != 3 || got[0].id != got[1].id || got[1].id != got[2].id {
		t.Fatalf("attempts %+v, want three with one webhook-id", got)
	}
	list := s.do(http.MethodGet, "/api/v1/webhooks/"+ep["id"].(string)+"/deliveries", "acme/admin", nil)
	items := list.body["items"].([]any)
	d := items[0].(map[string]any)
	if len(items) != 1 || d["status"] != "delivered" || d["attempts"] != float64(3) || d["lastResponseStatus"] != float64(200) {
		t.Fatalf("deliveries: %s", list.raw)
	}
	// An admin sends it again: the same id, a fourth attempt.
	retry := s.do(http.MethodPost, "/api/v1/webhooks/"+ep["id"].(string)+"/deliveries/"+d["id"].(string)+"/retry", "acme/admin", nil)
	if retry.status != http.StatusAccepted || retry.body["status"] != "pending" {
		t.Fatalf("retry: %d %s", retry.status, retry.raw)
	}
	s.sweep(t)
	if got := rv.events(); len(got) != 4 || got[3].id != got[0].id {
		t.Errorf("after the retry: %+v", got)
	}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/webhooks/"+ep["id"].(string)+"/deliveries/msg_nothing/retry", "acme/admin", nil), http.StatusNotFound, "not_found", "")
}

func TestASlowEndpointNeverDelaysAnother(t *testing.T) {
	s := newServerWith(t, serverOptions{webhookTimeout: 300 * time.Millisecond})
	slow, fast := newReceiver(t), newReceiver(t)
	slow.delay = 2 * time.Second
	s.endpoint(t, slow, "*")
	s.endpoint(t, fast, "*")
	for _, email := range []string{"a@acme.com", "b@acme.com", "c@acme.com"} {
		s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": email, "sendEmail": false})
	}
	start := time.Now()
	stats := s.sweep(t)
	if n := len(fast.events()); n != 3 {
		t.Errorf("the fast endpoint got %d of 3 (stats %v)", n, stats)
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("the sweep took %v: the slow endpoint held it up", took)
	}
	if stats["failing"] < 1 {
		t.Errorf("the slow endpoint's deliveries did not fail by timeout: %v", stats)
	}
}

func TestAGoneEndpointIsDisabled(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	rv.answer = func(int) int { return http.StatusGone }
	rv.url += "/hooks/s3cret-path?token=s3cret-query" // a receiver keeping a secret in its URL
	ep := s.endpoint(t, rv, "*")
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	s.sweep(t)
	got := s.do(http.MethodGet, "/api/v1/webhooks/"+ep["id"].(string), "acme/admin", nil)
	if got.body["enabled"] != false || !strings.Contains(got.body["disabledReason"].(string), "410") {
		t.Fatalf("after a 410: %s", got.raw)
	}
	audit := s.do(http.MethodGet, "/api/v1/audit-logs?limit=100", "acme/admin", nil)
	if !strings.Contains(string(audit.raw), "webhook.disabled") {
		t.Errorf("no audit entry of the disabling: %s", audit.raw)
	}
	// The admin is emailed once, told which endpoint (never the URL's path, which may hold a
	// secret) and how to turn it on again.
	notices := s.notices.all()
	if len(notices) != 1 {
		t.Fatalf("notices = %q, want one to the admin", notices)
	}
	to, subject, text := splitNotice(notices[0])
	if to != "owner@acme.example" || !strings.Contains(subject, "disabled the webhook endpoint http://127.0.0.1:") {
		t.Errorf("notice to %q, subject %q", to, subject)
	}
	for _, want := range []string{ep["id"].(string), "410 Gone", "https://gatehouse.example.com/settings/", `{"enabled": true}`} {
		if !strings.Contains(text, want) {
			t.Errorf("notice text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(subject+text, "s3cret") {
		t.Errorf("notice shows the endpoint's URL beyond its origin %s:\n%s", rv.url, text)
	}
	// Nothing more goes to it; enabled again, it receives what comes next.
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "sendEmail": false})
	s.sweep(t)
	if n := len(rv.events()); n != 1 {
		t.Errorf("a disabled endpoint got %d requests", n)
	}
	rv.answer = func(int) int { return http.StatusOK }
	if r := s.do(http.MethodPatch, "/api/v1/webhooks/"+ep["id"].(string), "acme/admin", map[string]any{"enabled": true}); r.status != http.StatusOK || r.body["disabledReason"] != nil {
		t.Fatalf("enable: %d %s", r.status, r.raw)
	}
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "cy@acme.com", "sendEmail": false})
	s.sweep(t)
	if n := len(rv.events()); n != 2 {
		t.Errorf("after enabling: %d requests, want 2", n)
	}
}

// TestRotatedSecretsOverlapForADay: the secret a rotation answers is the one that signs from
// then on, end to end (a receiver knowing only it verifies every event); the old one verifies
// too for a day, and not after.
func TestRotatedSecretsOverlapForADay(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	ep := s.endpoint(t, rv, "*")
	first := ep["secret"].(string)
	path := "/api/v1/webhooks/" + ep["id"].(string)
	rot := s.do(http.MethodPost, path+"/rotate-secret", "acme/admin", nil)
	second, _ := rot.body["secret"].(string)
	if rot.status != http.StatusOK || second == "" || second == first || rot.body["previousSecretUntil"] == nil {
		t.Fatalf("rotate: %d %s", rot.status, rot.raw)
	}
	if strings.Contains(string(rot.raw), first) {
		t.Error("the rotation answer shows the old secret")
	}
	rv.trust(second) // each request is checked against each secret alone
	check := func(when string, ev received, old bool) {
		t.Helper()
		if !ev.verifiedBy[second] {
			t.Errorf("%s: %s does not verify with the secret the rotation answered", when, ev.eventType)
		}
		if ev.verifiedBy[first] != old {
			t.Errorf("%s: %s verifies with the old secret: %v, want %v", when, ev.eventType, ev.verifiedBy[first], old)
		}
		if want := map[bool]int{true: 2, false: 1}[old]; ev.signatures != want {
			t.Errorf("%s: %d signatures, want %d", when, ev.signatures, want)
		}
	}

	// Within the day: an event and a test call, each signed with both.
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	s.sweep(t)
	test := s.do(http.MethodPost, path+"/test", "acme/admin", nil)
	if test.status != http.StatusOK || test.body["eventType"] != "webhook.test" || test.body["attempts"] != float64(1) || test.body["status"] != "delivered" {
		t.Errorf("test: %d %s", test.status, test.raw)
	}
	got := rv.events()
	if len(got) != 2 {
		t.Fatalf("within the day: %d requests, want the event and the test: %+v", len(got), got)
	}
	for _, ev := range got {
		check("within the day", ev, true)
	}

	// A day later: the new secret alone.
	s.clock.Add(hooks.RotationOverlap + time.Minute)
	if r := s.do(http.MethodGet, path, "acme/admin", nil); r.body["previousSecretUntil"] != nil {
		t.Errorf("a day later the endpoint still shows a previous secret: %s", r.raw)
	}
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "sendEmail": false})
	s.sweep(t)
	s.do(http.MethodPost, path+"/test", "acme/admin", nil)
	got = rv.events()
	if len(got) != 4 {
		t.Fatalf("a day later: %d requests, want 4: %+v", len(got), got)
	}
	for _, ev := range got[2:] {
		check("a day later", ev, false)
	}
}

func TestACrashBetweenSendAndRecordSendsAgainWithTheSameID(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	s.endpoint(t, rv, "invitation.created")
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	// The receiver takes the event; then DynamoDB refuses to record it: the delivery stays
	// leased, and once the lease lapses it is sent again, under the same webhook-id.
	rv.answer = func(int) int {
		s.env.InjectWhere("webhookdelivery", dynamotest.First(1000, dynamotest.Refuse, "TransactWriteItems"))
		return http.StatusOK
	}
	s.sweep(t)
	s.env.Inject(nil)
	rv.answer = func(int) int { return http.StatusOK }
	s.clock.Add(5 * time.Minute)
	s.sweep(t)
	got := rv.events()
	if len(got) != 2 || got[0].id != got[1].id {
		t.Fatalf("after the lost record: %+v, want the event twice under one id", got)
	}
}

func TestWebhookEndpointsAreChecked(t *testing.T) {
	s := newServer(t)
	for name, body := range map[string]map[string]any{
		"no url":           {"events": []string{"*"}},
		"http":             {"url": "http://hooks.acme.com/x", "events": []string{"*"}},
		"metadata address": {"url": "https://169.254.169.254/latest", "events": []string{"*"}},
		"private address":  {"url": "https://10.1.2.3/hook", "events": []string{"*"}},
		"unknown event":    {"url": "https://93.184.216.34/hook", "events": []string{"invitation.created", "invitation.lost"}},
		"no events":        {"url": "https://93.184.216.34/hook", "events": []string{}},
		"user info":        {"url": "https://user:pass@93.184.216.34/hook", "events": []string{"*"}},
	} {
		t.Run(name, func(t *testing.T) {
			if r := s.do(http.MethodPost, "/api/v1/webhooks", "acme/admin", body); r.status != http.StatusBadRequest {
				t.Errorf("%s: %d %s, want 400", name, r.status, r.raw)
			}
		})
	}
	wantProblem(t, s.do(http.MethodGet, "/api/v1/webhooks/whk_nothing", "acme/admin", nil), http.StatusNotFound, "not_found", "")
	// Another organization's endpoint is not found.
	rv := newReceiver(t)
	ep := s.endpoint(t, rv, "*")
	wantProblem(t, s.do(http.MethodGet, "/api/v1/webhooks/"+ep["id"].(string), "globex/admin", nil), http.StatusNotFound, "not_found", "")
	wantProblem(t, s.do(http.MethodDelete, "/api/v1/webhooks/"+ep["id"].(string), "globex/admin", nil), http.StatusNotFound, "not_found", "")
	if r := s.do(http.MethodDelete, "/api/v1/webhooks/"+ep["id"].(string), "acme/admin", nil); r.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.status, r.raw)
	}
}

func TestWebhookEventTypesAreListedForEveryRole(t *testing.T) {
	s := newServer(t)
	for _, who := range []string{"acme/admin", "acme/viewer"} {
		r := s.do(http.MethodGet, "/api/v1/webhooks/event-types", who, nil)
		items, _ := r.body["items"].([]any)
		if r.status != http.StatusOK || len(items) != len(webhook.EventTypes()) {
			t.Fatalf("%s: GET event-types: %d %s", who, r.status, r.raw)
		}
		for i, it := range items {
			doc := it.(map[string]any)
			if doc["type"] != webhook.EventTypes()[i] || doc["description"] == "" {
				t.Errorf("%s: event type %d is %v, want %s with a description", who, i, doc, webhook.EventTypes()[i])
			}
		}
	}
	wantProblem(t, s.do(http.MethodGet, "/api/v1/webhooks/event-types", "", nil), http.StatusUnauthorized, "unauthenticated", "")
}

// fakeMail takes every email.
type fakeMail struct{}

func (fakeMail) Send(context.Context, mailer.Message) (string, error) { return "msg-1", nil }

func TestEmailAndSyncEventsAreAnnounced(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	s.endpoint(t, rv, "invitation.email_sent", "sync.run.applied", "sync.run.failed")
	// An emailed invitation: the mailer sends it, and its event follows.
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com"})
	m, err := mailer.New(s.store.Deliveries, fakeMail{}, mailer.Config{PublicURL: "https://gatehouse.example.com", Now: s.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Sweep(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	// A sync run that applies, and one that fails.
	path := filepath.Join(s.exports, "group.csv")
	if err := os.WriteFile(path, []byte(oktaHeader+"\"00u1\",\"ACTIVE\",\"bob@acme.com\",\"Bob\",\"B\",\"bob@acme.com\"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"sources": []string{"file://" + path}, "sendEmail": false})
	s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
	_ = os.Remove(path)
	s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
	s.sweep(t)
	types := map[string]map[string]any{}
	for _, ev := range rv.events() {
		types[ev.eventType] = ev.data
	}
	if d := types["invitation.email_sent"]; d == nil || d["email"] != "ada@acme.com" || d["delivery"].(map[string]any)["state"] != "sent" {
		t.Errorf("invitation.email_sent: %v", d)
	}
	if d := types["sync.run.applied"]; d == nil || d["type"] != "sync_run" || d["details"].(map[string]any)["invite"] != "1" {
		t.Errorf("sync.run.applied: %v", d)
	}
	if types["sync.run.failed"] == nil {
		t.Errorf("no sync.run.failed (got %v)", types)
	}
}

func splitNotice(n string) (to, subject, text string) {
	parts := strings.SplitN(n, "|", 3)
	return parts[0], parts[1], parts[2]
}
