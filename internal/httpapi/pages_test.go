package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/org"
)

// page fetches an HTML page.
func (s *server) page(method, path string, form url.Values) (int, http.Header, string) {
	s.t.Helper()
	var res *http.Response
	var err error
	if method == http.MethodPost {
		res, err = http.PostForm(s.url+path, form)
	} else {
		res, err = http.Get(s.url + path)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

// linkOnly invites email without sending mail and returns the accept token.
func (s *server) linkOnly(email string, extra map[string]any) string {
	s.t.Helper()
	body := map[string]any{"email": email, "name": "Grace", "sendEmail": false}
	for k, v := range extra {
		body[k] = v
	}
	r := s.do("POST", "/api/v1/invitations", "acme/admin", body)
	if r.status != http.StatusCreated {
		s.t.Fatalf("invite: %d %s", r.status, r.raw)
	}
	token := r.body["acceptToken"].(string)
	if want := "https://gatehouse.example.com/invitations/accept?token=" + url.QueryEscape(token); r.body["acceptUrl"] != want {
		s.t.Errorf("acceptUrl = %v, want %s", r.body["acceptUrl"], want)
	}
	return token
}

func TestAcceptPageShowsTheInvitationWithoutConsumingIt(t *testing.T) {
	s := newServer(t)
	token := s.linkOnly("grace@example.com", map[string]any{"role": "admin"})
	for range 2 {
		status, h, body := s.page("GET", "/invitations/accept?token="+url.QueryEscape(token), nil)
		if status != http.StatusOK {
			t.Fatalf("page: %d %s", status, body)
		}
		for _, want := range []string{"Join acme", "grace@example.com", "an <strong>admin</strong>", "<strong>admin</strong> invited you", `name="token" value="` + token} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		for k, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Content-Type": "text/html; charset=utf-8"} {
			if h.Get(k) != want {
				t.Errorf("%s = %q, want %q", k, h.Get(k), want)
			}
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP = %q", csp)
		}
	}
	status, _, body := s.page("POST", "/invitations/accept", url.Values{"token": {token}, "name": {"Grace Hopper"}})
	if status != http.StatusOK || !strings.Contains(body, "Welcome to acme") || !strings.Contains(body, `href="https://portal.example.com/home"`) {
		t.Fatalf("accept: %d %s", status, body)
	}
	users := s.do("GET", "/api/v1/users", "acme/admin", nil)
	if !strings.Contains(string(users.raw), `"name":"Grace Hopper"`) {
		t.Errorf("member not created: %s", users.raw)
	}
}

func TestAcceptPagesExplainUnusableLinks(t *testing.T) {
	s := newServer(t)
	accepted := s.linkOnly("a@example.com", nil)
	if _, err := s.svc.Accept(context.Background(), org.SourceAPI, accepted, ""); err != nil {
		t.Fatal(err)
	}
	revoked := s.linkOnly("r@example.com", nil)
	list := s.do("GET", "/api/v1/invitations?status=pending", "acme/admin", nil)
	id := list.body["items"].([]any)[0].(map[string]any)["id"].(string)
	s.do("DELETE", "/api/v1/invitations/"+id, "acme/admin", nil)
	expired := s.linkOnly("e@example.com", map[string]any{"expiresInDays": 1})
	s.clock.Add(25 * time.Hour)
	tests := []struct {
		name, token string
		status      int
		says        string
	}{
		{"accepted", accepted, http.StatusConflict, "already accepted"},
		{"revoked", revoked, http.StatusGone, "withdrawn"},
		{"expired", expired, http.StatusGone, "has expired"},
		{"unknown", "acme.inv_01ABC." + strings.Repeat("x", 43), http.StatusNotFound, "does not work"},
		{"garbage", "<script>", http.StatusNotFound, "does not work"},
		{"missing", "", http.StatusNotFound, "does not work"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := s.page("GET", "/invitations/accept?token="+url.QueryEscape(tt.token), nil)
			if status != tt.status || !strings.Contains(body, tt.says) || !strings.Contains(body, "What to do next") {
				t.Errorf("page: %d %s", status, body)
			}
			if h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("problem page headers: %v", h)
			}
			status, _, body = s.page("POST", "/invitations/accept", url.Values{"token": {tt.token}})
			if status != tt.status || !strings.Contains(body, tt.says) {
				t.Errorf("form: %d %s", status, body)
			}
		})
	}
}

func TestAcceptFormShowsABadNameNextToTheField(t *testing.T) {
	s := newServer(t)
	token := s.linkOnly("grace@example.com", nil)
	status, _, body := s.page("POST", "/invitations/accept", url.Values{"token": {token}, "name": {"Grace\nBcc: x@y.io"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "line breaks") {
		t.Errorf("bad name: %d %s", status, body)
	}
	if status, _, _ := s.page("POST", "/invitations/accept", url.Values{"token": {token}}); status != http.StatusOK {
		t.Errorf("accept after correcting: %d", status)
	}
}

func TestPagesEscapeWhatPeopleType(t *testing.T) {
	s := newServer(t)
	if _, err := s.svc.CreateOrg(context.Background(), org.Actor{Type: "cli", ID: "t"}, org.SourceCLI, org.NewOrg{ID: "evil", Name: `<script>alert(1)</script>`}); err != nil {
		t.Fatal(err)
	}
	nt, err := s.svc.BootstrapToken(context.Background(), "evil", org.Actor{Type: "cli", ID: "t"}, `<img src=x onerror=alert(1)>`, "admin")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["evil/admin"] = nt.Secret
	r := s.do("POST", "/api/v1/invitations", "evil/admin", map[string]any{"email": "v@example.com", "name": "<b>V</b>", "sendEmail": false})
	_, _, body := s.page("GET", "/invitations/accept?token="+url.QueryEscape(r.body["acceptToken"].(string)), nil)
	for _, raw := range []string{"<script>alert", "<img src=x", "<b>V</b>"} {
		if strings.Contains(body, raw) {
			t.Errorf("page shows %q unescaped", raw)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("org name missing from the page: %s", body)
	}
}

func TestStylesheet(t *testing.T) {
	s := newServer(t)
	status, h, body := s.page("GET", "/assets/gatehouse.css", nil)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/css") || !strings.Contains(body, ".card") {
		t.Errorf("stylesheet: %d %v", status, h)
	}
}
