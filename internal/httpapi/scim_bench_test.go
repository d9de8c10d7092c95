package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/provision"
)

// The SCIM benchmarks send Okta's requests through the same handler as the API, on the
// embedded DynamoDB, and report the DynamoDB requests each costs; BenchmarkSingleInvite,
// the plain invite, is their baseline in the same make bench.

// scimBench is a handler with one organization whose SCIM token is scim; settings are PUT
// first when given.
type scimBench struct {
	h     http.Handler
	env   dynamotest.Env
	scim  string
	admin string
}

func newSCIMBench(b *testing.B, settings string) *scimBench {
	b.Helper()
	env := dynamotest.New(b)
	svc := org.NewService(env.Store.Org())
	_, secret := orgtest.Seed(b, svc, "bench", "Bench")
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	prov := provision.New(env.Store.SCIM, env.Store.Sync, svc, log)
	h := mustAPI(b, httpapi.Config{Service: svc, Idempotency: env.Store.Idempotency, Logger: log, SCIM: prov, PublicURL: "https://gatehouse.example.com"})
	s := &scimBench{h: h, env: env, admin: secret}
	if settings != "" {
		s.send(b, http.MethodPut, "/api/v1/integrations/scim", secret, settings, http.StatusOK)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(s.send(b, http.MethodPost, "/api/v1/integrations/scim/token", secret, "", http.StatusCreated), &tok); err != nil {
		b.Fatal(err)
	}
	s.scim = tok.Token
	return s
}

func (s *scimBench) send(b *testing.B, method, path, secret, body string, want int) []byte {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	return rec.Body.Bytes()
}

func oktaUser(i int) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"person%d@example.com",`+
		`"name":{"givenName":"Person","familyName":"%d"},"emails":[{"primary":true,"value":"person%d@example.com","type":"work"}],`+
		`"displayName":"Person %d","active":true,"password":"x-not-kept","groups":[]}`, i, i, i, i)
}

// createUsers creates n people over SCIM and returns their ids.
func (s *scimBench) createUsers(b *testing.B, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range n {
		var u struct{ ID string }
		if err := json.Unmarshal(s.send(b, http.MethodPost, "/scim/v2/Users", s.scim, oktaUser(i), http.StatusCreated), &u); err != nil {
			b.Fatal(err)
		}
		ids[i] = u.ID
	}
	return ids
}

func (s *scimBench) report(b *testing.B, per string, n int) {
	b.ReportMetric(float64(s.env.Requests.Total())/float64(n), "requests/"+per)
}

// BenchmarkSCIMCreateUser is Okta's POST /Users of a new person (an invitation, no email).
func BenchmarkSCIMCreateUser(b *testing.B) {
	s := newSCIMBench(b, `{"sendEmail":false}`)
	bodies := make([]string, b.N)
	for i := range bodies {
		bodies[i] = oktaUser(i)
	}
	s.env.Requests.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.send(b, http.MethodPost, "/scim/v2/Users", s.scim, bodies[i], http.StatusCreated)
	}
	b.StopTimer()
	s.report(b, "create", b.N)
}

// BenchmarkSCIMFilterUser is the lookup Okta and Entra make before each create:
// GET /Users?filter=userName eq "…", in an organization of 500 people.
func BenchmarkSCIMFilterUser(b *testing.B) {
	s := newSCIMBench(b, `{"sendEmail":false}`)
	const people = 500
	s.createUsers(b, people)
	paths := make([]string, people)
	for i := range paths {
		paths[i] = "/scim/v2/Users?filter=" + url.QueryEscape(fmt.Sprintf(`userName eq "Person%d@Example.com"`, i))
	}
	s.env.Requests.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		body := s.send(b, http.MethodGet, paths[i%people], s.scim, "", http.StatusOK)
		if !strings.Contains(string(body), `"totalResults":1`) {
			b.Fatalf("filter found no one: %s", body)
		}
	}
	b.StopTimer()
	s.report(b, "filter", b.N)
}

// BenchmarkSCIMDeactivateUser is Okta's PATCH active=false of a pending person (the guardrail
// set high enough that nothing is held).
func BenchmarkSCIMDeactivateUser(b *testing.B) {
	s := newSCIMBench(b, `{"sendEmail":false,"deactivationHold":{"share":1,"floor":100000,"windowMinutes":60}}`)
	ids := s.createUsers(b, b.N)
	const patch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	s.env.Requests.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.send(b, http.MethodPatch, "/scim/v2/Users/"+ids[i], s.scim, patch, http.StatusOK)
	}
	b.StopTimer()
	s.report(b, "deactivate", b.N)
}

// BenchmarkSCIMGroupPatch1000 is Okta's Group Push of a group of 1,000 people in one PATCH
// to a new group mapped to a role above the default, so each of the 1,000 is also promoted.
// Between rounds the group is deleted, which demotes them again.
func BenchmarkSCIMGroupPatch1000(b *testing.B) {
	s := newSCIMBench(b, `{"sendEmail":false,"defaultRole":"viewer","roleMappings":[{"group":"Engineering","role":"member"}]}`)
	ids := s.createUsers(b, 1000)
	var members strings.Builder
	for i, id := range ids {
		if i > 0 {
			members.WriteByte(',')
		}
		fmt.Fprintf(&members, `{"value":%q}`, id)
	}
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[` + members.String() + `]}]}`
	const group = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[]}`
	promoted := func(want string) {
		var page struct{ Items []struct{ Role string } }
		if err := json.Unmarshal(s.send(b, http.MethodGet, "/api/v1/invitations?limit=100", s.admin, "", http.StatusOK), &page); err != nil {
			b.Fatal(err)
		}
		for _, inv := range page.Items {
			if inv.Role != want {
				b.Fatalf("a person's role is %s, want %s", inv.Role, want)
			}
		}
	}
	var requests int64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		var g struct{ ID string }
		if err := json.Unmarshal(s.send(b, http.MethodPost, "/scim/v2/Groups", s.scim, group, http.StatusCreated), &g); err != nil {
			b.Fatal(err)
		}
		s.env.Requests.Reset()
		b.StartTimer()
		s.send(b, http.MethodPatch, "/scim/v2/Groups/"+g.ID, s.scim, patch, http.StatusNoContent)
		b.StopTimer()
		requests += s.env.Requests.Total()
		promoted("member")
		s.send(b, http.MethodDelete, "/scim/v2/Groups/"+g.ID, s.scim, "", http.StatusNoContent)
		promoted("viewer")
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(requests)/float64(b.N), "requests/patch")
}
