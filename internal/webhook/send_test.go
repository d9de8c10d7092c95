package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSendIsVerified: a receiver that checks with the library accepts what Send sends, and
// gets the headers and body exactly as given, the same on a second send of one event.
func TestSendIsVerified(t *testing.T) {
	secret := NewSecret()
	rc := newReceiver(t, verifier(t, secret))
	s := testSender(t, SenderOptions{UserAgent: "Gatehouse-Test/1"})
	body, err := Payload(EventInvitationAccepted, time.Now(), map[string]string{"id": "inv_1"})
	if err != nil {
		t.Fatal(err)
	}
	for attempt := range 2 {
		at := time.Now()
		res := s.Send(context.Background(), rc.URL+"/hooks?x=1", []string{secret}, "evt_01JABCDEF", at, body)
		if res.Outcome != Delivered || res.Status != http.StatusNoContent || res.Error != "" {
			t.Fatalf("attempt %d: %+v, want delivered with 204", attempt, res)
		}
		got := rc.requests()[attempt]
		want := map[string]string{
			"Webhook-Id":        "evt_01JABCDEF",
			"Webhook-Timestamp": strconv.FormatInt(at.Unix(), 10),
			"Content-Type":      "application/json",
			"User-Agent":        "Gatehouse-Test/1",
		}
		for k, v := range want {
			if g := got.Header.Get(k); g != v {
				t.Errorf("attempt %d: header %s = %q, want %q", attempt, k, g, v)
			}
		}
		if sig, _ := Sign([]string{secret}, "evt_01JABCDEF", at, body); got.Header.Get("Webhook-Signature") != sig {
			t.Errorf("attempt %d: signature %q, want %q", attempt, got.Header.Get("Webhook-Signature"), sig)
		}
		if diff := cmp.Diff(string(body), string(got.Body)); diff != "" {
			t.Errorf("attempt %d: body mismatch (-want +got):\n%s", attempt, diff)
		}
	}
	// The default User-Agent.
	res := testSender(t, SenderOptions{}).Send(context.Background(), rc.URL, []string{secret}, "evt_2", time.Now(), body)
	if ua := rc.requests()[2].Header.Get("User-Agent"); res.Outcome != Delivered || ua != DefaultUserAgent {
		t.Errorf("default sender: %+v, User-Agent %q", res, ua)
	}
}

// TestSendDuringRotation: signed with the new and the old secret, a request verifies at a
// receiver that knows either one; a receiver with another secret refuses it.
func TestSendDuringRotation(t *testing.T) {
	oldSecret, newSecret := NewSecret(), NewSecret()
	s := testSender(t, SenderOptions{})
	cases := []struct {
		name   string
		knows  string
		status int
	}{{"knows the old secret", oldSecret, 204}, {"knows the new secret", newSecret, 204}, {"knows neither", NewSecret(), 401}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, verifier(t, tc.knows))
			res := s.Send(context.Background(), rc.URL, []string{newSecret, oldSecret}, "evt_rot", time.Now(), []byte(`{"type":"webhook.test"}`))
			if res.Status != tc.status {
				t.Errorf("%+v, want status %d", res, tc.status)
			}
		})
	}
}

// TestSendOutcomes: what each answer means.
func TestSendOutcomes(t *testing.T) {
	cases := []struct {
		status  int
		outcome Outcome
		says    string
	}{
		{200, Delivered, ""},
		{201, Delivered, ""},
		{202, Delivered, ""},
		{204, Delivered, ""},
		{299, Delivered, ""},
		{400, Retry, "answered 400 Bad Request"},
		{401, Retry, "answered 401 Unauthorized"},
		{404, Retry, "answered 404 Not Found"},
		{413, Retry, "answered 413 Request Entity Too Large"},
		{429, Retry, "answered 429 Too Many Requests"},
		{500, Retry, "answered 500 Internal Server Error"},
		{502, Retry, "answered 502 Bad Gateway"},
		{503, Retry, "answered 503 Service Unavailable"},
		{599, Retry, "answered 599"},
		{410, Gone, "answered 410 Gone: it wants no more webhooks"},
	}
	s := testSender(t, SenderOptions{})
	secret := NewSecret()
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { w.WriteHeader(tc.status) })
			res := s.Send(context.Background(), rc.URL, []string{secret}, "evt_1", time.Now(), []byte("{}"))
			if res.Outcome != tc.outcome || res.Status != tc.status {
				t.Errorf("%+v, want %s with status %d", res, tc.outcome, tc.status)
			}
			if tc.says == "" && res.Error != "" || !strings.Contains(res.Error, tc.says) {
				t.Errorf("error %q, want it to say %q", res.Error, tc.says)
			}
			if res.Duration <= 0 {
				t.Errorf("duration %s", res.Duration)
			}
		})
	}
}

// TestSendRetryAfter: a 429 or 503 may ask for a wait, bounded by MaxDelay; other answers
// may not.
func TestSendRetryAfter(t *testing.T) {
	cases := []struct {
		status int
		header string
		want   time.Duration
	}{
		{429, "120", 2 * time.Minute},
		{503, "0", 0},
		{503, "99999999", MaxDelay},
		{503, "-5", 0},
		{429, "soon", 0},
		{429, "", 0},
		{429, time.Now().Add(24 * time.Hour).UTC().Format(http.TimeFormat), MaxDelay},
		{429, time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
		{500, "120", 0},
		{200, "120", 0},
	}
	s := testSender(t, SenderOptions{})
	secret := NewSecret()
	for _, tc := range cases {
		rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			if tc.header != "" {
				w.Header().Set("Retry-After", tc.header)
			}
			w.WriteHeader(tc.status)
		})
		res := s.Send(context.Background(), rc.URL, []string{secret}, "evt_1", time.Now(), []byte("{}"))
		if res.RetryAfter != tc.want {
			t.Errorf("%d with Retry-After %q: RetryAfter %s, want %s", tc.status, tc.header, res.RetryAfter, tc.want)
		}
	}
	// An HTTP date an hour from now reads as about an hour.
	if d := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), time.Now()); d < 59*time.Minute || d > time.Hour {
		t.Errorf("Retry-After in an hour = %s", d)
	}
}

// TestSendTimeout: a receiver that does not answer in time is a Retry after about the
// timeout, not after the receiver finishes.
func TestSendTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	cases := []struct {
		name   string
		handle func(http.ResponseWriter, *http.Request, []byte)
	}{
		{"no headers", nil},
		{"headers but a slow body", func(w http.ResponseWriter, r *http.Request, _ []byte) {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rc *receiver
			rc = newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				if tc.handle != nil {
					tc.handle(w, r, body)
				}
				select { // until the sender hangs up, or the test ends
				case <-r.Context().Done():
				case <-rc.done:
				case <-time.After(10 * time.Second):
				}
			})
			s := testSender(t, SenderOptions{Timeout: timeout})
			res := s.Send(context.Background(), rc.URL, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
			if res.Duration < timeout || res.Duration > timeout+2*time.Second {
				t.Errorf("took %s, want about %s", res.Duration, timeout)
			}
			if tc.handle == nil {
				if res.Outcome != Retry || res.Status != 0 || !strings.Contains(res.Error, "did not answer within 300ms") {
					t.Errorf("%+v, want a retry saying the endpoint did not answer within 300ms", res)
				}
				return
			}
			// The answer's status came in time: a 2xx is delivered, though its body is not.
			if res.Outcome != Delivered || res.Status != http.StatusOK {
				t.Errorf("%+v, want delivered with 200", res)
			}
		})
	}
}

// TestSendContextEnds: the caller's context ending is a Retry.
func TestSendContextEnds(t *testing.T) {
	rc := newReceiver(t, nil)
	s := testSender(t, SenderOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := s.Send(ctx, rc.URL, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
	if res.Outcome != Retry || !strings.Contains(res.Error, "canceled") {
		t.Errorf("%+v, want a retry saying the attempt was canceled", res)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	res = s.Send(ctx, rc.URL, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
	if res.Outcome != Retry || !strings.Contains(res.Error, "ran out of time") {
		t.Errorf("%+v, want a retry saying the attempt ran out of time", res)
	}
}

// TestSendConnectionRefused: nothing listening is a Retry that says so.
func TestSendConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	res := testSender(t, SenderOptions{}).Send(context.Background(), addr, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
	if res.Outcome != Retry || res.Status != 0 || !strings.Contains(res.Error, "could not reach 127.0.0.1") || !strings.Contains(res.Error, "refused") {
		t.Errorf("%+v, want a retry saying the connection was refused", res)
	}
	if strings.Contains(res.Error, "POST") || strings.Contains(res.Error, "egress:") {
		t.Errorf("error %q carries the request or package name", res.Error)
	}
}

// TestSendDoesNotFollowRedirects: a 3xx is a Retry that says redirects are not followed,
// and its target is never called.
func TestSendDoesNotFollowRedirects(t *testing.T) {
	target := newReceiver(t, nil)
	s := testSender(t, SenderOptions{})
	for _, status := range []int{301, 302, 303, 307, 308} {
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
			http.Redirect(w, r, target.URL+"/moved", status)
		})
		res := s.Send(context.Background(), rc.URL, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
		if res.Outcome != Retry || res.Status != status {
			t.Errorf("%d: %+v, want a retry with status %d", status, res, status)
		}
		host := strings.TrimPrefix(target.URL, "http://")
		if !strings.Contains(res.Error, "a redirect to "+host) || !strings.Contains(res.Error, "redirects are not followed") {
			t.Errorf("%d: error %q does not say the redirect to %s is not followed", status, res.Error, host)
		}
	}
	// A 3xx without a Location is not followed either.
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { w.WriteHeader(http.StatusMultipleChoices) })
	if res := s.Send(context.Background(), rc.URL, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}")); res.Outcome != Retry || res.Status != 300 {
		t.Errorf("300: %+v", res)
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the redirect target was called %d times", n)
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Delivered: "delivered", Retry: "retry", Gone: "gone", Refused: "refused", 0: "Outcome(0)"} {
		if o.String() != want {
			t.Errorf("Outcome %d = %q, want %q", int(o), o.String(), want)
		}
	}
}
