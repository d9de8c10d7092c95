package connector

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// graphMember is a member as Graph lists it.
type graphMember struct {
	Type           string  `json:"@odata.type"`
	ID             string  `json:"id"`
	DisplayName    string  `json:"displayName"`
	GivenName      *string `json:"givenName,omitempty"`
	Surname        *string `json:"surname,omitempty"`
	Mail           *string `json:"mail"`
	UPN            string  `json:"userPrincipalName,omitempty"`
	AccountEnabled *bool   `json:"accountEnabled,omitempty"`
}

// fakeGraphGroup is a group of the fake tenant: count members, made by member.
type fakeGraphGroup struct {
	name    string
	count   int
	member  func(i int) graphMember
	version int // bumped by a membership change, for delta
}

// fakeGraph is Microsoft's token endpoint and Graph for one tenant, on 127.0.0.1.
type fakeGraph struct {
	t        *testing.T
	srv      *httptest.Server
	tenant   string
	clientID string
	secret   string
	pageSize int
	latency  time.Duration // per members page, for the benchmark
	hooks    hooks

	mu     sync.Mutex
	groups map[string]*fakeGraphGroup
	tokens []string            // issued, in order
	valid  map[string]bool     // accepted access tokens
	bodies map[string][]string // members pages as sent, by group
	paths  []string
}

func newFakeGraph(t testing.TB) *fakeGraph {
	f := &fakeGraph{tenant: "contoso.onmicrosoft.com", clientID: "11111111-2222-3333-4444-555555555555",
		secret: "graph-Secret~value.0123456789", pageSize: 2,
		groups: make(map[string]*fakeGraphGroup), valid: make(map[string]bool), bodies: make(map[string][]string)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// config is a GraphConfig for the fake, reading groups.
func (f *fakeGraph) config(groups ...string) GraphConfig {
	c := GraphConfig{TenantID: f.tenant, ClientID: f.clientID, ClientSecret: NewSecret(f.secret),
		AuthorityURL: f.srv.URL, GraphURL: f.srv.URL}
	for _, g := range groups {
		c.Groups = append(c.Groups, Group{ID: g})
	}
	return c
}

// add puts a group of members into the tenant.
func (f *fakeGraph) add(id, name string, members ...graphMember) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups[id] = &fakeGraphGroup{name: name, count: len(members), member: func(i int) graphMember { return members[i] }}
}

// change bumps a group's membership, as delta sees it.
func (f *fakeGraph) change(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups[id].version++
}

// tokenCount is the number of access tokens issued.
func (f *fakeGraph) tokenCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokens)
}

// revoke makes Graph refuse every token issued so far, as after their expiry.
func (f *fakeGraph) revoke() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.valid = make(map[string]bool)
}

func (f *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.RequestURI())
	f.mu.Unlock()
	if f.hooks.handled(w, r) {
		return
	}
	if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		f.token(w, r)
		return
	}
	f.mu.Lock()
	ok := f.valid[bearer(r, "Bearer")]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, graphError("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."))
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1.0/groups/"), "/")
	switch {
	case r.URL.Path == "/v1.0/groups/delta":
		f.delta(w, r)
	case len(parts) == 1:
		f.group(w, parts[0])
	case len(parts) == 2 && (parts[1] == "members" || parts[1] == "transitiveMembers"):
		rec := &recorder{ResponseWriter: w}
		f.members(rec, r, parts[0])
		f.mu.Lock()
		f.bodies[parts[0]] = append(f.bodies[parts[0]], rec.body.String())
		f.mu.Unlock()
	default:
		writeJSON(w, http.StatusNotFound, graphError("Request_ResourceNotFound", "no such path"))
	}
}

// recorder keeps what a handler wrote.
type recorder struct {
	http.ResponseWriter
	body strings.Builder
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// graphError is Graph's error body.
func graphError(code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg,
		"innerError": map[string]string{"request-id": "0b1c", "date": "2024-06-01T09:00:00"}}}
}

// aadError is the token endpoint's error body.
func aadError(code, aad, msg string) map[string]any {
	return map[string]any{"error": code, "error_codes": []int{0},
		"error_description": aad + ": " + msg + " Trace ID: 5a7e Correlation ID: 9b2c Timestamp: 2024-06-01 09:00:00Z"}
}

// token is the client credentials grant, checked as Microsoft checks it.
func (f *fakeGraph) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		writeJSON(w, http.StatusBadRequest, aadError("invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'grant_type'."))
		return
	}
	switch {
	case r.URL.Path != "/"+f.tenant+"/oauth2/v2.0/token":
		writeJSON(w, http.StatusBadRequest, aadError("invalid_request", "AADSTS90002", "Tenant 'x' not found."))
	case r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "https://graph.microsoft.com/.default":
		writeJSON(w, http.StatusBadRequest, aadError("invalid_request", "AADSTS900144", "Wrong grant or scope."))
	case r.PostForm.Get("client_id") != f.clientID:
		writeJSON(w, http.StatusBadRequest, aadError("unauthorized_client", "AADSTS700016", "Application with identifier 'x' was not found in the directory."))
	case r.PostForm.Get("client_secret") != f.secret:
		writeJSON(w, http.StatusUnauthorized, aadError("invalid_client", "AADSTS7000215", "Invalid client secret provided. Ensure the secret being sent is the value."))
	default:
		f.mu.Lock()
		tok := fmt.Sprintf("graph-access-%d", len(f.tokens)+1)
		f.tokens = append(f.tokens, tok)
		f.valid[tok] = true
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
	}
}

// group is GET /v1.0/groups/{id}.
func (f *fakeGraph) group(w http.ResponseWriter, id string) {
	f.mu.Lock()
	g, ok := f.groups[id]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, graphError("Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": f.srv.URL + "/v1.0/$metadata#groups(id,displayName)/$entity", "id": id, "displayName": g.name})
}

// members is a page of GET /v1.0/groups/{id}/members, paged with $skiptoken.
func (f *fakeGraph) members(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	if q.Get("$select") != graphSelect || q.Get("$top") != "999" {
		writeJSON(w, http.StatusBadRequest, graphError("Request_BadRequest", "unexpected query "+r.URL.RawQuery))
		return
	}
	f.mu.Lock()
	g, ok := f.groups[id]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, graphError("Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present."))
		return
	}
	if f.latency > 0 {
		time.Sleep(f.latency) // the provider's own latency, which the benchmark measures against
	}
	from, _ := strconv.Atoi(q.Get("$skiptoken"))
	to := min(from+f.pageSize, g.count)
	page := map[string]any{"@odata.context": f.srv.URL + "/v1.0/$metadata#directoryObjects"}
	value := make([]graphMember, 0, to-from)
	for i := from; i < to; i++ {
		value = append(value, g.member(i))
	}
	page["value"] = value
	if to < g.count {
		page["@odata.nextLink"] = f.srv.URL + r.URL.Path + "?$select=" + graphSelect + "&$top=999&$skiptoken=" + strconv.Itoa(to)
	}
	writeJSON(w, http.StatusOK, page)
}

// delta is GET /v1.0/groups/delta: with $deltatoken=latest the current link, with an
// earlier link the group's changes since.
func (f *fakeGraph) delta(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("$deltatoken")
	id, version := "", -1
	if token == "latest" {
		id = strings.TrimSuffix(strings.TrimPrefix(q.Get("$filter"), "id eq '"), "'")
		if q.Get("$select") != "members" {
			writeJSON(w, http.StatusBadRequest, graphError("Request_BadRequest", "expected $select=members"))
			return
		}
	} else if n, err := fmt.Sscanf(token, "%s %d", &id, &version); n != 2 || err != nil {
		writeJSON(w, http.StatusBadRequest, graphError("syncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again."))
		return
	}
	f.mu.Lock()
	g, ok := f.groups[id]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{}, "@odata.deltaLink": f.srv.URL + "/v1.0/groups/delta?$deltatoken=gone%200"})
		return
	}
	value := []any{}
	if version >= 0 && version < g.version {
		value = append(value, map[string]any{"id": id, "members@delta": []any{map[string]string{"@odata.type": "#microsoft.graph.user", "id": "new"}}})
	}
	link := f.srv.URL + "/v1.0/groups/delta?$deltatoken=" + id + "%20" + strconv.Itoa(g.version)
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": f.srv.URL + "/v1.0/$metadata#groups", "value": value, "@odata.deltaLink": link})
}
