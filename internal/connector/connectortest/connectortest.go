// Package connectortest serves fake identity-provider APIs on 127.0.0.1 for tests and the
// Lambda emulator's smoke runs: an Okta org and a Microsoft Graph tenant, answering in the
// shapes the real APIs document (Okta's user arrays with Link headers, Graph's member pages
// with @odata.nextLink, its token endpoint and its groups delta query), with their errors
// for wrong credentials and unknown groups. Only the egress client of the local stack
// (egress.Options.LocalStack) reaches them.
package connectortest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Person is one user of a fake directory.
type Person struct {
	ID, Email, First, Last string
	// Inactive is a suspended (Okta) or disabled (Graph) account.
	Inactive bool
}

// group is a group of a fake directory; gen counts its membership changes.
type group struct {
	name   string
	people []Person
	gen    int
}

// directory is what both fakes hold.
type directory struct {
	mu       sync.Mutex
	groups   map[string]*group
	requests atomic.Int64
}

// SetGroup creates or replaces group id, named name, with people: a membership change.
func (d *directory) SetGroup(id, name string, people ...Person) {
	d.mu.Lock()
	defer d.mu.Unlock()
	g, ok := d.groups[id]
	if !ok {
		g = &group{}
		d.groups[id] = g
	}
	g.name, g.people, g.gen = name, slices.Clone(people), g.gen+1
}

// Requests counts the requests served so far.
func (d *directory) Requests() int { return int(d.requests.Load()) }

// page is people[from:from+size] and the start of the next page (0 when none).
func page(people []Person, from, size int) ([]Person, int) {
	from = min(max(from, 0), len(people))
	to := min(from+size, len(people))
	if to == len(people) {
		return people[from:to], 0
	}
	return people[from:to], to
}

// Okta is a fake Okta org: GET /api/v1/groups/{id} and /api/v1/groups/{id}/users, paged
// by the Link header, with Authorization: SSWS <Token>.
type Okta struct {
	directory
	URL, Token string
	// PageSize is how many users a page holds; 200 as Okta's, unless set.
	PageSize int
}

// NewOkta starts a fake Okta org; it stops when the test ends.
func NewOkta(tb testing.TB, token string) *Okta {
	tb.Helper()
	o := &Okta{directory: directory{groups: map[string]*group{}}, Token: token, PageSize: 200}
	srv := httptest.NewServer(http.HandlerFunc(o.serve))
	tb.Cleanup(srv.Close)
	o.URL = srv.URL
	return o
}

func (o *Okta) serve(w http.ResponseWriter, r *http.Request) {
	o.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "SSWS "+o.Token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprint(w, `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeFake","errorCauses":[]}`)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/groups/")
	id, users := strings.CutSuffix(rest, "/users")
	o.mu.Lock()
	g := o.groups[id]
	var people []Person
	if g != nil {
		people = g.people
	}
	name := ""
	if g != nil {
		name = g.name
	}
	o.mu.Unlock()
	if !ok || r.Method != http.MethodGet || g == nil {
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: %s (UserGroup)","errorLink":"E0000007","errorId":"oaeFake","errorCauses":[]}`, id)
		return
	}
	if !users {
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "type": "OKTA_GROUP", "profile": map[string]string{"name": name, "description": ""}})
		return
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("after"))
	size := o.PageSize
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 {
		size = min(size, l)
	}
	list, next := page(people, from, size)
	w.Header().Add("Link", fmt.Sprintf(`<%s/api/v1/groups/%s/users?limit=%d>; rel="self"`, o.URL, id, size))
	if next > 0 {
		w.Header().Add("Link", fmt.Sprintf(`<%s/api/v1/groups/%s/users?after=%d&limit=%d>; rel="next"`, o.URL, id, next, size))
	}
	w.Header().Set("X-Rate-Limit-Limit", "600")
	w.Header().Set("X-Rate-Limit-Remaining", "599")
	w.Header().Set("X-Rate-Limit-Reset", "4102444800")
	out := make([]map[string]any, len(list))
	for i, p := range list {
		status := "ACTIVE"
		if p.Inactive {
			status = "SUSPENDED"
		}
		out[i] = map[string]any{"id": p.ID, "status": status, "type": map[string]string{"id": "otyFake"},
			"profile": map[string]any{"firstName": p.First, "lastName": p.Last, "email": p.Email, "login": p.Email}}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// Graph is a fake Microsoft Graph tenant, sign-in included: POST /{tenant}/oauth2/v2.0/token
// (client credentials), GET /v1.0/groups/{id}, /v1.0/groups/{id}/members and the groups
// delta query. Use its URL as both authorityUrl and graphUrl.
type Graph struct {
	directory
	URL                            string
	Tenant, ClientID, ClientSecret string
	// PageSize is how many members a page holds; 999 as Graph's, unless set.
	PageSize int
	tokens   atomic.Int64
}

// NewGraph starts a fake Graph tenant; it stops when the test ends.
func NewGraph(tb testing.TB, tenant, clientID, clientSecret string) *Graph {
	tb.Helper()
	g := &Graph{directory: directory{groups: map[string]*group{}}, Tenant: tenant, ClientID: clientID, ClientSecret: clientSecret, PageSize: 999}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	tb.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// graphError writes Graph's error body.
func graphError(w http.ResponseWriter, status int, code, message string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

func (g *Graph) serve(w http.ResponseWriter, r *http.Request) {
	g.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/"+g.Tenant+"/oauth2/v2.0/token" {
		if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != g.ClientID || r.PostForm.Get("client_secret") != g.ClientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}`)
			return
		}
		_, _ = fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"fake-%d"}`, g.tokens.Add(1))
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer fake-") {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1.0/groups/")
	if !ok || r.Method != http.MethodGet {
		graphError(w, http.StatusBadRequest, "BadRequest", "Unsupported request")
		return
	}
	if rest == "delta" {
		g.delta(w, r)
		return
	}
	id, members := strings.CutSuffix(rest, "/members")
	g.mu.Lock()
	grp := g.groups[id]
	var people []Person
	name := ""
	if grp != nil {
		people, name = grp.people, grp.name
	}
	g.mu.Unlock()
	if grp == nil {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
		return
	}
	if !members {
		_ = json.NewEncoder(w).Encode(map[string]string{"@odata.context": g.URL + "/v1.0/$metadata#groups(id,displayName)/$entity", "id": id, "displayName": name})
		return
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	list, next := page(people, from, g.PageSize)
	out := map[string]any{"@odata.context": g.URL + "/v1.0/$metadata#directoryObjects"}
	if next > 0 {
		q := url.Values{"$select": {r.URL.Query().Get("$select")}, "$top": {strconv.Itoa(g.PageSize)}, "$skiptoken": {strconv.Itoa(next)}}
		out["@odata.nextLink"] = g.URL + "/v1.0/groups/" + id + "/members?" + q.Encode()
	}
	value := make([]map[string]any, len(list))
	for i, p := range list {
		value[i] = map[string]any{"@odata.type": "#microsoft.graph.user", "id": p.ID, "displayName": strings.TrimSpace(p.First + " " + p.Last),
			"givenName": p.First, "surname": p.Last, "mail": p.Email, "userPrincipalName": p.Email, "accountEnabled": !p.Inactive}
	}
	out["value"] = value
	_ = json.NewEncoder(w).Encode(out)
}

// delta answers the groups delta query of one group: $deltatoken=latest gives a link at the
// group's current membership; a link answers the group with members@delta when its
// membership changed since, and nothing otherwise, with a link at the current one.
func (g *Graph) delta(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var id string
	var since int
	if f := q.Get("$filter"); f != "" {
		id = strings.TrimSuffix(strings.TrimPrefix(f, "id eq '"), "'")
	} else {
		parts := strings.SplitN(q.Get("$deltatoken"), ".", 2)
		if len(parts) != 2 {
			graphError(w, http.StatusBadRequest, "syncStateNotFound", "The delta token is not valid.")
			return
		}
		id = parts[0]
		since, _ = strconv.Atoi(parts[1])
	}
	g.mu.Lock()
	grp := g.groups[id]
	gen := 0
	if grp != nil {
		gen = grp.gen
	}
	g.mu.Unlock()
	if grp == nil {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist.")
		return
	}
	value := []map[string]any{}
	if q.Get("$deltatoken") != "latest" && since != gen {
		value = append(value, map[string]any{"id": id, "members@delta": []map[string]string{{"@odata.type": "#microsoft.graph.user", "id": "changed"}}})
	}
	link := g.URL + "/v1.0/groups/delta?" + url.Values{"$deltatoken": {id + "." + strconv.Itoa(gen)}}.Encode()
	_ = json.NewEncoder(w).Encode(map[string]any{"@odata.context": g.URL + "/v1.0/$metadata#groups", "value": value, "@odata.deltaLink": link})
}
