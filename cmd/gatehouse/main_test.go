package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/env"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
)

// tableAt is the environment of a command run against env's DynamoDB, and nothing else.
func tableAt(env dynamotest.Env) func(string) string {
	return func(k string) string {
		if k == "DYNAMODB_ENDPOINT" {
			return env.Endpoint
		}
		return ""
	}
}

func TestTokenCreateMakesAWorkingToken(t *testing.T) {
	t.Parallel() // its own table
	env := dynamotest.New(t)
	getenv := tableAt(env)
	var stdout, stderr bytes.Buffer
	args := []string{"token", "create", "--org", "acme", "--org-name", "Acme", "--table", env.Store.Table()}
	if err := run(context.Background(), args, getenv, &stdout, &stderr); err != nil {
		t.Fatalf("token create: %v (%s)", err, stderr.String())
	}
	secret := strings.TrimSpace(stdout.String())
	p, err := org.NewService(env.Store.Org()).Authenticate(context.Background(), secret, org.SourceCLI)
	if err != nil {
		t.Fatalf("printed token %q does not authenticate: %v", secret, err)
	}
	if p.OrgID != "acme" || p.Role != org.RoleAdmin {
		t.Errorf("principal = %+v", p)
	}
	if !strings.Contains(stderr.String(), "created organization acme") {
		t.Errorf("stderr = %q", stderr.String())
	}
	// A second token for the same organization reuses it.
	stdout.Reset()
	if err := run(context.Background(), append(args, "--role", "viewer"), getenv, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	viewer, err := org.NewService(env.Store.Org()).Authenticate(context.Background(), strings.TrimSpace(stdout.String()), org.SourceCLI)
	if err != nil || viewer.OrgID != "acme" || viewer.Role != org.RoleViewer {
		t.Errorf("second token: %+v, %v; want a viewer of acme", viewer, err)
	}
	// A bad role is refused before anything is made.
	if err := run(context.Background(), []string{"token", "create", "--org", "typo", "--table", env.Store.Table(), "--role", "owner"}, getenv, io.Discard, io.Discard); err == nil {
		t.Error("bad role accepted")
	}
	if _, err := env.Store.Orgs.GetOrg(context.Background(), "typo"); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("a token create refused for its role made the organization: %v", err)
	}
	if err := run(context.Background(), []string{"token", "create", "--table", "t"}, getenv, io.Discard, io.Discard); err == nil {
		t.Error("missing --org accepted")
	}
}

func TestDevServesTheSeededOrganization(t *testing.T) {
	t.Parallel() // its own dev stack
	const token = "ghk_ZGV2LXN0YWNrLXRlc3QtdG9rZW4tbm90LWEtc2VjcmV"
	// At debug level the log shows the metrics, as the EMF lines a function writes.
	vars := map[string]string{"PORT": "0", "SES_LOCAL_PORT": "0", "GATEHOUSE_DEV_TOKEN": token, "LOG_LEVEL": "debug"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	log := &metricstest.Output{}
	go func() {
		done <- runDev(ctx, nil, func(k string) string { return vars[k] }, pw, log)
		pw.Close()
	}()
	base := ""
	lines := bufio.NewScanner(pr)
	apiLine := regexp.MustCompile(`API\s+(http://127\.0\.0\.1:\d+)/api/v1`)
	for base == "" && lines.Scan() {
		if m := apiLine.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		t.Fatalf("dev printed no API address: %v", <-done)
	}
	if status, _ := apiCall(t, base, token, http.MethodPost, "/api/v1/legacy/users/invite", `{"name":"John Doe","email":"john.doe@rely.io"}`); status != http.StatusCreated {
		t.Errorf("legacy invite on the dev stack: %d", status)
	}
	if docs := metricstest.WrittenBy(t, log.Bytes(), "dev", "InvitationsCreated"); len(docs) != 1 || docs[0]["Source"] != "legacy" {
		t.Errorf("InvitationsCreated in the log: %v, want the legacy invitation's", docs)
	}
	if docs := metricstest.WrittenBy(t, log.Bytes(), "dev", "ApiRequests"); len(docs) != 1 || docs[0]["Route"] != "POST /api/v1/legacy/users/invite" {
		t.Errorf("ApiRequests in the log: %v, want the legacy invite's", docs)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("dev stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dev did not stop after cancel")
	}
}

func TestDevMetricsGoToTheLogOnlyAtDebug(t *testing.T) {
	for level, want := range map[slog.Level]int{slog.LevelDebug: 1, slog.LevelInfo: 0, slog.LevelError: 0} {
		var out bytes.Buffer
		sink, err := devMetrics(env.Common{LogLevel: level, MetricsNamespace: "Gatehouse"}, &out, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		sink.Count(context.Background(), "EmailsSent", 1)
		if got := len(metricstest.WrittenBy(t, out.Bytes(), "dev", "EmailsSent")); got != want {
			t.Errorf("at %s: %d documents in the log, want %d", level, got, want)
		}
	}
}
