package connector

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gatehouse/internal/egress"
	"gatehouse/internal/idp"
)

// fakeClock is the connectors' clock in tests: Sleep records the wait and moves the clock
// on at once. It starts at the real time, so that context deadlines compare sensibly.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// Sleeps are the waits so far.
func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// testOptions are connector options for fakes on 127.0.0.1: a local-stack egress client
// and the fake clock.
func testOptions(t *testing.T, clock *fakeClock) Options {
	t.Helper()
	client := egress.NewClient(egress.Options{LocalStack: true})
	t.Cleanup(client.CloseIdleConnections)
	return Options{HTTPClient: client, Now: clock.Now, Sleep: clock.Sleep}
}

// people parses group i of a result and returns its people without their row and page. The
// fakes' Graph members include one without mail, read at its user principal name (the
// option is idp's to test; here it shows every member the connector fetched).
func people(t *testing.T, res *Result, i int) []idp.Person {
	t.Helper()
	snap, err := res.Snapshot(i, idp.ParseOptions{UseUPNWhenNoMail: true})
	if err != nil {
		t.Fatalf("parse group %d: %v", i, err)
	}
	return snap.People
}

// ignorePlace compares people without where they were in the pages.
var ignorePlace = cmpopts.IgnoreFields(idp.Person{}, "Row", "Page")

// wantPeople fails unless got are the people want, in order.
func wantPeople(t *testing.T, want, got []idp.Person) {
	t.Helper()
	if diff := cmp.Diff(want, got, ignorePlace); diff != "" {
		t.Errorf("people mismatch (-want +got):\n%s", diff)
	}
}

// wantError checks that err is an *Error of kind, at group and page, whose message says
// every one of words and none of the secrets.
func wantError(t *testing.T, err error, kind error, group string, page int, words ...string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	if e.Group != group || e.Page != page {
		t.Errorf("error %q is about group %q page %d, want group %q page %d", err, e.Group, e.Page, group, page)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	return e
}

// noSecrets fails if s holds any of the secrets.
func noSecrets(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s gives away a secret: %s", what, s)
		}
	}
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// bearer is the token of an Authorization header of the given scheme, "" when it has none.
func bearer(r *http.Request, scheme string) string {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, scheme+" ") {
		return ""
	}
	return strings.TrimPrefix(h, scheme+" ")
}

// hook lets a test answer some requests of a fake itself.
type hook func(w http.ResponseWriter, r *http.Request) bool

// hooks is a fake's list of hooks, tried in order before the fake answers.
type hooks struct {
	mu   sync.Mutex
	list []hook
}

func (h *hooks) add(f hook) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.list = append(h.list, f)
}

func (h *hooks) handled(w http.ResponseWriter, r *http.Request) bool {
	h.mu.Lock()
	list := append([]hook(nil), h.list...)
	h.mu.Unlock()
	for _, f := range list {
		if f(w, r) {
			return true
		}
	}
	return false
}

// failTimes answers status with body for the first n requests whose path and query hold
// match; n < 0 means always.
func failTimes(match string, n, status int, header map[string]string, body any) hook {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.RequestURI(), match) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if n == 0 {
			return false
		}
		n--
		for k, v := range header {
			w.Header().Set(k, v)
		}
		writeJSON(w, status, body)
		return true
	}
}

// checkReport compares a test report with want, whose last group failed with kind.
func checkReport(t *testing.T, want []GroupReport, rep *Report, kind error) {
	t.Helper()
	last := rep.Groups[len(rep.Groups)-1]
	if !errors.Is(last.Err, kind) {
		t.Errorf("group %s: error %v, want %v", last.ID, last.Err, kind)
	}
	if diff := cmp.Diff(want, rep.Groups, cmpopts.IgnoreFields(GroupReport{}, "Err")); diff != "" {
		t.Errorf("report mismatch (-want +got):\n%s", diff)
	}
}

// itoa64 formats an int64.
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
