package connector

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/idp"
)

const (
	oktaPortal = "00g1portal0000000001"
	oktaOncall = "00g1oncall0000000002"
	oktaNone   = "00g1nothere000000003"
)

// newOktaOrg is a fake org with a portal group of five users and an oncall group of one.
func newOktaOrg(t *testing.T, clock *fakeClock) *fakeOkta {
	f := newFakeOkta(t, clock)
	b := f.srv.URL
	f.add(oktaPortal, "Developer Portal",
		newOktaUser(b, "00u1ada", "ACTIVE", "Ada", "Lovelace", "Ada.Lovelace@Example.COM"),
		newOktaUser(b, "00u1zoe", "ACTIVE", "Zoë", "Ngata", "zoe.ngata@example.com"),
		newOktaUser(b, "00u1sam", "SUSPENDED", "Sam", "Okafor", "sam.okafor@example.com"),
		newOktaUser(b, "00u1nia", "STAGED", "Nia", "Hire", "new.hire@example.com"),
		newOktaUser(b, "00u1dee", "DEPROVISIONED", "Dee", "Park", "dee.park@example.com"))
	f.add(oktaOncall, "Platform Oncall", newOktaUser(b, "00u1li", "PROVISIONED", "伟", "李", "li.wei@example.com"))
	return f
}

func oktaPortalPeople() []idp.Person {
	return []idp.Person{
		{ExternalID: "00u1ada", Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Status: idp.StatusPresent},
		{ExternalID: "00u1zoe", Email: "zoe.ngata@example.com", Name: "Zoë Ngata", Status: idp.StatusPresent},
		{ExternalID: "00u1sam", Email: "sam.okafor@example.com", Name: "Sam Okafor", Status: idp.StatusGone},
		{ExternalID: "00u1nia", Email: "new.hire@example.com", Name: "Nia Hire", Status: idp.StatusPending},
		{ExternalID: "00u1dee", Email: "dee.park@example.com", Name: "Dee Park", Status: idp.StatusGone},
	}
}

func TestOktaFetch(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	o, err := NewOkta(f.config(oktaPortal, oktaOncall), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if res.Format != idp.FormatOktaJSON || len(res.Groups[0].Pages) != 3 {
		t.Fatalf("format %s, %d pages", res.Format, len(res.Groups[0].Pages))
	}
	wantPeople(t, oktaPortalPeople(), people(t, res, 0))
	wantPeople(t, []idp.Person{{ExternalID: "00u1li", Email: "li.wei@example.com", Name: "伟 李", Status: idp.StatusPresent}}, people(t, res, 1))
	// Every page after the first was the Link header's next, exactly as sent.
	if diff := cmp.Diff(f.issued, f.followed); diff != "" {
		t.Errorf("followed links mismatch (-issued +followed):\n%s", diff)
	}
	if len(clock.Sleeps()) != 0 {
		t.Errorf("slept %v with the rate limit far away", clock.Sleeps())
	}
}

// TestOktaSlowsDownBeforeTheLimit: with a budget of 4 requests a minute, reading 5 pages
// spaces the requests out and never meets a 429.
func TestOktaSlowsDownBeforeTheLimit(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	f.limit, f.pageSize = 4, 1
	o, err := NewOkta(f.config(oktaPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	res, err := o.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPeople(t, oktaPortalPeople(), people(t, res, 0))
	if f.limited != 0 {
		t.Errorf("Okta answered 429 %d times", f.limited)
	}
	if len(clock.Sleeps()) < 3 {
		t.Errorf("slept %v, want the requests spaced out", clock.Sleeps())
	}
	if took := clock.Now().Sub(start); took < 50*time.Second || took > 2*time.Minute {
		t.Errorf("the read took %s on the clock, want about the one-minute window", took)
	}
}

// TestOkta429: Okta's 429 carries the reset; the connector waits until then and goes on.
func TestOkta429(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	reset := clock.Now().Truncate(time.Second).Add(30 * time.Second)
	f.hooks.add(failTimes("after=", 1, http.StatusTooManyRequests, map[string]string{
		"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": itoa64(reset.Unix()),
	}, oktaError("E0000047", "API call exceeded rate limit due to too many requests.")))
	o, err := NewOkta(f.config(oktaPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPeople(t, oktaPortalPeople(), people(t, res, 0))
	if s := clock.Sleeps(); len(s) != 1 || !clock.Now().Equal(reset) {
		t.Errorf("slept %v to %s, want one wait until the reset at %s", s, clock.Now(), reset)
	}

	// A reset past the run's deadline fails at once.
	f.hooks.add(failTimes("after=", -1, http.StatusTooManyRequests, map[string]string{
		"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": itoa64(clock.Now().Add(10 * time.Minute).Unix()),
	}, oktaError("E0000047", "API call exceeded rate limit due to too many requests.")))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before := len(clock.Sleeps())
	_, err = o.Fetch(ctx)
	wantError(t, err, ErrDeadline, oktaPortal, 2, "Okta answered 429 E0000047", "would pass the run's deadline", ErrIncomplete.Error())
	if len(clock.Sleeps()) != before {
		t.Errorf("slept %v, want no wait", clock.Sleeps()[before:])
	}
}

func TestOktaErrors(t *testing.T) {
	cases := []struct {
		name   string
		config func(f *fakeOkta) OktaConfig
		hook   hook
		kind   error
		group  string
		page   int
		words  []string
	}{{
		name: "wrong token",
		config: func(f *fakeOkta) OktaConfig {
			c := f.config(oktaPortal)
			c.APIToken = NewSecret("00wrong-token-0000")
			return c
		},
		kind: ErrSignIn, group: oktaPortal, page: 1,
		words: []string{"Okta answered 401 E0000011: the API token is wrong, expired or revoked (Invalid token provided)"},
	}, {
		name:   "group that does not exist",
		config: func(f *fakeOkta) OktaConfig { return f.config(oktaPortal, oktaNone) },
		kind:   ErrGroupNotFound, group: oktaNone, page: 1,
		words: []string{"Okta answered 404 E0000007: group " + oktaNone + " does not exist"},
	}, {
		name: "admin without permission",
		hook: failTimes("/users", -1, http.StatusForbidden, nil, oktaError("E0000006", "You do not have permission to perform the requested action")),
		kind: ErrPermission, group: oktaPortal, page: 1,
		words: []string{"Okta answered 403 E0000006", "Read-only Administrator"},
	}, {
		name: "page that keeps failing",
		hook: failTimes("after=", -1, http.StatusInternalServerError, nil, oktaError("E0000009", "Internal Server Error")),
		kind: ErrUnavailable, group: oktaPortal, page: 2,
		words: []string{"Okta answered 500 E0000009", "after 5 tries"},
	}, {
		name: "next link to another host",
		hook: func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Add("Link", `<https://evil.example.com/api/v1/groups/x/users?after=1>; rel="next"`)
			writeJSON(w, http.StatusOK, []any{})
			return true
		},
		kind: ErrBadResponse, group: oktaPortal, page: 1,
		words: []string{"next link to https://evil.example.com", "not followed"},
	}, {
		name: "a page that is not an array",
		hook: func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, http.StatusOK, map[string]any{"users": []any{}})
			return true
		},
		kind: ErrBadResponse, group: oktaPortal, page: 1,
		words: []string{"not a JSON array of users"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			f := newOktaOrg(t, clock)
			cfg := f.config(oktaPortal)
			if tc.config != nil {
				cfg = tc.config(f)
			}
			if tc.hook != nil {
				f.hooks.add(tc.hook)
			}
			o, err := NewOkta(cfg, testOptions(t, clock))
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.Fetch(context.Background())
			wantError(t, err, tc.kind, tc.group, tc.page, append(tc.words, ErrIncomplete.Error())...)
			noSecrets(t, "error", err.Error(), f.token, cfg.APIToken.Reveal())
		})
	}
}

func TestOktaTest(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	o, err := NewOkta(f.config(oktaPortal, oktaOncall, oktaNone), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := o.Test(context.Background())
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	checkReport(t, []GroupReport{
		{ID: oktaPortal, Name: "Developer Portal", Count: 2, More: true,
			Sample: []Person{{Name: "Ada Lovelace", Email: "Ada.Lovelace@Example.COM"}, {Name: "Zoë Ngata", Email: "zoe.ngata@example.com"}}},
		{ID: oktaOncall, Name: "Platform Oncall", Count: 1, Sample: []Person{{Name: "伟 李", Email: "li.wei@example.com"}}},
		{ID: oktaNone},
	}, rep, ErrGroupNotFound)

	bad := f.config(oktaPortal)
	bad.APIToken = NewSecret("00wrong-token-0000")
	o, err = NewOkta(bad, testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Test(context.Background())
	wantError(t, err, ErrSignIn, oktaPortal, 0, "the API token is wrong")
}

func TestLinkNext(t *testing.T) {
	cases := []struct {
		name   string
		values []string
		want   string
	}{
		{name: "Okta: one header per link", values: []string{`<https://a.okta.com/u?limit=200>; rel="self"`, `<https://a.okta.com/u?after=x&limit=200>; rel="next"`},
			want: "https://a.okta.com/u?after=x&limit=200"},
		{name: "one header", values: []string{`<https://a/1>; rel="self", <https://a/2>; rel="next"`}, want: "https://a/2"},
		{name: "no space, unquoted", values: []string{`<https://a/1>;rel=self,<https://a/2>;rel=next`}, want: "https://a/2"},
		{name: "several rels", values: []string{`<https://a/2>; rel="prefetch next"`}, want: "https://a/2"},
		{name: "last page", values: []string{`<https://a/1>; rel="self"`}},
		{name: "no header"},
		{name: "broken", values: []string{`https://a/2; rel="next"`}},
	}
	for _, tc := range cases {
		h := http.Header{}
		for _, v := range tc.values {
			h.Add("Link", v)
		}
		if got := linkNext(h); got != tc.want {
			t.Errorf("%s: linkNext = %q, want %q", tc.name, got, tc.want)
		}
	}
}
