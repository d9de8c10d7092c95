package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/slack"
)

// fakeSlack answers oauth.v2.access as Slack does: each code names the workspace it
// installs, and client credentials must match. It counts the exchanges it answers.
func fakeSlack(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var exchanges atomic.Int32
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
		exchanges.Add(1)
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
	return srv, &exchanges
}

func TestSlackIsConnectedOnlyThroughItsInstall(t *testing.T) {
	fake, exchanges := fakeSlack(t)
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
	// Slack sends the browser back to the callback, which hands code and state on to the
	// Settings page; the page finishes with its own token.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(s.url + "/slack/oauth/callback?" + url.Values{"code": {"code-acme"}, "state": {"st"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "../../settings/#/slack?") || !strings.Contains(loc, "code=code-acme") {
		t.Fatalf("callback: %d Location %q", res.StatusCode, loc)
	}
	finish := func(who, code, st string) response {
		t.Helper()
		return s.do(http.MethodPost, path+"/install/complete", who, map[string]any{"code": code, "state": st})
	}
	connected := func(who string) map[string]any {
		r := s.do(http.MethodGet, path, who, nil)
		if r.status != http.StatusOK {
			return nil
		}
		return r.body
	}

	acme := state("acme/admin")
	// Refused finishes change nothing: a forged or altered state, a code Slack does not
	// confirm, an install for a whole Enterprise Grid.
	for _, bad := range []struct{ code, state string }{
		{"code-acme", "forged.state"},
		{"code-acme", acme[:len(acme)-2] + "xx"},
		{"code-acme", strings.Replace(acme, acme[:4], "AAAA", 1)},
		{"code-spent", acme},
		{"code-grid", acme},
		{"", acme},
	} {
		if r := finish("acme/admin", bad.code, bad.state); r.status != http.StatusBadRequest || r.body["code"] != "slack_install_refused" {
			t.Errorf("finish %+v: %d %s", bad, r.status, r.raw)
		}
	}
	// Only the token that started an install finishes it: not another admin of the same
	// organization, not another organization's, not a member; and Slack's code is not spent
	// for them, so the admin who started can still finish.
	second := s.do(http.MethodPost, "/api/v1/tokens", "acme/admin", map[string]any{"name": "second admin", "role": "admin"})
	if second.status != http.StatusCreated {
		t.Fatalf("second admin token: %d %s", second.status, second.raw)
	}
	s.tokens["acme/admin2"] = second.body["token"].(string)
	spent := exchanges.Load()
	wantProblem(t, finish("acme/admin2", "code-acme", acme), http.StatusForbidden, "slack_install_mismatch", "")
	wantProblem(t, finish("globex/admin", "code-acme", acme), http.StatusForbidden, "slack_install_mismatch", "")
	wantProblem(t, finish("acme/member", "code-acme", acme), http.StatusForbidden, "forbidden", "")
	if n := exchanges.Load() - spent; n != 0 {
		t.Errorf("refused finishes exchanged the code %d times", n)
	}
	if c := connected("acme/admin"); c != nil {
		t.Fatalf("a refused install connected %v", c)
	}
	s.clock.Add(slack.StateTTL + time.Second)
	if r := finish("acme/admin", "code-acme", acme); r.status == http.StatusOK {
		t.Errorf("an expired state connected the workspace")
	}

	// The real finish connects the team Slack names, with its installer allowed to invite.
	acme = state("acme/admin")
	if r := finish("acme/admin", "code-acme", acme); r.status != http.StatusOK || r.body["teamId"] != "T0PROVEN" {
		t.Fatalf("install: %d %s", r.status, r.raw)
	}
	c := connected("acme/admin")
	if c["teamId"] != "T0PROVEN" || len(c["allowedUserIds"].([]any)) != 1 || c["allowedUserIds"].([]any)[0] != "U0INSTALLER" {
		t.Fatalf("connection = %v", c)
	}
	// The same state used again with another workspace's code replaces nothing.
	wantProblem(t, finish("acme/admin", "code-other-team", acme), http.StatusConflict, "slack_connected", "")
	// The connected workspace's users and role can be set; another team cannot be typed in.
	if r := s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0PROVEN", "allowedUserIds": []string{"U0INSTALLER", "U0B"}, "role": "viewer"}); r.status != http.StatusOK {
		t.Errorf("update users: %d %s", r.status, r.raw)
	}
	wantProblem(t, s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0EVIL", "allowedUserIds": []string{"U0A"}}),
		http.StatusForbidden, "slack_install_required", "")
	// Installing again into the same workspace keeps the users and role chosen.
	if r := finish("acme/admin", "code-acme", state("acme/admin")); r.status != http.StatusOK {
		t.Fatalf("install again: %d %s", r.status, r.raw)
	}
	if c := connected("acme/admin"); len(c["allowedUserIds"].([]any)) != 2 || c["role"] != "viewer" {
		t.Errorf("after installing again: %v", c)
	}
	// Another organization installing the same workspace is refused.
	wantProblem(t, finish("globex/admin", "code-acme", state("globex/admin")), http.StatusConflict, "slack_team_taken", "")
	// Disconnected, the organization may install into another workspace.
	if r := s.do(http.MethodDelete, path, "acme/admin", nil); r.status != http.StatusNoContent {
		t.Fatalf("disconnect: %d", r.status)
	}
	if r := finish("acme/admin", "code-other-team", state("acme/admin")); r.status != http.StatusOK || r.body["teamId"] != "T0OTHER" {
		t.Errorf("install into another workspace after disconnecting: %d %s", r.status, r.raw)
	}
}

func TestSlackInstallIsNotOfferedWithoutAnApp(t *testing.T) {
	s := newServer(t)
	wantProblem(t, s.do(http.MethodPost, "/api/v1/integrations/slack/install", "acme/admin", nil), http.StatusNotFound, "slack_install_not_configured", "")
}
