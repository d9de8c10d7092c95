package connector

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"gatehouse/internal/idp"
)

// gmember is a member of a Google group.
func gmember(id, email, role, typ, status string) googleMember {
	return googleMember{Kind: "admin#directory#member", Etag: `"e-` + id + `"`, ID: id, Email: email, Role: role, Type: typ, Status: status}
}

// newGoogleDomain is a fake domain with an engineering group: three people and a nested
// group directly, and one more person through the nested group.
func newGoogleDomain(t *testing.T) *fakeGoogle {
	f := newFakeGoogle(t)
	f.groups["engineering@example.com"] = fakeGoogleGroup{
		members: []googleMember{
			gmember("1001", "Ada.Lovelace@example.com", "OWNER", "USER", "ACTIVE"),
			gmember("1002", "zoe.ngata@example.com", "MEMBER", "USER", "ACTIVE"),
			gmember("03ep43zb2k8ryaz", "platform-oncall@example.com", "MEMBER", "GROUP", "ACTIVE"),
			gmember("1003", "sam.okafor@example.com", "MEMBER", "USER", "SUSPENDED"),
		},
		derived: []googleMember{gmember("1004", "li.wei@example.com", "MEMBER", "USER", "ACTIVE")},
	}
	return f
}

func TestGoogleFetch(t *testing.T) {
	direct := []idp.Person{
		{ExternalID: "1001", Email: "ada.lovelace@example.com", Status: idp.StatusPresent},
		{ExternalID: "1002", Email: "zoe.ngata@example.com", Status: idp.StatusPresent},
		{ExternalID: "1003", Email: "sam.okafor@example.com", Status: idp.StatusGone},
	}
	for _, nested := range []bool{false, true} {
		f := newGoogleDomain(t)
		cfg := f.config("engineering@example.com")
		cfg.Nested = nested
		g, err := NewGoogle(cfg, testOptions(t, newClock()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := g.Fetch(context.Background())
		if err != nil {
			t.Fatalf("Fetch (nested %t): %v", nested, err)
		}
		want := direct
		if nested {
			want = append(direct, idp.Person{ExternalID: "1004", Email: "li.wei@example.com", Status: idp.StatusPresent})
		}
		wantPeople(t, want, people(t, res, 0))
		if len(f.claims) != 1 {
			t.Fatalf("%d sign-ins, want 1", len(f.claims))
		}
		c := f.claims[0]
		if c["sub"] != "admin@example.com" || c["scope"] != googleScopeGroupMembers {
			t.Errorf("assertion claims %v", c)
		}
	}
}

// TestGoogleTokenURLNotFromKey: the key file's token_uri is not where the signed
// assertion goes.
func TestGoogleTokenURLNotFromKey(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	f := newGoogleDomain(t)
	cfg := f.config("engineering@example.com")
	cfg.ServiceAccountKey = NewSecret(keyFile(t, testKey(), f.email, other.URL+"/token"))
	g, err := NewGoogle(cfg, testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Fetch(context.Background()); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the key file's token_uri got %d requests", hits.Load())
	}
}

func TestGoogleErrors(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		config func(f *fakeGoogle) GoogleConfig
		setup  func(f *fakeGoogle)
		kind   error
		group  string
		page   int
		words  []string
	}{{
		name: "subject that is not an admin",
		config: func(f *fakeGoogle) GoogleConfig {
			c := f.config("engineering@example.com")
			c.Subject = "nobody@example.com"
			return c
		},
		kind:  ErrSignIn,
		words: []string{"Google sign-in answered 400 invalid_grant: nobody@example.com is not a user of the domain", "(Invalid email or User ID)"},
	}, {
		name:  "delegation not granted",
		setup: func(f *fakeGoogle) { f.scopes = map[string]bool{} },
		kind:  ErrSignIn,
		words: []string{"401 unauthorized_client: domain-wide delegation is not granted", "client id 108765432109876543210", googleScopeGroupMembers},
	}, {
		name: "key that Google does not know",
		config: func(f *fakeGoogle) GoogleConfig {
			c := f.config("engineering@example.com")
			c.ServiceAccountKey = NewSecret(keyFile(t, otherKey, f.email, ""))
			return c
		},
		kind:  ErrSignIn,
		words: []string{"invalid_grant", "(Invalid JWT Signature.)"},
	}, {
		name:   "group that does not exist",
		config: func(f *fakeGoogle) GoogleConfig { return f.config("nothere@example.com") },
		kind:   ErrGroupNotFound, group: "nothere@example.com", page: 1,
		words: []string{"Google answered 404 notFound: group nothere@example.com does not exist (Resource Not Found: groupKey)"},
	}, {
		name: "subject without the privilege",
		setup: func(f *fakeGoogle) {
			f.hooks.add(failTimes("/members", -1, http.StatusForbidden, nil, googleError(403, "Not Authorized to access this resource/api", "forbidden", "PERMISSION_DENIED")))
		},
		kind: ErrPermission, group: "engineering@example.com", page: 1,
		words: []string{"Google answered 403 forbidden: admin@example.com may not read this group's members"},
	}, {
		name: "rate limit that does not pass",
		setup: func(f *fakeGoogle) {
			f.hooks.add(failTimes("pageToken=", -1, http.StatusForbidden, nil, googleError(403, "Quota exceeded for quota metric", "rateLimitExceeded", "PERMISSION_DENIED")))
		},
		kind: ErrRateLimited, group: "engineering@example.com", page: 2,
		words: []string{"Google answered 403 rateLimitExceeded", "after 5 tries"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newGoogleDomain(t)
			cfg := f.config("engineering@example.com")
			if tc.config != nil {
				cfg = tc.config(f)
			}
			if tc.setup != nil {
				tc.setup(f)
			}
			g, err := NewGoogle(cfg, testOptions(t, newClock()))
			if err != nil {
				t.Fatal(err)
			}
			_, err = g.Fetch(context.Background())
			wantError(t, err, tc.kind, tc.group, tc.page, append(tc.words, ErrIncomplete.Error())...)
			noSecrets(t, "error", err.Error(), cfg.ServiceAccountKey.Reveal(), "PRIVATE KEY")
		})
	}
}

// TestGoogleRetriesRateLimits: Google's 403 rateLimitExceeded is retried with backoff.
func TestGoogleRetriesRateLimits(t *testing.T) {
	f := newGoogleDomain(t)
	f.hooks.add(failTimes("pageToken=", 2, http.StatusForbidden, nil, googleError(403, "Rate Limit Exceeded", "userRateLimitExceeded", "PERMISSION_DENIED")))
	clock := newClock()
	g, err := NewGoogle(f.config("engineering@example.com"), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Fetch(context.Background()); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	s := clock.Sleeps()
	if len(s) != 2 || s[0] < 500_000_000 || s[0] > 1_000_000_000 || s[1] < 1_000_000_000 || s[1] > 2_000_000_000 {
		t.Errorf("slept %v, want a backoff of 0.5-1s then 1-2s", s)
	}
}

func TestGoogleTest(t *testing.T) {
	f := newGoogleDomain(t)
	g, err := NewGoogle(f.config("engineering@example.com", "nothere@example.com"), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.Test(context.Background())
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	checkReport(t, []GroupReport{
		{ID: "engineering@example.com", Count: 2, More: true, Sample: []Person{{Email: "Ada.Lovelace@example.com"}, {Email: "zoe.ngata@example.com"}}},
		{ID: "nothere@example.com"},
	}, rep, ErrGroupNotFound)
}
