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
	if other.Header().Get("Access-Control-Allow-Origin") != "" || other.Code == http.StatusNoContent {
		t.Errorf("preflight from another origin: %d %v", other.Code, other.Header())
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

func TestCORSIsClosedByDefault(t *testing.T) {
	s := newServer(t)
	r := s.do(http.MethodOptions, "/api/v1/invitations", "", nil, "Origin", "https://portal.acme.com", "Access-Control-Request-Method", "POST")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS open without configuration: %v", r.header)
	}
}
