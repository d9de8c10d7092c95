package scim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/scim"
)

// The benchmarks measure the handler (routing, decoding, parsing, the change it works out,
// rendering) over the in-memory backend, so the numbers are the protocol's own cost.

func serve(b *testing.B, h http.Handler, method, path, body string, want int) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", scim.ContentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d: %s", method, path, rec.Code, rec.Body)
	}
}

// BenchmarkCreateUser sends Okta's POST /Users, password and all.
func BenchmarkCreateUser(b *testing.B) {
	h := mount(b, newFake(), nil)
	bodies := make([]string, b.N)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user%d@example.com",`+
			`"name":{"givenName":"Test","familyName":"User %d"},"emails":[{"primary":true,"value":"user%d@example.com","type":"work"}],`+
			`"displayName":"Test User","locale":"en-US","externalId":"00u%d","groups":[],"password":"1mz050nq","active":true}`, i, i, i, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		serve(b, h, "POST", "/scim/v2/Users", bodies[i], http.StatusCreated)
	}
}

// BenchmarkFilterUser looks one of 1,000 users up by userName, as every client does
// before a create.
func BenchmarkFilterUser(b *testing.B) {
	backend := newFake()
	seedUsers(b, backend, 1000)
	h := mount(b, backend, nil)
	paths := make([]string, 1000)
	for i := range paths {
		paths[i] = "/scim/v2/Users?" + url.Values{"filter": {fmt.Sprintf(`userName eq "user%d@example.com"`, i)}, "startIndex": {"1"}, "count": {"100"}}.Encode()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		serve(b, h, "GET", paths[i%len(paths)], "", http.StatusOK)
	}
}

// BenchmarkDeactivateUser sends Entra ID's PATCH active "False" to a different active user
// each time.
func BenchmarkDeactivateUser(b *testing.B) {
	backend := newFake()
	ids := seedUsers(b, backend, b.N)
	h := mount(b, backend, nil)
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		serve(b, h, "PATCH", "/scim/v2/Users/"+ids[i], body, http.StatusOK)
	}
}

// BenchmarkGroupPatchThousandMembers adds 1,000 members in one PATCH, then removes them in
// the next, and reports the backend calls each request made.
func BenchmarkGroupPatchThousandMembers(b *testing.B) {
	backend := newFake()
	ids := seedUsers(b, backend, 1000)
	g, err := backend.CreateGroup(b.Context(), scim.Group{DisplayName: "Everyone"})
	if err != nil {
		b.Fatal(err)
	}
	h := mount(b, backend, nil)
	bodies := []string{membersPatch("add", ids), membersPatch("Remove", ids)}
	b.SetBytes(int64(len(bodies[0])))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		serve(b, h, "PATCH", "/scim/v2/Groups/"+g.ID, bodies[i%2], http.StatusNoContent)
	}
	b.StopTimer()
	b.ReportMetric(float64(backend.callCount("UpdateGroup"))/float64(b.N), "calls/op")
}
