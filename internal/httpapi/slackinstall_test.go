package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/slack"
)

// fakeSlack answers oauth.v2.access as Slack does: each code names the workspace it
// installs, and client credentials must match.
func fakeSlack(t *testing.T) *httptest.Server {
	t.Helper()
	installs := map[string]string{
		"code-acme":       `{"ok":true,"team":{"id":"T0PROVEN","name":"Acme"},"authed_user":{"id":"U0INSTALLER"},"enterprise":null}`,
		"code-grid":       `{"ok":true,"is_enterprise_install":true,"team":null,"enterprise":{"id":"E0GRID"},"authed_user":{"id":"U0X"}}`,
		"code-other-team": `{"ok":true,"team":{"id":"T0OTHER","name":"Other"},"authed_user":{"id":"U0OTHER"}}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/oauth.v2.access" || r.ParseForm() != nil {
			http.NotFound(w, r)
			return
		}
		if r.PostForm.Get("client_id") != "cid" || r.PostForm.Get("client_secret") != "csecret" ||
			r.PostForm.Get("redirect_uri") != "https://gatehouse.example.com/slack/oauth/callback" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"invalid_client_id"}`)
			return
		}
		body, ok := installs[r.PostForm.Get("code")]
		if !ok {
			body = `{"ok":false,"error":"invalid_code"}`
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSlackIsConnectedOnlyThroughItsInstall(t *testing.T) {
	fake := fakeSlack(t)
	var s *server
	inst, err := slack.NewInstaller(slack.InstallConfig{ClientID: "cid", ClientSecret: "csecret",
		RedirectURL: "https://gatehouse.example.com/slack/oauth/callback", AuthorizeURL: "https://slack.example/oauth/v2/authorize",
		APIURL: fake.URL + "/api", Now: func() time.Time { return s.clock.Now() }})
	if err != nil {
		t.Fatal(err)
	}
	s = newServerWith(t, serverOptions{slackInstall: inst})
	const path = "/api/v1/integrations/slack"
	// Claiming a workspace by its team id proves nothing: refused.
	wantProblem(t, s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0PROVEN", "allowedUserIds": []string{"U0A"}}),
		http.StatusForbidden, "slack_install_required", "")
	wantProblem(t, s.do(http.MethodPost, path+"/install", "acme/member", nil), http.StatusForbidden, "forbidden", "")

	state := func(who string) string {
		t.Helper()
		r := s.do(http.MethodPost, path+"/install", who, nil)
		if r.status != http.StatusOK {
			t.Fatalf("start install: %d %s", r.status, r.raw)
		}
		u, err := url.Parse(r.body["url"].(string))
		if err != nil || u.Host != "slack.example" || u.Query().Get("client_id") != "cid" || u.Query().Get("scope") != "commands" {
			t.Fatalf("install address %v: %v", r.body["url"], err)
		}
		return u.Query().Get("state")
	}
	back := func(code, st string) (int, string) {
		t.Helper()
		res, err := http.Get(s.url + "/slack/oauth/callback?" + url.Values{"code": {code}, "state": {st}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		page, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(page)
	}
	connected := func(who string) map[string]any {
		r := s.do(http.MethodGet, path, who, nil)
		if r.status != http.StatusOK {
			return nil
		}
		return r.body
	}

	acme := state("acme/admin")
	// Refused returns change nothing: a forged or altered state, a code Slack does not
	// confirm, an install for a whole Enterprise Grid, an expired state.
	for _, bad := range []struct{ code, state string }{
		{"code-acme", "forged.state"},
		{"code-acme", acme[:len(acme)-2] + "xx"},
		{"code-acme", strings.Replace(acme, acme[:4], "AAAA", 1)},
		{"code-spent", acme},
		{"code-grid", acme},
		{"", acme},
	} {
		if status, page := back(bad.code, bad.state); status == http.StatusOK || !strings.Contains(page, "Slack was not connected") {
			t.Errorf("return %+v: %d, page %q", bad, status, page)
		}
	}
	if c := connected("acme/admin"); c != nil {
		t.Fatalf("a refused install connected %v", c)
	}
	s.clock.Add(slack.StateTTL + time.Second)
	if status, _ := back("code-acme", acme); status == http.StatusOK {
		t.Errorf("an expired state connected the workspace")
	}

	// The real return connects the team Slack names, with its installer allowed to invite.
	acme = state("acme/admin")
	if status, page := back("code-acme", acme); status != http.StatusOK || !strings.Contains(page, "Slack is connected") {
		t.Fatalf("install: %d %s", status, page)
	}
	c := connected("acme/admin")
	if c["teamId"] != "T0PROVEN" || len(c["allowedUserIds"].([]any)) != 1 || c["allowedUserIds"].([]any)[0] != "U0INSTALLER" {
		t.Fatalf("connection = %v", c)
	}
	// The connected workspace's users and role can be set; another team cannot be typed in.
	if r := s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0PROVEN", "allowedUserIds": []string{"U0INSTALLER", "U0B"}, "role": "viewer"}); r.status != http.StatusOK {
		t.Errorf("update users: %d %s", r.status, r.raw)
	}
	wantProblem(t, s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0EVIL", "allowedUserIds": []string{"U0A"}}),
		http.StatusForbidden, "slack_install_required", "")
	// Installing again into the same workspace keeps the users and role chosen.
	if status, _ := back("code-acme", state("acme/admin")); status != http.StatusOK {
		t.Fatalf("install again: %d", status)
	}
	if c := connected("acme/admin"); len(c["allowedUserIds"].([]any)) != 2 || c["role"] != "viewer" {
		t.Errorf("after installing again: %v", c)
	}
	// Another organization installing the same workspace is refused.
	if status, page := back("code-acme", state("globex/admin")); status != http.StatusConflict || !strings.Contains(page, "another organization") {
		t.Errorf("globex installs acme's workspace: %d %s", status, page)
	}
	// An install started by a token revoked before it came back is refused.
	st := state("globex/admin")
	var tokens []map[string]any
	raw := s.do(http.MethodGet, "/api/v1/tokens", "globex/admin", nil).raw
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	tokens = list.Items
	for _, tok := range tokens {
		if tok["role"] == "admin" {
			s.do(http.MethodDelete, "/api/v1/tokens/"+tok["id"].(string), "globex/admin", nil)
		}
	}
	if status, _ := back("code-other-team", st); status == http.StatusOK {
		t.Errorf("an install by a revoked token connected the workspace")
	}
}

func TestSlackInstallIsNotOfferedWithoutAnApp(t *testing.T) {
	s := newServer(t)
	wantProblem(t, s.do(http.MethodPost, "/api/v1/integrations/slack/install", "acme/admin", nil), http.StatusNotFound, "slack_install_not_configured", "")
}
