package scim_test

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gatehouse/internal/scim"
)

// The fuzz targets drive the whole handler, so that a panic anywhere, a 500, or a refusal
// with the wrong scimType fails them. `go test` runs them through their seeds: every filter,
// PATCH path and PATCH body in testdata, and the forms below.

// seeds reads what the fixtures send: filters, PATCH paths (including path-less keys) and
// PATCH bodies.
func seeds(tb testing.TB) (filters, paths []string, bodies [][]byte) {
	tb.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		seq := loadSequence(tb, file)
		for _, s := range seq.Steps {
			if u, err := url.Parse(s.Request.Path); err == nil && u.Query().Has("filter") {
				filters = append(filters, u.Query().Get("filter"))
			}
			if s.Request.Method != "PATCH" {
				continue
			}
			bodies = append(bodies, s.Request.Body)
			var req struct {
				Operations []struct {
					Path  string          `json:"path"`
					Value json.RawMessage `json:"value"`
				}
			}
			if err := json.Unmarshal(s.Request.Body, &req); err != nil {
				tb.Fatal(err)
			}
			for _, o := range req.Operations {
				if o.Path != "" {
					paths = append(paths, o.Path)
				}
				var keys map[string]json.RawMessage
				if json.Unmarshal(o.Value, &keys) == nil {
					for k := range keys {
						paths = append(paths, k)
					}
				}
			}
		}
	}
	return filters, paths, bodies
}

// queryBackend remembers the last list query, to prove a filter never turns into an
// unfiltered list.
type queryBackend struct {
	*fakeBackend
	mu     sync.Mutex
	users  []scim.UserQuery
	groups []scim.GroupQuery
}

func (b *queryBackend) ListUsers(ctx context.Context, q scim.UserQuery) ([]scim.User, int, error) {
	b.mu.Lock()
	b.users = append(b.users, q)
	b.mu.Unlock()
	return b.fakeBackend.ListUsers(ctx, q)
}

func (b *queryBackend) ListGroups(ctx context.Context, q scim.GroupQuery) ([]scim.Group, int, error) {
	b.mu.Lock()
	b.groups = append(b.groups, q)
	b.mu.Unlock()
	return b.fakeBackend.ListGroups(ctx, q)
}

func FuzzFilter(f *testing.F) {
	filters, _, _ := seeds(f)
	for _, s := range append(filters,
		`userName eq "bjensen"`, `emails[type eq "work"].value eq "a@b.c"`, `id eq "g" and members eq "u"`,
		`userName co "x"`, `userName eq "a" or id eq "b"`, `not (id eq "x")`, `userName eq "unbalanced`,
		`emails[type eq "work"`, `members[value eq "u"]`, `externalId eq "x" and externalId eq "y"`, "\x00", `"`, `[]`) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		backend := &queryBackend{fakeBackend: newFake()}
		h := mount(t, backend, nil)
		for _, endpoint := range []string{"/Users", "/Groups"} {
			rec := call(t, h, "GET", endpoint+"?"+url.Values{"filter": {filter}}.Encode(), "", "")
			switch rec.Code {
			case 200:
			case 400:
				if _, scimType, _ := scimError(t, rec); scimType != "invalidFilter" {
					t.Fatalf("%s %q: scimType %q", endpoint, filter, scimType)
				}
			default:
				t.Fatalf("%s %q: status %d: %s", endpoint, filter, rec.Code, rec.Body)
			}
		}
		if strings.TrimSpace(filter) == "" {
			return
		}
		for _, q := range backend.users {
			if q.Filter == (scim.UserFilter{}) {
				t.Fatalf("filter %q listed every user", filter)
			}
		}
		for _, q := range backend.groups {
			if q.Filter == (scim.GroupFilter{}) {
				t.Fatalf("filter %q listed every group", filter)
			}
		}
	})
}

// patchRefusals are the scimTypes a refused PATCH may carry.
var patchRefusals = map[string]bool{"invalidPath": true, "invalidFilter": true, "invalidValue": true, "invalidSyntax": true, "noTarget": true, "mutability": true}

// patchBoth sends body as a PATCH to a user and to a group, and checks that each answer is
// a success or a 400 with a PATCH scimType (or a 409 from the backend for a taken value).
func patchBoth(t *testing.T, body string) {
	t.Helper()
	backend := newFake("u1", "u2", "g1")
	ctx := context.Background()
	for _, addr := range []string{"a@example.com", "b@example.com"} {
		if _, err := backend.CreateUser(ctx, scim.User{UserName: addr, Email: addr, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := backend.CreateGroup(ctx, scim.Group{DisplayName: "G", Members: []scim.Member{{Value: "u1"}}}); err != nil {
		t.Fatal(err)
	}
	h := mount(t, backend, nil)
	for _, target := range []string{"/Users/u1", "/Groups/g1"} {
		rec := call(t, h, "PATCH", target, scim.ContentType, body)
		switch rec.Code {
		case 200, 204, 409:
		case 400:
			if _, scimType, _ := scimError(t, rec); !patchRefusals[scimType] {
				t.Fatalf("%s %s: scimType %q", target, body, scimType)
			}
		default:
			t.Fatalf("%s %s: status %d: %s", target, body, rec.Code, rec.Body)
		}
	}
}

func FuzzPatchPath(f *testing.F) {
	_, paths, _ := seeds(f)
	for _, s := range append(paths, "members", `members[value eq "u1"]`, `emails[value eq "a@example.com"]`, "name", "id",
		`emails[type eq "work"`, "name..x", `members[display co "x"]`, "urn:ietf:params:scim:schemas:core:2.0:User:", "") {
		f.Add(s, `"x"`)
		f.Add(s, `[{"value":"u2"}]`)
	}
	f.Fuzz(func(t *testing.T, path, value string) {
		if !json.Valid([]byte(value)) {
			value = `null`
		}
		for _, op := range []string{"add", "Replace", "remove"} {
			p, _ := json.Marshal(path)
			patchBoth(t, `{"Operations":[{"op":"`+op+`","path":`+string(p)+`,"value":`+value+`}]}`)
		}
	})
}

func FuzzPatchRequest(f *testing.F) {
	_, _, bodies := seeds(f)
	for _, b := range bodies {
		f.Add(b)
	}
	f.Add([]byte(`{"Operations":[{"op":"replace","value":{"emails":[{"value":"b@example.com"}]}}]}`))
	f.Add([]byte(`{"Operations":[{"op":"remove","path":"emails"}]}`))
	f.Add([]byte(`{"Operations":[{"op":"add","path":"members","value":[{"value":"nobody"}]}]}`))
	f.Add([]byte(`{"Operations":[]}`))
	f.Add([]byte(`{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"urn:ietf:params:scim:schemas:core:2.0:User":{}}}}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		patchBoth(t, string(body))
	})
}
