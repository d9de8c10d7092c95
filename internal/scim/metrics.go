package scim

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"gatehouse/internal/httpstatus"
)

// Metrics counts what operators watch (package metrics writes them for CloudWatch). dims
// are name, value pairs, each value one of a few.
type Metrics interface {
	Count(ctx context.Context, name string, n int, dims ...string)
}

// Measure counts every SCIM request next answers, as ScimRequests by Resource (Users,
// Groups, Discovery for the schema documents, Other) and StatusClass (2xx, 4xx, 5xx...).
// next serves paths relative to the SCIM mount point, as the handler New returns does; wrap
// the authentication too, so that refused tokens are counted.
func Measure(m Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &httpstatus.Recorder{ResponseWriter: w}
		defer func() {
			m.Count(r.Context(), "ScimRequests", 1, "Resource", resourceOf(r.URL.Path), "StatusClass", statusClass(rec.Status))
		}()
		next.ServeHTTP(rec, r)
	})
}

// resourceOf names the kind of resource a path relative to the mount point is about.
func resourceOf(path string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	switch first {
	case "Users", "Groups":
		return first
	case "ServiceProviderConfig", "ResourceTypes", "Schemas":
		return "Discovery"
	}
	return "Other"
}

// statusClass is 2xx for 200 to 299, and so on; a handler that wrote nothing answered 200.
func statusClass(status int) string {
	if status == 0 {
		status = http.StatusOK
	}
	return strconv.Itoa(status/100) + "xx"
}
