package connector

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// scimUser is a User resource of the fake SCIM server, and the ids of its groups.
type scimUser struct {
	id, userName, given, family, email string
	active                             bool
	groups                             []string
}

// resource is the User as the server sends it.
func (u scimUser) resource(base string) map[string]any {
	groups := []map[string]string{}
	for _, g := range u.groups {
		groups = append(groups, map[string]string{"value": g, "$ref": base + "/Groups/" + g})
	}
	r := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": u.id, "userName": u.userName,
		"name": map[string]string{"givenName": u.given, "familyName": u.family}, "active": u.active, "groups": groups,
		"meta": map[string]string{"resourceType": "User", "location": base + "/Users/" + u.id},
	}
	if u.email != "" {
		r["emails"] = []map[string]any{{"value": u.email, "type": "work", "primary": true}}
	}
	return r
}

// fakeSCIM is a SCIM 2.0 server on 127.0.0.1 that sends at most maxCount users a page,
// whatever count was asked for.
type fakeSCIM struct {
	srv      *httptest.Server
	token    string
	maxCount int
	noFilter bool // refuses filters on groups.value, as many servers do
	hooks    hooks

	mu     sync.Mutex
	users  []scimUser
	groups map[string]string // id -> displayName
}

func newFakeSCIM(t testing.TB) *fakeSCIM {
	f := &fakeSCIM{token: "scim-bearer-token-abcdef", maxCount: 2, groups: make(map[string]string)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// config is a SCIMConfig for the fake, reading groups (none: every user).
func (f *fakeSCIM) config(groups ...string) SCIMConfig {
	c := SCIMConfig{URL: f.srv.URL + "/scim/v2", BearerToken: NewSecret(f.token)}
	for _, g := range groups {
		c.Groups = append(c.Groups, Group{ID: g})
	}
	return c
}

// scimError is a SCIM error body; status is a string, as RFC 7644 has it.
func scimError(status int, scimType, detail string) map[string]any {
	e := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		e["scimType"] = scimType
	}
	return e
}

func (f *fakeSCIM) serve(w http.ResponseWriter, r *http.Request) {
	if f.hooks.handled(w, r) {
		return
	}
	if bearer(r, "Bearer") != f.token {
		writeJSON(w, http.StatusUnauthorized, scimError(401, "", "Authorization failure. The authorization header is invalid or missing."))
		return
	}
	base := f.srv.URL + "/scim/v2"
	switch path := strings.TrimPrefix(r.URL.Path, "/scim/v2"); {
	case path == "/Users":
		f.list(w, r, base)
	case strings.HasPrefix(path, "/Groups/"):
		id := strings.TrimPrefix(path, "/Groups/")
		f.mu.Lock()
		name, ok := f.groups[id]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, scimError(404, "", "Resource "+id+" not found"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "id": id, "displayName": name})
	default:
		writeJSON(w, http.StatusNotFound, scimError(404, "", "no such endpoint"))
	}
}

// list is GET /Users: a ListResponse page, filtered by groups.value eq "id".
func (f *fakeSCIM) list(w http.ResponseWriter, r *http.Request, base string) {
	q := r.URL.Query()
	start, err1 := strconv.Atoi(q.Get("startIndex"))
	count, err2 := strconv.Atoi(q.Get("count"))
	if err1 != nil || err2 != nil || start < 1 {
		writeJSON(w, http.StatusBadRequest, scimError(400, "invalidValue", "startIndex and count must be numbers"))
		return
	}
	f.mu.Lock()
	users := f.users
	f.mu.Unlock()
	if filter := q.Get("filter"); filter != "" {
		group, ok := strings.CutPrefix(filter, `groups.value eq "`)
		if f.noFilter || !ok || !strings.HasSuffix(group, `"`) {
			writeJSON(w, http.StatusBadRequest, scimError(400, "invalidFilter", "The specified filter syntax was invalid or the specified attribute and filter comparison combination is not supported."))
			return
		}
		group = strings.TrimSuffix(group, `"`)
		var in []scimUser
		for _, u := range users {
			for _, g := range u.groups {
				if g == group {
					in = append(in, u)
				}
			}
		}
		users = in
	}
	from := min(start-1, len(users))
	to := min(from+min(count, f.maxCount), len(users))
	resources := []any{}
	for _, u := range users[from:to] {
		resources = append(resources, u.resource(base))
	}
	writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": len(users), "startIndex": start, "itemsPerPage": len(resources), "Resources": resources})
}
