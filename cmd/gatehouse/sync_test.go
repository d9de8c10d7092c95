package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const oktaExport = "\uFEFF\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n" +
	"\"00u1\",\"ACTIVE\",\"ada@acme.com\",\"Ada\",\"Lovelace\",\"ADA@acme.com\"\r\n" +
	"\"00u2\",\"ACTIVE\",\"zoe@acme.com\",\"Zoë\",\"Ngata\",\"zoe@acme.com\"\r\n" +
	"\"00u3\",\"ACTIVE\",\"robot\",\"Build\",\"Robot\",\"\"\r\n"

func TestSyncPlanPrintsThePlanOfAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(path, []byte(oktaExport), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"sync", "plan", "--file", path}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("sync plan: %v: %s", err, errOut.String())
	}
	for _, want := range []string{"okta-csv, 2 people present, 1 records skipped", "+ ada@acme.com  (Ada Lovelace)", "+ zoe@acme.com  (Zoë Ngata)", "Build Robot: no email"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(t.Context(), []string{"sync", "plan", "--json", "--file", path}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Format  string              `json:"format"`
		Actions map[string][]string `json:"actions"`
		Skipped []struct{ Reason string }
	}
	if err := json.Unmarshal(out.Bytes(), &plan); err != nil {
		t.Fatalf("--json output: %v: %s", err, out.String())
	}
	if plan.Format != "okta-csv" || strings.Join(plan.Actions["invite"], ",") != "ada@acme.com,zoe@acme.com" || len(plan.Actions["deactivate"]) != 0 || len(plan.Skipped) != 1 {
		t.Errorf("plan = %+v", plan)
	}
	if err := run(t.Context(), []string{"sync", "plan"}, func(string) string { return "" }, &out, &errOut); err == nil {
		t.Error("sync plan without --file succeeded")
	}
	if err := os.WriteFile(path, []byte("\"User Id\",\"Status\"\r\n\"00u1\",\"ACT"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"sync", "plan", "--file", path}, func(string) string { return "" }, &out, &errOut); err == nil {
		t.Error("a broken export planned without error")
	}
}

func TestDevSyncsFileExportsOnItsInterval(t *testing.T) {
	t.Parallel() // its own dev stack
	const token = "ghk_c3luYy10ZXN0LXRva2VuLWZvci10aGUtZGV2LXN0YWN"
	exports := t.TempDir()
	path := filepath.Join(exports, "okta.csv")
	if err := os.WriteFile(path, []byte(oktaExport), 0o600); err != nil {
		t.Fatal(err)
	}
	api, _ := devStackWith(t, token, map[string]string{"SYNC_INTERVAL": "1s", "EXPORTS_DIR": exports})
	body := `{"sources":["file://` + path + `"],"sendEmail":false}`
	if status, _ := apiCall(t, api, token, http.MethodPut, "/api/v1/sync/config", body); status != http.StatusOK {
		t.Fatalf("configure sync: %d", status)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, raw := apiCall(t, api, token, http.MethodGet, "/api/v1/sync/runs", "")
		var runs struct {
			Items []struct {
				Status  string         `json:"status"`
				Trigger string         `json:"trigger"`
				Counts  map[string]int `json:"counts"`
			} `json:"items"`
		}
		if err := json.Unmarshal(raw, &runs); err != nil {
			t.Fatalf("sync runs answer %q: %v", raw, err)
		}
		if len(runs.Items) > 0 {
			r := runs.Items[0]
			if r.Status != "applied" || r.Trigger != "schedule" || r.Counts["invite"] != 2 {
				t.Errorf("scheduled run = %+v", r)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the local stack ran no sync within 20 seconds")
}
