package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/metrics/metricstest"
)

func TestRequestsAreMeasuredByRoutePattern(t *testing.T) {
	rec := metricstest.New(t)
	s := newServerWith(t, serverOptions{metrics: rec})
	before := len(rec.Records())
	s.do(http.MethodGet, "/api/v1/users", "acme/admin", nil)
	s.do(http.MethodGet, "/api/v1/users/usr_nobody", "acme/admin", nil)
	s.do(http.MethodGet, "/api/v1/users/usr_someone_else", "acme/admin", nil)
	s.do(http.MethodGet, "/api/v1/users", "", nil)
	s.do(http.MethodPost, "/api/v1/legacy/users/invite", "acme/admin", map[string]string{"name": "John Doe", "email": "john.doe@rely.io"})
	s.do(http.MethodPost, "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": []map[string]string{{"email": "a@example.com"}, {"email": "b@example.com"}}})
	s.do(http.MethodGet, "/no/such/path/42", "acme/admin", nil)
	s.do(http.MethodPut, "/healthz", "", nil)

	requests := map[[2]string]float64{}
	latencies := map[string]int{}
	created := map[string]float64{}
	for _, r := range rec.Records()[before:] {
		switch r.Name {
		case "ApiRequests":
			if r.Unit != "Count" || len(r.Dims) != 2 {
				t.Errorf("unexpected record %v", r)
			}
			requests[[2]string{r.Dims["Route"], r.Dims["StatusClass"]}] += r.Value
		case "ApiLatency":
			if r.Unit != "Milliseconds" || len(r.Dims) != 1 || r.Value < 0 {
				t.Errorf("unexpected record %v", r)
			}
			latencies[r.Dims["Route"]]++
		case "InvitationsCreated":
			created[r.Dims["Source"]] += r.Value
		default:
			t.Errorf("unexpected record %v", r)
		}
	}
	wantRequests := map[[2]string]float64{
		{"GET /api/v1/users", "2xx"}: 1, {"GET /api/v1/users", "4xx"}: 1,
		{"GET /api/v1/users/{id}", "4xx"}:           2,
		{"POST /api/v1/legacy/users/invite", "2xx"}: 1, {"POST /api/v1/invitations/bulk", "2xx"}: 1,
		{"unmatched", "4xx"}: 2,
	}
	if diff := cmp.Diff(wantRequests, requests); diff != "" {
		t.Errorf("requests by route and status class mismatch (-want +got):\n%s", diff)
	}
	wantLatencies := map[string]int{"GET /api/v1/users": 2, "GET /api/v1/users/{id}": 2, "POST /api/v1/legacy/users/invite": 1,
		"POST /api/v1/invitations/bulk": 1, "unmatched": 2}
	if diff := cmp.Diff(wantLatencies, latencies); diff != "" {
		t.Errorf("latencies by route mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{"legacy": 1, "bulk": 2}, created); diff != "" {
		t.Errorf("invitations created by source mismatch (-want +got):\n%s", diff)
	}
}

func TestSCIMRequestsAreCountedWithTheirRefusals(t *testing.T) {
	rec := metricstest.New(t)
	s := newServerWith(t, serverOptions{metrics: rec})
	s.scimOn(t, "acme", nil)
	s.do(http.MethodGet, "/scim/v2/Users", "acme/scim", nil)
	s.do(http.MethodGet, "/scim/v2/Users", "acme/admin", nil) // an API token is refused
	s.do(http.MethodGet, "/scim/v2/Groups", "", nil)
	s.do(http.MethodGet, "/scim/v2/ServiceProviderConfig", "acme/scim", nil)
	if diff := cmp.Diff(map[string]float64{"Users/2xx": 1, "Users/4xx": 1, "Groups/4xx": 1, "Discovery/2xx": 1}, scimCounts(rec)); diff != "" {
		t.Errorf("SCIM requests mismatch (-want +got):\n%s", diff)
	}
	if n := rec.Sum("ApiRequests", "Route", "/scim/v2/", "StatusClass", "4xx"); n != 2 {
		t.Errorf("SCIM's refusals among the API's requests: %v, want 2", n)
	}
}

// scimCounts are the ScimRequests recorded, by Resource/StatusClass.
func scimCounts(rec *metricstest.Recorder) map[string]float64 {
	out := map[string]float64{}
	for _, r := range rec.Records() {
		if r.Name == "ScimRequests" {
			out[r.Dims["Resource"]+"/"+r.Dims["StatusClass"]] += r.Value
		}
	}
	return out
}
