package connector

import (
	"context"
	"net/http"
	"testing"

	"gatehouse/internal/idp"
)

const scimPortal = "e9e30dba-f08f-4109-8486-d5c6a331660a"

// newSCIMServer is a fake server with five users, three of them in the portal group.
func newSCIMServer(t *testing.T) *fakeSCIM {
	f := newFakeSCIM(t)
	f.groups[scimPortal] = "Developer Portal"
	f.users = []scimUser{
		{id: "s1", userName: "ada", given: "Ada", family: "Lovelace", email: "Ada.Lovelace@example.com", active: true, groups: []string{scimPortal}},
		{id: "s2", userName: "zoe", given: "Zoë", family: "Ngata", email: "zoe.ngata@example.com", active: true},
		{id: "s3", userName: "sam", given: "Sam", family: "Okafor", email: "sam.okafor@example.com", active: false, groups: []string{scimPortal}},
		{id: "s4", userName: "li", given: "Li", family: "Wei", email: "li.wei@example.com", active: true},
		{id: "s5", userName: "dee", given: "Dee", family: "Park", email: "dee.park@example.com", active: true, groups: []string{scimPortal}},
	}
	return f
}

func scimPerson(id, email, name string, status idp.Status) idp.Person {
	return idp.Person{ExternalID: id, Email: email, Name: name, Status: status}
}

func TestSCIMFetch(t *testing.T) {
	f := newSCIMServer(t)
	cases := []struct {
		name   string
		groups []string
		pages  int
		want   []idp.Person
	}{{
		name: "every user", pages: 3,
		want: []idp.Person{
			scimPerson("s1", "ada.lovelace@example.com", "Ada Lovelace", idp.StatusPresent),
			scimPerson("s2", "zoe.ngata@example.com", "Zoë Ngata", idp.StatusPresent),
			scimPerson("s3", "sam.okafor@example.com", "Sam Okafor", idp.StatusGone),
			scimPerson("s4", "li.wei@example.com", "Li Wei", idp.StatusPresent),
			scimPerson("s5", "dee.park@example.com", "Dee Park", idp.StatusPresent),
		},
	}, {
		name: "one group", groups: []string{scimPortal}, pages: 2,
		want: []idp.Person{
			scimPerson("s1", "ada.lovelace@example.com", "Ada Lovelace", idp.StatusPresent),
			scimPerson("s3", "sam.okafor@example.com", "Sam Okafor", idp.StatusGone),
			scimPerson("s5", "dee.park@example.com", "Dee Park", idp.StatusPresent),
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSCIM(f.config(tc.groups...), testOptions(t, newClock()))
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Fetch(context.Background())
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if res.Format != idp.FormatSCIM || len(res.Groups[0].Pages) != tc.pages {
				t.Errorf("format %s with %d pages, want %d", res.Format, len(res.Groups[0].Pages), tc.pages)
			}
			wantPeople(t, tc.want, people(t, res, 0))
		})
	}
}

func TestSCIMErrors(t *testing.T) {
	cases := []struct {
		name   string
		groups []string
		setup  func(f *fakeSCIM) SCIMConfig
		kind   error
		group  string
		page   int
		words  []string
	}{{
		name: "wrong token",
		setup: func(f *fakeSCIM) SCIMConfig {
			c := f.config()
			c.BearerToken = NewSecret("wrong-bearer-0000")
			return c
		},
		kind: ErrSignIn, page: 1,
		words: []string{"the SCIM server answered 401: the bearer token was refused"},
	}, {
		name:  "group that does not exist",
		setup: func(f *fakeSCIM) SCIMConfig { return f.config(scimPortal, "no-such-group") },
		kind:  ErrGroupNotFound, group: "no-such-group",
		words: []string{"the SCIM server answered 404: group no-such-group does not exist (Resource no-such-group not found)"},
	}, {
		name:  "server that cannot filter by group",
		setup: func(f *fakeSCIM) SCIMConfig { f.noFilter = true; return f.config(scimPortal) },
		kind:  ErrRejected, group: scimPortal, page: 1,
		words: []string{"400 invalidFilter: the server cannot filter users by group", "leave groups empty"},
	}, {
		name: "wrong url",
		setup: func(f *fakeSCIM) SCIMConfig {
			c := f.config()
			c.URL = f.srv.URL + "/api"
			return c
		},
		kind: ErrRejected, page: 1,
		words: []string{"there are no SCIM Users at", "check url"},
	}, {
		name: "server that does not page",
		setup: func(f *fakeSCIM) SCIMConfig {
			f.hooks.add(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Get("startIndex") == "1" {
					return false
				}
				r.URL.RawQuery = "startIndex=1&count=2"
				f.list(w, r, f.srv.URL+"/scim/v2")
				return true
			})
			return f.config()
		},
		kind: ErrBadResponse, page: 2,
		words: []string{"asked for startIndex 3, the server answered with 1: it does not page"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newSCIMServer(t)
			cfg := tc.setup(f)
			s, err := NewSCIM(cfg, testOptions(t, newClock()))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Fetch(context.Background())
			wantError(t, err, tc.kind, tc.group, tc.page, append(tc.words, "scim", ErrIncomplete.Error())...)
			noSecrets(t, "error", err.Error(), f.token, cfg.BearerToken.Reveal())
		})
	}
}

func TestSCIMTest(t *testing.T) {
	f := newSCIMServer(t)
	s, err := NewSCIM(f.config(scimPortal, "no-such-group"), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Test(context.Background())
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	checkReport(t, []GroupReport{
		{ID: scimPortal, Name: "Developer Portal", Count: 2, More: true,
			Sample: []Person{{Name: "Ada Lovelace", Email: "Ada.Lovelace@example.com"}, {Name: "Sam Okafor", Email: "sam.okafor@example.com"}}},
		{ID: "no-such-group"},
	}, rep, ErrGroupNotFound)
}
