package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Metrics records what operators watch (package metrics writes them for CloudWatch). dims
// are name, value pairs, each value one of a few.
type Metrics interface {
	Count(ctx context.Context, name string, n int, dims ...string)
	Duration(ctx context.Context, name string, d time.Duration, dims ...string)
}

// nopMetrics records nothing.
type nopMetrics struct{}

func (nopMetrics) Count(context.Context, string, int, ...string)              {}
func (nopMetrics) Duration(context.Context, string, time.Duration, ...string) {}

// unmatchedRoute is the Route of requests no route serves (answered 404 or 405).
const unmatchedRoute = "unmatched"

// requestMetrics records each request by its route: the pattern it was registered under,
// such as "GET /api/v1/invitations/{id}", never the path asked for, so that the routes are
// as few as the API's.
type requestMetrics struct {
	m     Metrics
	route func(*http.Request) string
}

// routeOf is the pattern of mux's route serving r, or unmatchedRoute.
func routeOf(mux *http.ServeMux) func(*http.Request) string {
	return func(r *http.Request) string {
		if _, pattern := mux.Handler(r); pattern != "" {
			return pattern
		}
		return unmatchedRoute
	}
}

// record counts one request answered with status after d: ApiRequests by Route and
// StatusClass, ApiLatency by Route.
func (rm requestMetrics) record(ctx context.Context, r *http.Request, status int, d time.Duration) {
	route := rm.route(r)
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	rm.m.Count(ctx, "ApiRequests", 1, "Route", route, "StatusClass", strconv.Itoa(status/100)+"xx")
	rm.m.Duration(ctx, "ApiLatency", d, "Route", route)
}
