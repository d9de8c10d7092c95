package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const oktaHeader = "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n"

// upload posts an export to the preview endpoint as who.
func (s *server) upload(who, query string, export []byte) response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/api/v1/sync/preview"+query, bytes.NewReader(export))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+s.tokens[who])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: raw}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		s.t.Fatalf("preview answer is not JSON: %s", raw)
	}
	return r
}

func TestDirectorySyncOverTheAPI(t *testing.T) {
	s := newServer(t)
	path := filepath.Join(s.exports, "group.csv")
	export := []byte(oktaHeader +
		"\"00u1\",\"ACTIVE\",\"ada@acme.com\",\"Ada\",\"Lovelace\",\"Ada@Acme.com\"\r\n" +
		"\"00u2\",\"STAGED\",\"new@acme.com\",\"New\",\"Hire\",\"new@acme.com\"\r\n")
	if err := os.WriteFile(path, export, 0o600); err != nil {
		t.Fatal(err)
	}

	wantProblem(t, s.do(http.MethodGet, "/api/v1/sync/config", "acme/admin", nil), http.StatusNotFound, "sync_not_configured", "")
	wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil), http.StatusNotFound, "sync_not_configured", "")
	wantProblem(t, s.do(http.MethodPut, "/api/v1/sync/config", "acme/member", map[string]any{"sources": []string{"file://" + path}}), http.StatusForbidden, "forbidden", "")
	wantProblem(t, s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"sources": []string{"ftp://x/y"}}), http.StatusBadRequest, "invalid_source", "sources[0]")

	// Preview applies nothing.
	p := s.upload("acme/admin", "", export)
	if p.status != http.StatusOK || p.body["format"] != "okta-csv" {
		t.Fatalf("preview: %d %s", p.status, p.raw)
	}
	if c := p.body["counts"].(map[string]any); c["invite"] != float64(1) || c["skipped"] != float64(1) {
		t.Errorf("preview counts = %v", c)
	}
	if r := s.do(http.MethodGet, "/api/v1/invitations", "acme/admin", nil); len(r.body["items"].([]any)) != 0 {
		t.Error("preview created invitations")
	}
	wantProblem(t, s.upload("acme/admin", "", []byte(oktaHeader+"\"00u1\",\"ACT")), http.StatusUnprocessableEntity, "unreadable_export", "")
	wantProblem(t, s.upload("acme/admin", "?format=ldif", export), http.StatusBadRequest, "invalid_format", "format")
	wantProblem(t, s.upload("acme/member", "", export), http.StatusForbidden, "forbidden", "")

	cfg := s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"sources": []string{"file://" + path}, "role": "viewer"})
	if cfg.status != http.StatusOK || cfg.body["format"] != "auto" || cfg.body["removalShare"] != 0.1 || cfg.body["removalFloor"] != float64(5) || cfg.body["sendEmail"] != true {
		t.Fatalf("configure: %d %s", cfg.status, cfg.raw)
	}
	run := s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
	if run.status != http.StatusCreated || run.body["status"] != "applied" || run.body["id"] == nil {
		t.Fatalf("run: %d %s", run.status, run.raw)
	}
	inv := s.do(http.MethodGet, "/api/v1/invitations", "acme/admin", nil).body["items"].([]any)[0].(map[string]any)
	if inv["email"] != "ada@acme.com" || inv["role"] != "viewer" || inv["source"] != "sync" {
		t.Errorf("synced invitation = %v", inv)
	}
	again := s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
	if again.status != http.StatusOK || again.body["status"] != "unchanged" || again.body["id"] != nil {
		t.Errorf("re-run: %d %s", again.status, again.raw)
	}
	runs := s.do(http.MethodGet, "/api/v1/sync/runs", "acme/admin", nil)
	items := runs.body["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("runs = %s", runs.raw)
	}
	id := items[0].(map[string]any)["id"].(string)
	one := s.do(http.MethodGet, "/api/v1/sync/runs/"+id, "acme/admin", nil)
	if one.status != http.StatusOK || len(one.body["actions"].([]any)) != 1 || len(one.body["skipped"].([]any)) != 1 {
		t.Errorf("run report: %s", one.raw)
	}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/runs/"+id+"/approve", "acme/admin", nil), http.StatusConflict, "run_not_held", "")
	wantProblem(t, s.do(http.MethodGet, "/api/v1/sync/runs/"+id, "globex/admin", nil), http.StatusNotFound, "not_found", "")

	// A broken export is a failed run, reported as such.
	if err := os.WriteFile(path, []byte(""), 0o600); err != nil {
		t.Fatal(err)
	}
	failed := s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
	if failed.status != http.StatusCreated || failed.body["status"] != "failed" || failed.body["error"] == nil {
		t.Errorf("broken export: %d %s", failed.status, failed.raw)
	}
}

func TestLargePreviewsFitALambdaAnswer(t *testing.T) {
	s := newServer(t)
	var sb strings.Builder
	sb.WriteString(oktaHeader)
	for i := range 20000 {
		fmt.Fprintf(&sb, "\"00u%d\",\"ACTIVE\",\"p%d@acme.com\",\"Person\",\"Number %d\",\"p%d@acme.com\"\r\n", i, i, i, i)
	}
	r := s.upload("acme/admin", "", []byte(sb.String()))
	if r.status != http.StatusOK || len(r.raw) > 1<<20 {
		t.Fatalf("preview of 20,000 people: %d, %d bytes; want 200 and under 1 MiB", r.status, len(r.raw))
	}
	if r.body["actionsTruncated"] != true || len(r.body["actions"].([]any)) != 1000 || r.body["counts"].(map[string]any)["invite"] != float64(20000) {
		t.Errorf("preview lists %d actions, truncated %v, counts %v", len(r.body["actions"].([]any)), r.body["actionsTruncated"], r.body["counts"])
	}
	// Over 5 MiB cannot be uploaded; the configured export can be read where it is.
	big := strings.Repeat(sb.String(), 4)
	wantProblem(t, s.upload("acme/admin", "", []byte(big)), http.StatusRequestEntityTooLarge, "body_too_large", "")
	path := filepath.Join(s.exports, "big.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"sources": []string{"file://" + path}}); c.status != http.StatusOK {
		t.Fatalf("configure: %d %s", c.status, c.raw)
	}
	conf := s.do(http.MethodPost, "/api/v1/sync/preview?source=configured", "acme/admin", nil)
	if conf.status != http.StatusOK || conf.body["counts"].(map[string]any)["people"] != float64(20000) {
		t.Errorf("preview of the configured export: %d %.300s", conf.status, conf.raw)
	}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/preview?source=ftp", "acme/admin", nil), http.StatusBadRequest, "invalid_source", "source")
}

// TestUseUpnWhenNoMailIsTheOrganizationsChoice: an Entra member without mail is skipped,
// saying why, until the configuration sets useUpnWhenNoMail; then they are invited at their
// user principal name. A guest never is.
func TestUseUpnWhenNoMailIsTheOrganizationsChoice(t *testing.T) {
	s := newServer(t)
	path := filepath.Join(s.exports, "entra.csv")
	export := "userPrincipalName,displayName,mail,objectId,accountEnabled\r\n" +
		"ada@acme.com,Ada,ada@acme.com,1,True\r\n" +
		"zoe@acme.com,Zoe,,2,True\r\n" +
		"sam_partner.example#EXT#@acme.onmicrosoft.com,Sam,,3,True\r\n"
	if err := os.WriteFile(path, []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	invited := func() []string {
		var out []string
		for _, it := range s.do(http.MethodGet, "/api/v1/invitations", "acme/admin", nil).body["items"].([]any) {
			out = append(out, it.(map[string]any)["email"].(string))
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		use  bool
		want []string
	}{{false, []string{"ada@acme.com"}}, {true, []string{"ada@acme.com", "zoe@acme.com"}}} {
		cfg := s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"sources": []string{"file://" + path}, "sendEmail": false, "useUpnWhenNoMail": tt.use})
		if cfg.status != http.StatusOK || cfg.body["useUpnWhenNoMail"] != tt.use {
			t.Fatalf("configure: %d %s", cfg.status, cfg.raw)
		}
		run := s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
		if run.status != http.StatusCreated {
			t.Fatalf("run: %d %s", run.status, run.raw)
		}
		if got := invited(); !slices.Equal(got, tt.want) {
			t.Errorf("useUpnWhenNoMail %v: invited %v, want %v (run %s)", tt.use, got, tt.want, run.raw)
		}
		if !tt.use && !strings.Contains(string(run.raw), "used only with useUpnWhenNoMail") {
			t.Errorf("the run does not say why zoe was skipped: %s", run.raw)
		}
	}
}
