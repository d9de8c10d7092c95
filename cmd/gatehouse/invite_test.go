package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fate is what a bulkProxy does with one bulk request.
type fate int

const (
	forward     fate = iota
	dropAnswer       // forward it, then end the run and drop the connection unanswered
	unavailable      // answer 503 temporarily_unavailable without forwarding it
	loseAnswer       // forward it, then answer 503 outcome_unknown as if the answer was lost
)

// bulkCall is a bulk request the proxy saw: its key, whether the API replayed a kept answer,
// and whether the API saw it at all.
type bulkCall struct {
	key       string
	replayed  bool
	forwarded bool
}

// bulkProxy stands between gatehouse and the API, deciding the fate of each bulk request
// (numbered from 1) and recording them.
type bulkProxy struct {
	URL   string
	mu    sync.Mutex
	calls []bulkCall
}

func newBulkProxy(t *testing.T, api string, fateOf func(n int) fate, interrupt func()) *bulkProxy {
	t.Helper()
	target, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &bulkProxy{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/invitations/bulk" {
			rp.ServeHTTP(w, r)
			return
		}
		p.mu.Lock()
		n := len(p.calls) + 1
		p.calls = append(p.calls, bulkCall{key: r.Header.Get("Idempotency-Key")})
		p.mu.Unlock()
		f := fateOf(n)
		if f == unavailable {
			writeTestProblem(w, "temporarily_unavailable")
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		p.mu.Lock()
		p.calls[n-1].forwarded, p.calls[n-1].replayed = true, rec.Header().Get("Idempotent-Replayed") == "true"
		p.mu.Unlock()
		switch f {
		case dropAnswer:
			interrupt()
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		case loseAnswer:
			writeTestProblem(w, "outcome_unknown")
		default:
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		}
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func writeTestProblem(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `{"status":503,"code":%q,"detail":"the proxy says %s"}`, code, code)
}

func (p *bulkProxy) seen() []bulkCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bulkCall(nil), p.calls...)
}

// readResults reads a results file, without its header (which it checks).
func readResults(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "line,email,outcome,id,error,detail" {
		t.Fatalf("results header = %v", rows)
	}
	return rows[1:]
}

// invitationsOf lists every invitation of the organization through the API, page by page.
func invitationsOf(t *testing.T, api, token string) []map[string]any {
	t.Helper()
	var all []map[string]any
	for cursor := ""; ; {
		status, raw := apiCall(t, api, token, http.MethodGet, "/api/v1/invitations?limit=100&cursor="+url.QueryEscape(cursor), "")
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"nextCursor"`
		}
		if err := json.Unmarshal(raw, &page); err != nil || status != http.StatusOK {
			t.Fatalf("list invitations: %d %s", status, raw)
		}
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return all
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestInviteCommandAgainstTheDevStack(t *testing.T) {
	t.Parallel() // its own dev stack
	const token = "ghk_Y2xpLWludml0ZS10ZXN0LXRva2VuLWZvci10aGUtZGU"
	api, _ := devStack(t, token)
	vars := map[string]string{"GATEHOUSE_API": api, "GATEHOUSE_TOKEN": token}

	t.Run("an interrupted import resumes, inviting nobody twice", func(t *testing.T) {
		dir := t.TempDir()
		var b strings.Builder
		b.WriteString("role,email,name\n") // a header in its own order
		roles := []string{"", "viewer", "admin"}
		for i := range 250 {
			fmt.Fprintf(&b, "%s,Person%03d@Example.com,\"Person %d, Esq.\"\n", roles[i%3], i, i)
		}
		file := writeFile(t, dir, "people.csv", b.String())
		results := filepath.Join(dir, "results.csv")

		// The run ends once the API has stored the second request and before its answer
		// arrives, as when the laptop's lid closes.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		first := newBulkProxy(t, api, func(n int) fate {
			if n == 2 {
				return dropAnswer
			}
			return forward
		}, cancel)
		code, stdout, stderr := cliRun(ctx, map[string]string{"GATEHOUSE_API": first.URL, "GATEHOUSE_TOKEN": token}, "invite", "--file", file, "--results", results)
		if code != exitFailed || !strings.Contains(stderr, "interrupted with 150 rows not answered; run the same command again to resume") {
			t.Fatalf("interrupted run: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}
		if stdout != "250 rows: 100 created, 150 not answered\n" {
			t.Errorf("interrupted run's summary = %q", stdout)
		}
		rows := readResults(t, results)
		if len(rows) != 250 {
			t.Fatalf("the interrupted run's results have %d rows, want 250", len(rows))
		}
		ids := map[string]string{}
		for i, r := range rows {
			want := "created"
			if i >= 100 {
				want = "not_answered"
			}
			if r[0] != fmt.Sprint(i+2) || r[1] != fmt.Sprintf("person%03d@example.com", i) || r[2] != want {
				t.Fatalf("interrupted run's result %d = %v, want line %d, its address, %s", i, r, i+2, want)
			}
			ids[r[1]] = r[3]
		}

		// Run again: the first try is refused (503 with Retry-After), and the answer to
		// the third request is lost after the API stored it (outcome_unknown).
		again := newBulkProxy(t, api, func(n int) fate {
			switch n {
			case 1:
				return unavailable
			case 4:
				return loseAnswer
			}
			return forward
		}, nil)
		code, stdout, stderr = cliRun(t.Context(), map[string]string{"GATEHOUSE_API": again.URL, "GATEHOUSE_TOKEN": token}, "invite", "--file", file, "--results", results)
		if code != exitOK || stdout != "250 rows: 250 created\n" {
			t.Fatalf("resumed run: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}
		if strings.Count(stderr, "retrying in") != 2 || !strings.Contains(stderr, "temporarily_unavailable: the proxy says") || !strings.Contains(stderr, "outcome_unknown: the proxy says") {
			t.Errorf("resumed run's stderr does not tell of its two retries:\n%s", stderr)
		}
		one, two := first.seen(), again.seen()
		want := []bulkCall{
			{key: one[0].key}, // refused by the proxy
			{key: one[0].key, forwarded: true, replayed: true},  // the first request's answer, kept
			{key: one[1].key, forwarded: true, replayed: true},  // the second's, whose answer was lost
			{key: two[3].key, forwarded: true, replayed: false}, // the third, new
			{key: two[3].key, forwarded: true, replayed: true},  // its retry after outcome_unknown
		}
		if diff := cmp.Diff(want, two, cmp.AllowUnexported(bulkCall{})); diff != "" {
			t.Errorf("resumed run's bulk requests mismatch (-want +got):\n%s", diff)
		}
		if one[0].key == one[1].key || two[3].key == one[1].key || !strings.HasPrefix(one[0].key, "gatehouse-import-") {
			t.Errorf("keys %q %q %q: want one per request", one[0].key, one[1].key, two[3].key)
		}

		rows = readResults(t, results)
		if len(rows) != 250 {
			t.Fatalf("the resumed run's results have %d rows, want 250", len(rows))
		}
		for i, r := range rows[:100] {
			if r[2] != "created" || r[3] != ids[r[1]] {
				t.Errorf("resumed result %d = %v; want created %s, as the first run said", i, r, ids[r[1]])
			}
		}
		byEmail := map[string][]map[string]any{}
		for _, inv := range invitationsOf(t, api, token) {
			byEmail[inv["email"].(string)] = append(byEmail[inv["email"].(string)], inv)
		}
		for i, r := range rows {
			invs := byEmail[r[1]]
			wantRole := map[string]string{"": "member"}[roles[i%3]]
			if wantRole == "" {
				wantRole = roles[i%3]
			}
			switch {
			case len(invs) != 1:
				t.Errorf("%s has %d invitations, want 1", r[1], len(invs))
			case r[2] != "created" || invs[0]["id"] != r[3]:
				t.Errorf("result %v; the API holds %v", r, invs[0]["id"])
			case invs[0]["role"] != wantRole || invs[0]["name"] != fmt.Sprintf("Person %d, Esq.", i):
				t.Errorf("%s was invited as %v %q, want %s %q", r[1], invs[0]["role"], invs[0]["name"], wantRole, fmt.Sprintf("Person %d, Esq.", i))
			}
		}
	})

	t.Run("bad rows are shown with their lines and nothing is sent", func(t *testing.T) {
		dir := t.TempDir()
		file := writeFile(t, dir, "people.csv", "email,name,role\n"+
			"ok1@example.com,Ok One,\n"+
			"not-an-address,Bad,\n"+
			"ok2@example.com,Ok Two,owner\n"+
			"\n"+
			"\"ok3@example.com\",Ok Three,viewer,extra\n")
		results := filepath.Join(dir, "results.csv")
		code, stdout, stderr := cliRun(t.Context(), vars, "invite", "--file", file, "--results", results)
		wantErr := file + `:3: "not-an-address": email must be a plain address such as jane@example.com` + "\n" +
			file + `:4: "ok2@example.com": role must be one of admin, member, viewer` + "\n" +
			file + `:6: "ok3@example.com": the row has 4 fields, more than the file's 3 columns (email, name, role)` + "\n" +
			"gatehouse: 3 of 4 rows are invalid, so nothing was sent: fix them, or pass --skip-invalid to send the other 1\n"
		if code != exitFailed || stdout != "" || stderr != wantErr {
			t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and stderr:\n%s", code, stdout, stderr, wantErr)
		}
		for _, inv := range invitationsOf(t, api, token) {
			if inv["email"] == "ok1@example.com" {
				t.Errorf("a valid row of a file with bad rows was sent: %v", inv)
			}
		}
		got := readResults(t, results)
		want := [][]string{
			{"2", "ok1@example.com", "not_answered", "", "", ""},
			{"3", "not-an-address", "invalid", "", "invalid_email", "email must be a plain address such as jane@example.com"},
			{"4", "ok2@example.com", "invalid", "", "invalid_role", "role must be one of admin, member, viewer"},
			{"6", "ok3@example.com", "invalid", "", "too_many_fields", "the row has 4 fields, more than the file's 3 columns (email, name, role)"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("results mismatch (-want +got):\n%s", diff)
		}

		code, _, stderr = cliRun(t.Context(), vars, "invite", "--file", file, "--results", filepath.Join(dir, ".", "people.csv"))
		if code != exitUsage || !strings.Contains(stderr, "would overwrite the file being imported") {
			t.Errorf("--results naming the file: exit %d, stderr %q", code, stderr)
		}

		code, stdout, _ = cliRun(t.Context(), vars, "invite", "--file", file, "--skip-invalid")
		if code != exitFailed || stdout != "4 rows: 1 created, 3 invalid\n" {
			t.Errorf("--skip-invalid: exit %d, stdout %q; want 1 created and exit 1", code, stdout)
		}
	})

	t.Run("exit 0 when everyone is invited or already was", func(t *testing.T) {
		dir := t.TempDir()
		// No header: email, name, role in that order. ok1 was invited by the last subtest.
		file := writeFile(t, dir, "people.csv", "\uFEFFok1@example.com\nnew1@example.com,New One,viewer\nNEW1@Example.com,New One again\n")
		code, stdout, stderr := cliRun(t.Context(), vars, "invite", "--file", file, "--results", "-")
		want := "line,email,outcome,id,error,detail\n1,ok1@example.com,already_invited,inv_"
		if code != exitOK || !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, "\n3,new1@example.com,duplicate,inv_") ||
			!strings.Contains(stdout, ",the same address as line 2\n") || !strings.Contains(stderr, "3 rows: 1 created, 1 already invited, 1 repeated in the file\n") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}

		tokenFile := writeFile(t, dir, "token", token+"\n")
		code, stdout, stderr = cliRun(t.Context(), map[string]string{"GATEHOUSE_API": api}, "invite", "--email", " Solo@Example.com ", "--name", "Solo", "--token-file", tokenFile)
		if code != exitOK || !strings.HasPrefix(stdout, "solo@example.com: created inv_") || stderr != "" {
			t.Errorf("--email: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		code, stdout, _ = cliRun(t.Context(), vars, "invite", "--email", "solo@example.com")
		if code != exitOK || !strings.HasPrefix(stdout, "solo@example.com: already_invited inv_") {
			t.Errorf("--email again: exit %d, stdout %q", code, stdout)
		}
	})

	t.Run("exit 1 when the API refuses a row or the token", func(t *testing.T) {
		if status, raw := apiCall(t, api, token, http.MethodPatch, "/api/v1/organization", `{"allowedDomains":["example.com"]}`); status != http.StatusOK {
			t.Fatalf("set allowed domains: %d %s", status, raw)
		}
		defer apiCall(t, api, token, http.MethodPatch, "/api/v1/organization", `{"allowedDomains":[]}`)
		file := writeFile(t, t.TempDir(), "people.csv", "email\nin@example.com\nout@elsewhere.org\n")
		code, stdout, stderr := cliRun(t.Context(), vars, "invite", "--file", file)
		if code != exitFailed || stdout != "2 rows: 1 created, 1 outside the allowed domains\n" ||
			!strings.Contains(stderr, file+":3: out@elsewhere.org: domain_not_allowed: ") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}

		code, _, stderr = cliRun(t.Context(), map[string]string{"GATEHOUSE_API": api, "GATEHOUSE_TOKEN": "ghk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "invite", "--file", file)
		if code != exitFailed || !strings.Contains(stderr, "gatehouse: stopped: bulk invite: unauthenticated: send a valid API token") ||
			strings.Contains(stderr, "resume") || strings.Count(stderr, "unauthenticated:") != 1 {
			t.Errorf("a wrong token: exit %d, stderr:\n%s\nwant each row's failure and why the run stopped, once", code, stderr)
		}
	})
}
