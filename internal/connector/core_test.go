package connector

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/egress"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{"Sat, 01 Jun 2024 09:00:30 GMT", 30 * time.Second, true},
		{"Sat, 01 Jun 2024 08:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
		{"-5", 0, false},
	}
	for _, tc := range cases {
		got, ok := retryAfter(tc.value, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %s, %t; want %s, %t", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	clock := newClock()
	c, err := newCore(ProviderOkta, Options{HTTPClient: http.DefaultClient, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	reset := clock.Now().Add(42 * time.Second).Truncate(time.Second)
	h := http.Header{"X-Rate-Limit-Reset": {itoa64(reset.Unix())}}
	if d := c.retryDelay(h, 1); d != reset.Sub(clock.Now()) {
		t.Errorf("delay with a reset = %s, want until the reset", d)
	}
	h.Set("Retry-After", "3")
	if d := c.retryDelay(h, 1); d != 3*time.Second {
		t.Errorf("delay with Retry-After = %s, want 3s", d)
	}
	for attempt, limit := range []time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		if attempt == 0 {
			continue
		}
		for range 20 {
			if d := c.retryDelay(http.Header{}, attempt); d < limit/2 || d > limit {
				t.Fatalf("backoff of attempt %d = %s, want between %s and %s", attempt, d, limit/2, limit)
			}
		}
	}
}

func TestRateGate(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	g := &rateGate{}
	if d := g.delay(now); d != 0 {
		t.Errorf("delay before any headers = %s", d)
	}
	header := func(remaining string) http.Header {
		return http.Header{"X-Rate-Limit-Limit": {"100"}, "X-Rate-Limit-Remaining": {remaining}, "X-Rate-Limit-Reset": {itoa64(now.Add(60 * time.Second).Unix())}}
	}
	var got []time.Duration
	for _, remaining := range []string{"50", "10", "4", "0"} {
		g.observe(header(remaining))
		got = append(got, g.delay(now))
	}
	want := []time.Duration{0, 60 * time.Second / 11, 12 * time.Second, 60 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delays mismatch (-want +got):\n%s", diff)
	}
	if d := g.delay(now.Add(61 * time.Second)); d != 0 {
		t.Errorf("delay after the reset = %s, want 0", d)
	}
}

// TestEachGroup: at most limit at once, results in order, and the failure that stopped the
// others is the one returned, not the cancellations it caused.
func TestEachGroup(t *testing.T) {
	var running, peak atomic.Int32
	out, err := eachGroup(context.Background(), 10, 3, func(ctx context.Context, i int) (int, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		return i * i, nil
	})
	if err != nil || len(out) != 10 || out[9] != 81 {
		t.Fatalf("eachGroup = %v, %v", out, err)
	}
	if peak.Load() > 3 {
		t.Errorf("%d ran at once, want at most 3", peak.Load())
	}
	boom := errors.New("group 2 failed")
	_, err = eachGroup(context.Background(), 4, 4, func(ctx context.Context, i int) (int, error) {
		if i == 2 {
			return 0, boom
		}
		<-ctx.Done()
		return 0, ctx.Err()
	})
	if !errors.Is(err, boom) {
		t.Errorf("eachGroup error = %v, want the failure of group 2", err)
	}
}

// TestPageLimits: a page over the size limit, and pages that go round in a circle.
func TestPageLimits(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	opts := testOptions(t, clock)
	opts.MaxPageBytes = 1000
	o, err := NewOkta(f.config(oktaPortal), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Fetch(context.Background())
	wantError(t, err, ErrBadResponse, oktaPortal, 1, "Okta sent a page larger than 1000 bytes")

	f.hooks.add(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Add("Link", "<"+f.srv.URL+`/api/v1/groups/`+oktaPortal+`/users?after=same&limit=200>; rel="next"`)
		writeJSON(w, http.StatusOK, []any{})
		return true
	})
	o, err = NewOkta(f.config(oktaPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Fetch(context.Background())
	wantError(t, err, ErrBadResponse, oktaPortal, 2, "go round in a circle")
}

func TestNewNeedsAClient(t *testing.T) {
	cfg := OktaConfig{Domain: "https://acme.okta.com", APIToken: NewSecret("00tok"), Groups: []Group{{ID: "00g1"}}}
	if _, err := New(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "egress.NewClient") {
		t.Errorf("New without an HTTP client: %v", err)
	}
	if _, err := New(OktaConfig{}, Options{HTTPClient: http.DefaultClient}); problems(t, err) == nil {
		t.Errorf("New with invalid settings: %v, want the field problems", err)
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New(nil) succeeded")
	}
}

// TestBrokenConnectionIsRetried: a connection that breaks before an answer is tried again
// after a backoff.
func TestBrokenConnectionIsRetried(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	var broken atomic.Int32
	f.hooks.add(func(w http.ResponseWriter, r *http.Request) bool {
		if broken.Add(1) > 1 {
			return false
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return false
		}
		conn.Close()
		return true
	})
	o, err := NewOkta(f.config(oktaPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPeople(t, oktaPortalPeople(), people(t, res, 0))
	if s := clock.Sleeps(); len(s) != 1 || s[0] < 500*time.Millisecond || s[0] > time.Second {
		t.Errorf("slept %v, want one backoff of 0.5-1s", s)
	}
}

// TestWaitTooLong: a Retry-After beyond MaxWait fails the read rather than holding the run.
func TestWaitTooLong(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	f.hooks.add(failTimes("after=", -1, http.StatusServiceUnavailable, map[string]string{"Retry-After": "3600"},
		oktaError("E0000010", "Service is in read only mode")))
	o, err := NewOkta(f.config(oktaPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Fetch(context.Background())
	wantError(t, err, ErrRateLimited, oktaPortal, 2, "Okta answered 503 E0000010", "asks to wait 1h0m0s, longer than the 5m0s a run waits")
	if len(clock.Sleeps()) != 0 {
		t.Errorf("slept %v", clock.Sleeps())
	}
}

// TestProductionClientRefusesLoopback: settings may name loopback http for the local
// stack, but a production egress client refuses it before any request leaves.
func TestProductionClientRefusesLoopback(t *testing.T) {
	f := newGraphTenant(t)
	prod := egress.NewClient(egress.Options{})
	t.Cleanup(prod.CloseIdleConnections)
	g, err := NewGraph(f.config(groupPortal), Options{HTTPClient: prod})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Fetch(context.Background())
	wantError(t, err, ErrUnreachable, groupPortal, 0, "signing in: Graph cannot be reached", "only https URLs are allowed", ErrIncomplete.Error())
	if !errors.Is(err, egress.ErrForbiddenScheme) {
		t.Errorf("error %v does not wrap egress.ErrForbiddenScheme", err)
	}
	if len(f.paths) != 0 {
		t.Errorf("the fake got %v", f.paths)
	}
}

// TestUntrustedCertificateIsFinal: a certificate no authority vouches for is not worth
// another try.
func TestUntrustedCertificateIsFinal(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	clock := newClock()
	cfg := SCIMConfig{URL: srv.URL + "/scim/v2", BearerToken: NewSecret("scim-token")}
	s, err := NewSCIM(cfg, testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(context.Background())
	wantError(t, err, ErrUnreachable, "", 1, "The SCIM server cannot be reached", "certificate")
	if len(clock.Sleeps()) != 0 {
		t.Errorf("slept %v, want no retry", clock.Sleeps())
	}
}
