package webhook

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// received is one request a receiver got.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is an HTTP server on 127.0.0.1 that records what it gets and answers with
// handle.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	done chan struct{} // closed when the test ends, to release handlers that wait
}

// newReceiver starts a receiver; handle nil answers 204.
func newReceiver(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *receiver {
	t.Helper()
	rc := &receiver{done: make(chan struct{})}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: read body: %v", err)
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{Header: r.Header.Clone(), Body: body})
		rc.mu.Unlock()
		if handle == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		handle(w, r, body)
	}))
	t.Cleanup(func() { close(rc.done); rc.Close() })
	return rc
}

// requests is what the receiver got so far.
func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// testSender is a local Sender with the options o, its connections closed after the test.
func testSender(t *testing.T, o SenderOptions) *Sender {
	t.Helper()
	o.Local = true
	if o.Resolver == nil {
		o.Resolver = testDNS()
	}
	s := NewSender(o)
	t.Cleanup(s.CloseIdleConnections)
	return s
}

// verifier answers 204 to a request that the library's Verify accepts with one of secrets,
// and 401 to any other.
func verifier(t *testing.T, secrets ...string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		for _, s := range secrets {
			wh, err := standardwebhooks.NewWebhook(s)
			if err != nil {
				t.Errorf("receiver: %v", err)
			}
			if err := wh.Verify(body, r.Header); err != nil {
				http.Error(w, "bad signature: "+err.Error(), http.StatusUnauthorized)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

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

// TestSendBody: the answer's body, cut to MaxBody bytes of printable UTF-8.
func TestSendBody(t *testing.T) {
	cases := []struct {
		name, answer, want string
	}{
		{"short", `{"ok":true}`, `{"ok":true}`},
		{"long", strings.Repeat("abcdefghij", 100), strings.Repeat("abcdefghij", 20)},
		{"rune across the cut", strings.Repeat("a", 199) + "é and more", strings.Repeat("a", 199)},
		{"rune at the cut", strings.Repeat("a", 198) + "é and more", strings.Repeat("a", 198) + "é"},
		{"line breaks and tabs", "line 1\r\nline 2\tend", "line 1  line 2 end"},
		{"controls", "ok\x00\x07\x1b[31mred\x7f\u0085", "ok[31mred"},
		{"bidirectional overrides", "abc\u202edcba\u2066x\u2069", "abcdcbax"},
		{"invalid UTF-8", "a\xffb\xc3", "a\ufffdb\ufffd"},
		{"empty", "", ""},
		{"larger than read", strings.Repeat("x", 1<<20), strings.Repeat("x", 200)},
	}
	s := testSender(t, SenderOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, tc.answer)
			})
			res := s.Send(context.Background(), rc.URL, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
			if res.Body != tc.want {
				t.Errorf("body %q, want %q", res.Body, tc.want)
			}
			if res.Outcome != Retry || res.Status != http.StatusBadRequest {
				t.Errorf("%+v, want a retry with 400", res)
			}
		})
	}
}

// TestSendScrubsEchoes: a receiver that echoes the request back does not get the secrets
// or the signature into the Result, whole or cut.
func TestSendScrubsEchoes(t *testing.T) {
	// Fixed secrets and a time at which both signatures hold a "/", so that the JSON-escaped
	// forms differ from the plain ones.
	fill := []byte("0123456789abcdefghijklmnopqrs")
	newSecret := SecretPrefix + base64.StdEncoding.EncodeToString(append([]byte{0xff, 0xff, 0xff}, fill...))
	oldSecret := SecretPrefix + base64.StdEncoding.EncodeToString(append([]byte{0xfb, 0xff, 0xbf}, fill[1:]...))
	secrets := []string{newSecret, oldSecret}
	key := func(s string) string { return strings.TrimPrefix(s, SecretPrefix) }
	at := time.Unix(1_700_000_000, 0)
	for {
		sig, err := Sign(secrets, "evt_1", at, []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		if f := strings.Fields(sig); strings.Contains(f[0], "/") && strings.Contains(f[1], "/") {
			break
		}
		at = at.Add(time.Second)
	}
	cases := []struct {
		name string
		echo func(r *http.Request) string
	}{
		{"signature header", func(r *http.Request) string { return "got " + r.Header.Get("Webhook-Signature") }},
		{"secrets", func(*http.Request) string { return "secrets " + newSecret + " and " + oldSecret }},
		{"bare keys", func(*http.Request) string { return key(newSecret) + "|" + key(oldSecret) }},
		{"JSON-escaped", func(r *http.Request) string {
			return `{"sig":"` + strings.ReplaceAll(r.Header.Get("Webhook-Signature"), "/", `\/`) + `","key":"` +
				strings.ReplaceAll(key(newSecret), "/", `\/`) + `"}`
		}},
		{"across the cut", func(*http.Request) string { return strings.Repeat("a", 190) + newSecret }},
		{"split by a line break", func(*http.Request) string { return "k=\n" + newSecret + "\n" }},
	}
	s := testSender(t, SenderOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, tc.echo(r))
			})
			res := s.Send(context.Background(), rc.URL, secrets, "evt_1", at, []byte("{}"))
			sig := rc.requests()[0].Header.Get("Webhook-Signature")
			// Whole or in part (the eight characters after each "/" run), plain or escaped.
			var parts []string
			for _, whole := range append(strings.Fields(sig), key(newSecret), key(oldSecret)) {
				_, after, _ := strings.Cut(strings.TrimLeft(whole, "v1,/"), "/")
				parts = append(parts, whole, strings.ReplaceAll(whole, "/", `\/`), whole[len(whole)-9:len(whole)-1])
				if len(after) >= 8 {
					parts = append(parts, after[:8])
				}
			}
			for _, part := range parts {
				if strings.Contains(res.Body, part) || strings.Contains(res.Error, part) {
					t.Errorf("result %+v holds %q", res, part)
				}
			}
			if !strings.Contains(res.Body, "[redac") {
				t.Errorf("body %q shows no redaction", res.Body)
			}
		})
	}
}

// TestSendRefusesAddresses: a URL that the rule refuses is Refused before any connection:
// the receiver on loopback is never called, and nothing else is dialed.
func TestSendRefusesAddresses(t *testing.T) {
	rc := newReceiver(t, nil)
	port := rc.URL[strings.LastIndex(rc.URL, ":")+1:]
	cases := []struct {
		name, url string
		local     bool
		says      string
	}{
		{"http, not local", rc.URL, false, "must start with https://"},
		{"loopback, not local", "https://127.0.0.1:" + port + "/", false, "127.0.0.1 is a loopback address"},
		{"IPv6 loopback, not local", "https://[::1]:" + port + "/", false, "::1 is a loopback address"},
		{"IPv4-mapped loopback, not local", "https://[::ffff:127.0.0.1]:" + port + "/", false, "IPv4-mapped loopback"},
		{"name to loopback, not local", "https://loop.example.com:" + port + "/", false, "loop.example.com resolves to a loopback address"},
		{"localhost over http, local", "http://localhost:" + port + "/", true, "on the local stack"},
		{"user info, local", "http://user:pw@127.0.0.1:" + port + "/", true, "user name or password"},
		{"fragment, local", rc.URL + "/#x", true, "#fragment"},
		{"10/8", "https://10.0.0.1/", true, "10.0.0.1 is a private address"},
		{"172.16/12", "https://172.16.5.4/", true, "private"},
		{"192.168/16", "https://192.168.0.1/", true, "private"},
		{"metadata service", "https://169.254.169.254/latest/meta-data/", true, "link-local"},
		{"unique local", "https://[fd00::1]/", true, "private (unique local)"},
		{"IPv6 link-local", "https://[fe80::1]/", true, "link-local"},
		{"this network", "https://0.0.0.0:" + port + "/", true, "this-network"},
		{"name to 10/8", "https://internal.example.com/", true, "internal.example.com resolves to a private address"},
		{"name to the metadata service", "https://metadata.example.com/", true, "resolves to a link-local address"},
		{"name to public and loopback", "https://mixed.example.com:" + port + "/", false, "resolves to a loopback address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSender(SenderOptions{Local: tc.local, Resolver: testDNS()})
			t.Cleanup(s.CloseIdleConnections)
			res := s.Send(context.Background(), tc.url, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
			if res.Outcome != Refused || res.Status != 0 || !strings.Contains(res.Error, tc.says) {
				t.Errorf("%+v, want refused saying %q", res, tc.says)
			}
			for _, a := range []string{"10.1.2.3", "169.254.169.254", "93.184.216.34"} {
				if !strings.HasPrefix(tc.url, "https://"+a) && strings.Contains(res.Error, a) {
					t.Errorf("error %q reveals the address %s behind a name", res.Error, a)
				}
			}
		})
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the receiver was called %d times", n)
	}
}

// TestSendRefusesWhatCannotBeSigned: no valid secret, or an id the specification forbids,
// is Refused before any request, and the error never holds the secret.
func TestSendRefusesWhatCannotBeSigned(t *testing.T) {
	rc := newReceiver(t, nil)
	s := testSender(t, SenderOptions{})
	bad := "whsec_this-is-not-base64-but-it-is-long"
	cases := []struct {
		name    string
		secrets []string
		id      string
		says    string
	}{
		{"no secret", nil, "evt_1", "no signing secret"},
		{"bad secret", []string{NewSecret(), bad}, "evt_1", "secrets[1] is not a signing secret"},
		{"full stop in id", []string{NewSecret()}, "evt.1", "full stop"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := s.Send(context.Background(), rc.URL, tc.secrets, tc.id, time.Now(), []byte("{}"))
			if res.Outcome != Refused || !strings.Contains(res.Error, tc.says) {
				t.Errorf("%+v, want refused saying %q", res, tc.says)
			}
			if strings.Contains(res.Error, "not-base64") {
				t.Errorf("error %q holds the secret", res.Error)
			}
		})
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the receiver was called %d times", n)
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Delivered: "delivered", Retry: "retry", Gone: "gone", Refused: "refused", 0: "Outcome(0)"} {
		if o.String() != want {
			t.Errorf("Outcome %d = %q, want %q", int(o), o.String(), want)
		}
	}
}
