package connector

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// oktaUser is a user as Okta's API lists it, with the parts sync does not read.
type oktaUser struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"`
	Created         string         `json:"created"`
	Activated       *string        `json:"activated"`
	StatusChanged   string         `json:"statusChanged"`
	LastLogin       string         `json:"lastLogin"`
	LastUpdated     string         `json:"lastUpdated"`
	PasswordChanged *string        `json:"passwordChanged"`
	Type            map[string]any `json:"type"`
	Profile         map[string]any `json:"profile"`
	Credentials     map[string]any `json:"credentials"`
	Links           map[string]any `json:"_links"`
}

// newOktaUser is an Okta user of the org at base.
func newOktaUser(base, id, status, first, last, email string) oktaUser {
	ts := "2024-05-02T08:12:40.000Z"
	return oktaUser{ID: id, Status: status, Created: ts, StatusChanged: ts, LastLogin: ts, LastUpdated: ts,
		Type:        map[string]any{"id": "oty1abcdEFGH12345678"},
		Profile:     map[string]any{"firstName": first, "lastName": last, "mobilePhone": nil, "secondEmail": nil, "login": email, "email": email},
		Credentials: map[string]any{"provider": map[string]string{"type": "OKTA", "name": "OKTA"}},
		Links:       map[string]any{"self": map[string]string{"href": base + "/api/v1/users/" + id}}}
}

// fakeOktaGroup is a group of the fake org.
type fakeOktaGroup struct {
	name  string
	count int
	user  func(i int) oktaUser
}

// fakeOkta is an Okta org's API on 127.0.0.1, with a rate limit on the group users
// endpoint that follows the fake clock.
type fakeOkta struct {
	srv      *httptest.Server
	token    string
	pageSize int
	latency  time.Duration
	clock    *fakeClock
	hooks    hooks

	mu        sync.Mutex
	groups    map[string]*fakeOktaGroup
	limit     int
	remaining int
	reset     time.Time
	limited   int      // 429s sent
	issued    []string // next links sent
	followed  []string // group users requests after the first, as received
}

func newFakeOkta(t testing.TB, clock *fakeClock) *fakeOkta {
	f := &fakeOkta{token: "00Okta-API-token_abcdefghijklmnop", pageSize: 2, clock: clock, limit: 600,
		groups: make(map[string]*fakeOktaGroup)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// config is an OktaConfig for the fake, reading groups.
func (f *fakeOkta) config(groups ...string) OktaConfig {
	c := OktaConfig{Domain: f.srv.URL, APIToken: NewSecret(f.token)}
	for _, g := range groups {
		c.Groups = append(c.Groups, Group{ID: g})
	}
	return c
}

// add puts a group of users into the org.
func (f *fakeOkta) add(id, name string, users ...oktaUser) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups[id] = &fakeOktaGroup{name: name, count: len(users), user: func(i int) oktaUser { return users[i] }}
}

// oktaError is Okta's error body.
func oktaError(code, summary string) map[string]any {
	return map[string]any{"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae8x2", "errorCauses": []any{}}
}

// spend counts a request against the rate limit and sets its headers; it reports false
// when the window's budget is spent.
func (f *fakeOkta) spend(w http.ResponseWriter) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	if !now.Before(f.reset) {
		f.remaining, f.reset = f.limit, now.Truncate(time.Second).Add(time.Minute)
	}
	ok := f.remaining > 0
	if ok {
		f.remaining--
	} else {
		f.limited++
	}
	w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(f.limit))
	w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(f.remaining))
	w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(f.reset.Unix(), 10))
	return ok
}

func (f *fakeOkta) serve(w http.ResponseWriter, r *http.Request) {
	if f.hooks.handled(w, r) {
		return
	}
	if bearer(r, "SSWS") != f.token {
		writeJSON(w, http.StatusUnauthorized, oktaError("E0000011", "Invalid token provided"))
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/groups/"), "/")
	f.mu.Lock()
	g, ok := f.groups[parts[0]]
	f.mu.Unlock()
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, oktaError("E0000007", "Not found: Resource not found: "+parts[0]+" (UserGroup)"))
	case len(parts) == 1:
		writeJSON(w, http.StatusOK, map[string]any{"id": parts[0], "type": "OKTA_GROUP", "profile": map[string]string{"name": g.name, "description": ""}})
	case len(parts) == 2 && parts[1] == "users":
		if !f.spend(w) {
			writeJSON(w, http.StatusTooManyRequests, oktaError("E0000047", "API call exceeded rate limit due to too many requests."))
			return
		}
		f.users(w, r, parts[0], g)
	default:
		writeJSON(w, http.StatusNotFound, oktaError("E0000022", "The endpoint does not support the provided HTTP method"))
	}
}

// users is a page of GET /api/v1/groups/{id}/users: an opaque "after" cursor, and Link
// headers for self and next, one header each, as Okta sends them.
func (f *fakeOkta) users(w http.ResponseWriter, r *http.Request, id string, g *fakeOktaGroup) {
	if r.URL.Query().Get("limit") != "200" {
		writeJSON(w, http.StatusBadRequest, oktaError("E0000001", "Api validation failed: limit"))
		return
	}
	from := 0
	if after := r.URL.Query().Get("after"); after != "" {
		f.mu.Lock()
		f.followed = append(f.followed, f.srv.URL+r.URL.RequestURI())
		f.mu.Unlock()
		raw, err := base64.RawURLEncoding.DecodeString(after)
		if _, scanErr := fmt.Sscanf(string(raw), "cursor:%d", &from); err != nil || scanErr != nil {
			writeJSON(w, http.StatusBadRequest, oktaError("E0000001", "Api validation failed: after"))
			return
		}
	}
	if f.latency > 0 {
		time.Sleep(f.latency) // the provider's own latency, which the benchmark measures against
	}
	to := min(from+f.pageSize, g.count)
	self := f.srv.URL + r.URL.RequestURI()
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if to < g.count {
		next := f.srv.URL + "/api/v1/groups/" + id + "/users?after=" + base64.RawURLEncoding.EncodeToString([]byte("cursor:"+strconv.Itoa(to))) + "&limit=200"
		w.Header().Add("Link", "<"+next+`>; rel="next"`)
		f.mu.Lock()
		f.issued = append(f.issued, next)
		f.mu.Unlock()
	}
	users := make([]oktaUser, 0, to-from)
	for i := from; i < to; i++ {
		users = append(users, g.user(i))
	}
	writeJSON(w, http.StatusOK, users)
}
