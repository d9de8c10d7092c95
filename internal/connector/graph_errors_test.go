package connector

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestGraphErrors(t *testing.T) {
	cases := []struct {
		name   string
		config func(f *fakeGraph) GraphConfig
		hook   func(f *fakeGraph) hook
		kind   error
		group  string
		page   int
		words  []string
	}{{
		name: "wrong client secret",
		config: func(f *fakeGraph) GraphConfig {
			c := f.config(groupPortal)
			c.ClientSecret = NewSecret("not-the-Secret-0000")
			return c
		},
		kind:  ErrSignIn,
		words: []string{"Microsoft sign-in answered 401 invalid_client AADSTS7000215", "the client secret is wrong", "(Invalid client secret provided.)"},
	}, {
		name: "unknown tenant",
		config: func(f *fakeGraph) GraphConfig {
			c := f.config(groupPortal)
			c.TenantID = "fabrikam.onmicrosoft.com"
			return c
		},
		kind:  ErrSignIn,
		words: []string{"AADSTS90002", "tenant fabrikam.onmicrosoft.com does not exist"},
	}, {
		name: "unknown app",
		config: func(f *fakeGraph) GraphConfig {
			c := f.config(groupPortal)
			c.ClientID = "99999999-2222-3333-4444-555555555555"
			return c
		},
		kind:  ErrSignIn,
		words: []string{"unauthorized_client AADSTS700016", "no app with client id 99999999-2222-3333-4444-555555555555"},
	}, {
		name: "app without permission",
		hook: func(*fakeGraph) hook {
			return failTimes("/members", -1, http.StatusForbidden, nil, graphError("Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
		},
		kind: ErrPermission, group: groupPortal, page: 1,
		words: []string{"Graph answered 403 Authorization_RequestDenied: the app lacks GroupMember.Read.All", "(Insufficient privileges to complete the operation.)"},
	}, {
		name:   "group that does not exist",
		config: func(f *fakeGraph) GraphConfig { return f.config(groupPortal, groupNone) },
		kind:   ErrGroupNotFound, group: groupNone, page: 1,
		words: []string{"Graph answered 404 Request_ResourceNotFound: group " + groupNone + " does not exist in tenant contoso.onmicrosoft.com"},
	}, {
		name: "page that keeps failing",
		hook: func(*fakeGraph) hook {
			return failTimes("$skiptoken=2", -1, http.StatusServiceUnavailable, nil, graphError("serviceNotAvailable", "Service unavailable"))
		},
		kind: ErrUnavailable, group: groupPortal, page: 2,
		words: []string{"Graph answered 503 serviceNotAvailable", "after 5 tries"},
	}, {
		name: "next link to another host",
		hook: func(f *fakeGraph) hook {
			return func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/members") {
					return false
				}
				writeJSON(w, http.StatusOK, map[string]any{"value": []any{}, "@odata.nextLink": "https://graph.example.net/v1.0/groups/x/members?$skiptoken=2"})
				return true
			}
		},
		kind: ErrBadResponse, group: groupPortal, page: 1,
		words: []string{"next link to https://graph.example.net", "not followed"},
	}, {
		name: "page that is not JSON",
		hook: func(*fakeGraph) hook {
			return func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/members") {
					return false
				}
				w.Write([]byte("<html>maintenance</html>"))
				return true
			}
		},
		kind: ErrBadResponse, group: groupPortal, page: 1,
		words: []string{"Graph sent a page that cannot be read"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newGraphTenant(t)
			cfg := f.config(groupPortal)
			if tc.config != nil {
				cfg = tc.config(f)
			}
			if tc.hook != nil {
				f.hooks.add(tc.hook(f))
			}
			g, err := NewGraph(cfg, testOptions(t, newClock()))
			if err != nil {
				t.Fatal(err)
			}
			res, err := g.Fetch(context.Background())
			if err == nil {
				t.Fatalf("Fetch succeeded with %d groups", len(res.Groups))
			}
			wantError(t, err, tc.kind, tc.group, tc.page, append(tc.words, "microsoft-graph", ErrIncomplete.Error())...)
			wantError(t, err, ErrIncomplete, tc.group, tc.page)
			noSecrets(t, "error", err.Error(), f.secret, cfg.ClientSecret.Reveal())
		})
	}
}

// TestGraphDeadline: a wait that would pass the run's deadline fails at once.
func TestGraphDeadline(t *testing.T) {
	f := newGraphTenant(t)
	f.hooks.add(failTimes("$skiptoken=2", -1, http.StatusTooManyRequests, map[string]string{"Retry-After": "120"},
		graphError("TooManyRequests", "Too many requests")))
	clock := newClock()
	g, err := NewGraph(f.config(groupPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = g.Fetch(ctx)
	wantError(t, err, ErrDeadline, groupPortal, 2, "Graph answered 429", "waiting 2m0s for it would pass the run's deadline", ErrIncomplete.Error())
	if s := clock.Sleeps(); len(s) != 0 {
		t.Errorf("slept %v, want no wait", s)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = g.Fetch(ctx)
	wantError(t, err, ErrDeadline, groupPortal, 0, "the run was canceled", ErrIncomplete.Error())
}

func TestGraphTest(t *testing.T) {
	f := newGraphTenant(t)
	g, err := NewGraph(f.config(groupPortal, groupOncall, groupNone), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.Test(context.Background())
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	want := []GroupReport{
		{ID: groupPortal, Name: "Developer Portal", Count: 2, More: true,
			Sample: []Person{{Name: "Ada Lovelace", Email: "Ada.Lovelace@contoso.com"}, {Name: "Zoë Ngata", Email: "zoe.ngata@contoso.com"}}},
		{ID: groupOncall, Name: "Platform Oncall", Count: 1, Sample: []Person{{Name: "Li Wei", Email: "li.wei@contoso.com"}}},
		{ID: groupNone},
	}
	checkReport(t, want, rep, ErrGroupNotFound)

	wrong := f.config(groupPortal)
	wrong.ClientSecret = NewSecret("wrong-secret-value")
	g, err = NewGraph(wrong, testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Test(context.Background())
	wantError(t, err, ErrSignIn, "", 0, "the client secret is wrong")
}
