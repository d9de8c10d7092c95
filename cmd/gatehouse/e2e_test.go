package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/ses/sestest"
)

// devStack runs `gatehouse dev` on free ports and returns the API's and inbox's addresses.
func devStack(t *testing.T, token string) (api, inbox string) {
	t.Helper()
	return devStackWith(t, token, nil)
}

// devStackWith is devStack with more environment variables.
func devStackWith(t *testing.T, token string, extra map[string]string) (api, inbox string) {
	t.Helper()
	st := startDevStack(t, token, extra)
	return st.api, st.inbox
}

// devInstance is a running `gatehouse dev`, as it printed itself.
type devInstance struct {
	api, inbox, dynamodb, table string
}

// startDevStack runs `gatehouse dev` until the test ends and reads its addresses from what it
// prints.
func startDevStack(t testing.TB, token string, extra map[string]string) devInstance {
	t.Helper()
	vars := map[string]string{"PORT": "0", "SES_LOCAL_PORT": "0", "GATEHOUSE_DEV_TOKEN": token, "LOG_LEVEL": "error", "EXPORTS_DIR": t.TempDir()}
	for k, v := range extra {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stopped := make(chan struct{})
	var runErr error
	go func() {
		defer close(stopped)
		runErr = runDev(ctx, nil, func(k string) string { return vars[k] }, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Error("dev did not stop")
		}
	})
	apiLine := regexp.MustCompile(`API\s+(http://127\.0\.0\.1:\d+)/api/v1`)
	inboxLine := regexp.MustCompile(`Email inbox\s+(http://127\.0\.0\.1:\d+)`)
	dbLine := regexp.MustCompile(`DynamoDB\s+(http://127\.0\.0\.1:\d+)\s+table\s+(\S+)`)
	var st devInstance
	lines := bufio.NewScanner(pr)
	for (st.api == "" || st.inbox == "" || st.dynamodb == "") && lines.Scan() {
		if m := apiLine.FindStringSubmatch(lines.Text()); m != nil {
			st.api = m[1]
		}
		if m := inboxLine.FindStringSubmatch(lines.Text()); m != nil {
			st.inbox = m[1]
		}
		if m := dbLine.FindStringSubmatch(lines.Text()); m != nil {
			st.dynamodb, st.table = m[1], m[2]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if st.api == "" || st.inbox == "" || st.dynamodb == "" {
		<-stopped
		t.Fatalf("dev printed no addresses: %v", runErr)
	}
	return st
}

// apiCall sends a JSON request to the API at base with token and returns the answer.
func apiCall(t *testing.T, base, token, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, raw
}

func TestInviteEmailAcceptEndToEnd(t *testing.T) {
	t.Parallel() // its own dev stack
	const token = "ghk_ZTJlLXRlc3QtdG9rZW4tZm9yLXRoZS1kZXYtc3RhY2t"
	api, inbox := devStack(t, token)
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		status, raw := apiCall(t, api, token, method, path, body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s answered %d %q: %v", method, path, status, raw, err)
		}
		return status, out
	}
	status, inv := call("POST", "/api/v1/invitations", `{"email":"grace@example.com","name":"Grace Hopper","role":"member"}`)
	if status != http.StatusCreated {
		t.Fatalf("invite: %d %v", status, inv)
	}

	// The local mailer sends it within a few seconds: poll the inbox with a deadline.
	var link string
	deadline := time.Now().Add(20 * time.Second)
	for link == "" && time.Now().Before(deadline) {
		for _, e := range sestest.Store(t, inbox) {
			if len(e.To) == 1 && e.To[0] == "grace@example.com" {
				if e.Subject != "Demo Admin invited you to join Demo" {
					t.Errorf("subject = %q", e.Subject)
				}
				link = regexp.MustCompile(`http://127\.0\.0\.1:\d+/invitations/accept\?token=[^\s"<]+`).FindString(e.Text)
			}
		}
		if link == "" {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if link == "" {
		t.Fatal("no invitation email with an accept link arrived")
	}
	// The mailer records the delivery just after SES accepts the email: poll for it.
	var delivery map[string]any
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, got := call("GET", "/api/v1/invitations/"+inv["id"].(string), "")
		if delivery = got["delivery"].(map[string]any); delivery["state"] == "sent" {
			break
		}
	}
	if delivery["state"] != "sent" || delivery["messageId"] == nil {
		t.Errorf("delivery after sending = %v", delivery)
	}

	// Opening the link (as a mail scanner would) shows the page and consumes nothing.
	for range 2 {
		res, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Join Demo") || !strings.Contains(string(page), "grace@example.com") {
			t.Fatalf("accept page: %d %s", res.StatusCode, page)
		}
		if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("accept page headers: %v", res.Header)
		}
	}
	// Submit the form as a browser would: to its action, resolved against the page's URL.
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`<form method="post" action="([^"]+)">\s*<input type="hidden" name="token" value="([^"]+)">`).FindStringSubmatch(string(page))
	if m == nil {
		t.Fatalf("no accept form on the page: %s", page)
	}
	base, _ := url.Parse(link)
	action, err := base.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	res, err = http.PostForm(action.String(), url.Values{"token": {m[2]}, "name": {"Grace B. Hopper"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Welcome to Demo") {
		t.Fatalf("accept: %d %s", res.StatusCode, page)
	}
	_, users := call("GET", "/api/v1/users", "")
	found := false
	for _, m := range users["items"].([]any) {
		if m := m.(map[string]any); m["email"] == "grace@example.com" && m["name"] == "Grace B. Hopper" && m["status"] == "active" {
			found = true
		}
	}
	if !found {
		t.Errorf("the new member is not listed: %v", users)
	}
	// The link is used up now, and says so.
	res, err = http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(page), "already accepted") {
		t.Errorf("used link: %d %s", res.StatusCode, page)
	}
}
