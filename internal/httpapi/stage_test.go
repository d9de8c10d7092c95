package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A client that waits as Retry-After says and retries with the same Idempotency-Key gets the
// request run again, not the 429 replayed.
func TestARateLimitedAnswerIsNotReplayed(t *testing.T) {
	s := newServer(t)
	inv := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "soon@x.io"})
	path := "/api/v1/invitations/" + inv.body["id"].(string) + "/resend"
	s.clock.Add(20 * time.Second)
	r := s.do("POST", path, "acme/admin", nil, "Idempotency-Key", "resend-1")
	wantProblem(t, r, http.StatusTooManyRequests, "rate_limited", "")
	s.clock.Add(time.Minute) // waited longer than Retry-After
	r = s.do("POST", path, "acme/admin", nil, "Idempotency-Key", "resend-1")
	if r.status != http.StatusOK {
		t.Errorf("retry after Retry-After with the same key: %d (Idempotent-Replayed=%q, Retry-After=%q) %s",
			r.status, r.header.Get("Idempotent-Replayed"), r.header.Get("Retry-After"), r.raw)
	}
}

// Behind API Gateway's stage (PUBLIC_URL = the ApiUrl output, https://x.execute-api.../prod)
// the page's form and stylesheet must stay under the stage.
func TestAcceptPageWorksUnderAStagePath(t *testing.T) {
	s := newServer(t)
	c := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "stage@x.io", "sendEmail": false})
	token := c.body["acceptToken"].(string)
	// API Gateway strips the stage before the proxy hands the request to the handler.
	inner, _ := url.Parse(s.url)
	gw := httptest.NewServer(http.StripPrefix("/prod", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Scheme, r.URL.Host = inner.Scheme, inner.Host
		r.RequestURI = ""
		res, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			t.Error(err)
			return
		}
		defer res.Body.Close()
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	})))
	defer gw.Close()
	page := gw.URL + "/prod/invitations/accept?token=" + url.QueryEscape(token)
	res, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	action := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindStringSubmatch(body)
	css := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindStringSubmatch(body)
	base, _ := url.Parse(page)
	for _, ref := range [][]string{action, css} {
		u, _ := base.Parse(ref[1])
		if !strings.HasPrefix(u.Path, "/prod/") {
			t.Errorf("page refers to %s, outside the stage /prod: API Gateway answers 403 there", u)
		}
	}
}
