package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/org"
)

func TestCORSLetsTheConfiguredPortalCall(t *testing.T) {
	env := dynamotest.New(t)
	h := mustAPI(t, httpapi.Config{
		Service: org.NewService(env.Store.Org()), Idempotency: env.Store.Idempotency,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowedOrigins: []string{"https://portal.acme.com"},
	})
	preflight := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/api/v1/legacy/users/invite", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	ok := preflight("https://portal.acme.com")
	if ok.Code != http.StatusNoContent || ok.Header().Get("Access-Control-Allow-Origin") != "https://portal.acme.com" ||
		!strings.Contains(ok.Header().Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(ok.Header().Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from the portal: %d %v", ok.Code, ok.Header())
	}
	other := preflight("https://evil.example")
	if other.Header().Get("Access-Control-Allow-Origin") != "" || other.Code != http.StatusForbidden ||
		!strings.Contains(other.Body.String(), `"code":"cors_origin_not_allowed"`) ||
		!strings.Contains(other.Body.String(), "https://evil.example is not one of the browser origins allowed") ||
		!strings.Contains(other.Body.String(), "CORS_ALLOWED_ORIGINS") {
		t.Errorf("preflight from another origin: %d %v %s", other.Code, other.Header(), other.Body)
	}
	// The actual request (here unauthenticated) carries the CORS headers too, so the portal's
	// script can read the problem.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/legacy/users/invite", strings.NewReader(`{}`))
	req.Header.Set("Origin", "https://portal.acme.com")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("Access-Control-Allow-Origin") != "https://portal.acme.com" {
		t.Errorf("request from the portal: %d %v", rec.Code, rec.Header())
	}
}

// Without configured origins, a preflight is refused with an answer saying so and naming
// the setting; requests that are not preflights are served as ever, without CORS headers.
func TestCORSIsClosedByDefault(t *testing.T) {
	s := newServer(t)
	r := s.do(http.MethodOptions, "/api/v1/invitations", "", nil, "Origin", "https://portal.acme.com", "Access-Control-Request-Method", "POST")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS open without configuration: %v", r.header)
	}
	wantProblem(t, r, http.StatusForbidden, "cors_origin_not_allowed", "")
	for _, want := range []string{"allows no browser origin", "https://portal.acme.com may not", "CORS_ALLOWED_ORIGINS", "CorsAllowedOrigins"} {
		if !strings.Contains(r.body["detail"].(string), want) {
			t.Errorf("detail %q does not say %q", r.body["detail"], want)
		}
	}
	// An OPTIONS that is no preflight is the router's: a 405 listing what the path serves.
	plain := s.do(http.MethodOptions, "/api/v1/invitations", "", nil, "Origin", "https://portal.acme.com")
	wantProblem(t, plain, http.StatusMethodNotAllowed, "method_not_allowed", "")
	if got := s.do(http.MethodGet, "/healthz", "", nil, "Origin", "https://portal.acme.com"); got.status != http.StatusOK || got.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a request from another origin: %d %v", got.status, got.header)
	}
}
