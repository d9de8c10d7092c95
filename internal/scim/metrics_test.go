package scim_test

import (
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/scim"
)

func TestRequestsAreCountedByResourceAndStatusClass(t *testing.T) {
	backend := newFake()
	h, err := scim.New(scim.Config{Backend: backend, BaseURL: baseURL, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	rec := metricstest.New(t)
	// As the API mounts it: the token is checked inside Measure, so refusals count too.
	authorized := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && r.URL.Query().Get("unauthenticated") != "" {
			scim.WriteUnauthorized(w)
			return
		}
		h.ServeHTTP(w, r)
	})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.Measure(rec, authorized)))

	call(t, mux, http.MethodPost, "/Users", scim.ContentType, bjensen)
	call(t, mux, http.MethodGet, "/Users", "", "")
	call(t, mux, http.MethodGet, "/Users/missing", "", "")
	call(t, mux, http.MethodGet, "/Groups", "", "")
	call(t, mux, http.MethodGet, "/Schemas", "", "")
	call(t, mux, http.MethodGet, "/ServiceProviderConfig", "", "")
	call(t, mux, http.MethodGet, "/Bulk", "", "")
	call(t, mux, http.MethodGet, "/Users?unauthenticated=1", "", "")
	backend.fail = errors.New("the table is gone")
	call(t, mux, http.MethodGet, "/Groups/g1", "", "")

	got := map[[2]string]float64{}
	for _, r := range rec.Records() {
		if r.Name != "ScimRequests" || r.Unit != "Count" || len(r.Dims) != 2 {
			t.Errorf("unexpected record %v", r)
		}
		got[[2]string{r.Dims["Resource"], r.Dims["StatusClass"]}] += r.Value
	}
	want := map[[2]string]float64{
		{"Users", "2xx"}: 2, {"Users", "4xx"}: 2, {"Groups", "2xx"}: 1, {"Groups", "5xx"}: 1,
		{"Discovery", "2xx"}: 2, {"Other", "4xx"}: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SCIM requests mismatch (-want +got):\n%s", diff)
	}
}
