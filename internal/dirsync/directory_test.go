package dirsync_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/blob"
	"gatehouse/internal/connector"
	"gatehouse/internal/connector/connectortest"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/seal"
)

const oktaToken = "00aTopSecretOktaToken0123456789abcdefghij"

// directoryBench is organization acme whose sync reads a fake identity provider.
type directoryBench struct {
	t     *testing.T
	env   dynamotest.Env
	svc   *org.Service
	sync  *dirsync.Service
	admin org.Principal
	clock *orgtest.Clock
	logs  *bytes.Buffer
}

func newDirectoryBench(t *testing.T, opts ...dirsync.Option) *directoryBench {
	t.Helper()
	env := dynamotest.New(t)
	clock := orgtest.NewClock()
	svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	sealer, err := seal.NewLocal(key)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	exports := t.TempDir()
	opts = append([]dirsync.Option{dirsync.WithClock(clock.Now), dirsync.WithExportsDir(exports), dirsync.WithDirectories(sealer, true)}, opts...)
	sync := dirsync.New(env.Store.Sync, svc, blob.Opener{FilesDir: exports}, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), opts...)
	return &directoryBench{t: t, env: env, svc: svc, sync: sync, admin: admin, clock: clock, logs: logs}
}

// configure PUTs the directory settings, given as JSON.
func (b *directoryBench) configure(directory string) (dirsync.Config, error) {
	b.t.Helper()
	var req dirsync.ConfigRequest
	if err := json.Unmarshal([]byte(`{"sendEmail": false, "directory": `+directory+`}`), &req); err != nil {
		b.t.Fatalf("decode request: %v", err)
	}
	return b.sync.Configure(context.Background(), b.admin, req)
}

func (b *directoryBench) mustConfigure(directory string) dirsync.Config {
	b.t.Helper()
	c, err := b.configure(directory)
	if err != nil {
		b.t.Fatalf("configure: %v", err)
	}
	return c
}

func (b *directoryBench) run(trigger string) dirsync.Run {
	b.t.Helper()
	r, err := b.sync.Sync(context.Background(), "acme", trigger)
	if err != nil && r.Status != dirsync.RunFailed {
		b.t.Fatalf("sync: %v", err)
	}
	return r
}

// roles are acme's synced people's roles by address.
func (b *directoryBench) roles() map[string]string {
	b.t.Helper()
	ms, invs, err := b.svc.Accounts(context.Background(), b.admin)
	if err != nil {
		b.t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		if m.Source == org.SourceSync {
			out[m.Email] = string(m.Role)
		}
	}
	for _, inv := range invs {
		out[inv.Email] = string(inv.Role)
	}
	return out
}

// table is every item of the table, as text, for looking for secrets in it.
func (b *directoryBench) table() string {
	b.t.Helper()
	out, err := b.env.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: ptrTo(b.env.Store.Table())})
	if err != nil {
		b.t.Fatal(err)
	}
	var sb strings.Builder
	for _, item := range out.Items {
		fmt.Fprintf(&sb, "%v\n", itemText(item))
	}
	return sb.String()
}

func itemText(item map[string]types.AttributeValue) string {
	var sb strings.Builder
	for k, v := range item {
		sb.WriteString(k + "=")
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			sb.WriteString(v.Value)
		case *types.AttributeValueMemberB:
			sb.Write(v.Value)
		case *types.AttributeValueMemberM:
			sb.WriteString(itemText(v.Value))
		case *types.AttributeValueMemberL:
			for _, e := range v.Value {
				sb.WriteString(itemText(map[string]types.AttributeValue{"": e}))
			}
		default:
			fmt.Fprint(&sb, v)
		}
		sb.WriteString(" ")
	}
	return sb.String()
}

func ptrTo[T any](v T) *T { return &v }

var (
	dAda   = connectortest.Person{ID: "00u1", Email: "ada@acme.com", First: "Ada", Last: "Lovelace"}
	dAlan  = connectortest.Person{ID: "00u2", Email: "alan@acme.com", First: "Alan", Last: "Turing"}
	dGrace = connectortest.Person{ID: "00u3", Email: "grace@acme.com", First: "Grace", Last: "Hopper"}
)

func oktaDirectory(o *connectortest.Okta, token string) string {
	return fmt.Sprintf(`{"provider": "okta", "domain": %q, "apiToken": %q,
		"groups": [{"id": "00gadmins", "role": "admin"}, {"id": "00geveryone", "role": "member"}]}`, o.URL, token)
}

func TestDirectorySyncReadsOktaGroupsWithTheirRoles(t *testing.T) {
	b := newDirectoryBench(t)
	okta := connectortest.NewOkta(t, oktaToken)
	okta.PageSize = 2 // so that the people span pages
	okta.SetGroup("00gadmins", "Portal Admins", dAda)
	okta.SetGroup("00geveryone", "Everyone", dAda, dAlan, dGrace)
	c := b.mustConfigure(oktaDirectory(okta, oktaToken))
	if c.Format != "okta-json" || c.Sources != nil || connector.SecretsOf(c.Directory.Settings)["apiToken"].Reveal() != "" {
		t.Fatalf("configuration kept %+v", c)
	}

	r := b.run(dirsync.TriggerSchedule)
	if r.Status != dirsync.RunApplied {
		t.Fatalf("run %s: %s", r.Status, r.Error)
	}
	wantCounts(t, r, map[string]int{"invite": 3, "failed": 0, "people": 3})
	if got := b.roles(); got["ada@acme.com"] != "admin" || got["alan@acme.com"] != "member" || got["grace@acme.com"] != "member" {
		t.Fatalf("roles %v", got)
	}

	// Ada leaves the admin group, Grace joins it: one promotion, one demotion.
	okta.SetGroup("00gadmins", "Portal Admins", dGrace)
	r = b.run(dirsync.TriggerSchedule)
	wantCounts(t, r, map[string]int{"role": 2, "failed": 0, "invite": 0})
	if got := b.roles(); got["ada@acme.com"] != "member" || got["grace@acme.com"] != "admin" {
		t.Fatalf("roles after the move %v", got)
	}
	for _, a := range r.Actions {
		if a.Kind == "role" && !strings.Contains(a.Reason, "group 00g") {
			t.Errorf("reason %q does not name the group", a.Reason)
		}
	}

	// The token is in no item of the table, no log line, no run report, no audit entry.
	if strings.Contains(b.table(), oktaToken) {
		t.Error("the API token is in the table in clear")
	}
	if strings.Contains(b.logs.String(), oktaToken) {
		t.Error("the API token is in the logs")
	}
	page, err := b.svc.AuditLog(context.Background(), b.admin, org.AuditQuery{PageRequest: org.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(page); strings.Contains(string(raw), oktaToken) {
		t.Error("the API token is in the audit log")
	}
	if raw, _ := json.Marshal(r); strings.Contains(string(raw), oktaToken) {
		t.Error("the API token is in a run report")
	}
}

func TestDirectoryCredentialsAreWriteOnly(t *testing.T) {
	b := newDirectoryBench(t)
	okta := connectortest.NewOkta(t, oktaToken)
	okta.SetGroup("00gadmins", "Admins", dAda)
	okta.SetGroup("00geveryone", "Everyone", dAda)
	b.mustConfigure(oktaDirectory(okta, oktaToken))

	// Left out, or sent back as "set", the stored token is kept.
	for _, token := range []string{`"set"`, `""`, ``} {
		dir := fmt.Sprintf(`{"provider": "okta", "domain": %q, "groups": [{"id": "00geveryone"}]`, okta.URL)
		if token != "" {
			dir += `, "apiToken": ` + token
		}
		if _, err := b.configure(dir + `}`); err != nil {
			t.Fatalf("PUT with apiToken %s: %v", token, err)
		}
		if r := b.run(dirsync.TriggerAPI); r.Status == dirsync.RunFailed {
			t.Fatalf("after PUT with apiToken %s: %s", token, r.Error)
		}
	}

	// Pointed at another host, a stored token is not handed over: it must be sent again.
	other := connectortest.NewOkta(t, "00aAnotherOrgsToken")
	_, err := b.configure(fmt.Sprintf(`{"provider": "okta", "domain": %q, "groups": [{"id": "00geveryone"}]}`, other.URL))
	wantField(t, err, "directory.apiToken", "required")
	if other.Requests() != 0 {
		t.Errorf("the other host was called %d times", other.Requests())
	}
	// And another provider starts afresh too.
	_, err = b.configure(`{"provider": "scim", "url": "https://idp.example.com/scim/v2"}`)
	wantField(t, err, "directory.bearerToken", "required")
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	var verr *org.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("got %v, want a validation error on %s", err, field)
	}
	for _, f := range verr.Fields {
		if f.Field == field && f.Code == code {
			return
		}
	}
	t.Fatalf("got %v, want %s %s", verr, field, code)
}

func TestDirectoryConfigurationIsChecked(t *testing.T) {
	b := newDirectoryBench(t)
	no := false
	cases := []struct {
		name, body, field, code string
	}{
		{"both sources and a directory", `{"sources": ["s3://exports/acme/a.csv"], "directory": {"provider": "okta"}}`, "directory", "conflict"},
		{"an unknown provider", `{"directory": {"provider": "ldap"}}`, "directory.provider", "invalid_provider"},
		{"a field the provider does not have", `{"directory": {"provider": "okta", "tenantId": "x"}}`, "directory.settings", "invalid_json"},
		{"a bad role", `{"directory": {"provider": "okta", "domain": "https://acme.okta.com", "apiToken": "00a123456789",
			"groups": [{"id": "00g1", "role": "owner"}]}}`, "directory.groups[0].role", "invalid_role"},
		{"plain http", `{"directory": {"provider": "okta", "domain": "http://acme.okta.com", "apiToken": "00a123456789", "groups": [{"id": "00g1"}]}}`,
			"directory.domain", "invalid_url"},
		{"a format with a directory", `{"format": "okta-csv", "directory": {"provider": "okta", "domain": "https://acme.okta.com",
			"apiToken": "00a123456789", "groups": [{"id": "00g1"}]}}`, "format", "invalid_format"},
		{"a placeholder with nothing stored", `{"directory": {"provider": "okta", "domain": "https://acme.okta.com", "apiToken": "set",
			"groups": [{"id": "00g1"}]}}`, "directory.apiToken", "redacted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var req dirsync.ConfigRequest
			if err := json.Unmarshal([]byte(tc.body), &req); err != nil {
				t.Fatal(err)
			}
			req.SendEmail = &no
			_, err := b.sync.Configure(context.Background(), b.admin, req)
			wantField(t, err, tc.field, tc.code)
		})
	}

	// Without a key to seal credentials with, directories are refused, files still work.
	env := dynamotest.New(t)
	svc := org.NewService(env.Store.Org())
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	plain := dirsync.New(env.Store.Sync, svc, blob.Opener{}, slog.New(slog.DiscardHandler))
	var req dirsync.ConfigRequest
	_ = json.Unmarshal([]byte(`{"directory": {"provider": "okta", "domain": "https://acme.okta.com", "apiToken": "00a123456789", "groups": [{"id": "00g1"}]}}`), &req)
	_, err := plain.Configure(context.Background(), admin, req)
	wantField(t, err, "directory", "not_available")
}

func TestDirectoryRunsThatCannotReadApplyNothing(t *testing.T) {
	b := newDirectoryBench(t)
	okta := connectortest.NewOkta(t, oktaToken)
	okta.SetGroup("00gadmins", "Admins", dAda)
	okta.SetGroup("00geveryone", "Everyone", dAda, dAlan)
	b.mustConfigure(oktaDirectory(okta, oktaToken))
	if r := b.run(dirsync.TriggerAPI); r.Status != dirsync.RunApplied {
		t.Fatalf("first run %s: %s", r.Status, r.Error)
	}

	// A group that is gone fails the run, naming it; nobody is removed.
	okta.SetGroup("00geveryone", "Everyone") // emptied: still there
	b.mustConfigure(fmt.Sprintf(`{"provider": "okta", "domain": %q, "groups": [{"id": "00gadmins", "role": "admin"}, {"id": "00gmissing"}]}`, okta.URL))
	r := b.run(dirsync.TriggerAPI)
	if r.Status != dirsync.RunFailed || !strings.Contains(r.Error, "00gmissing") || !strings.Contains(r.Error, "nothing was applied") {
		t.Fatalf("run with a missing group: %s %q", r.Status, r.Error)
	}
	if len(b.roles()) != 2 {
		t.Errorf("a failed run changed the people: %v", b.roles())
	}

	// A revoked token fails the run in Okta's words.
	b.mustConfigure(fmt.Sprintf(`{"provider": "okta", "domain": %q, "apiToken": "00aRevokedToken123", "groups": [{"id": "00gadmins"}]}`, okta.URL))
	r = b.run(dirsync.TriggerAPI)
	if r.Status != dirsync.RunFailed || !strings.Contains(r.Error, "Invalid token provided") || strings.Contains(r.Error, "00aRevokedToken123") {
		t.Fatalf("run with a bad token: %s %q", r.Status, r.Error)
	}
	if len(b.roles()) != 2 {
		t.Errorf("a failed run changed the people: %v", b.roles())
	}
}

func TestTestDirectoryReadsTheFirstPageOfEachGroup(t *testing.T) {
	b := newDirectoryBench(t)
	okta := connectortest.NewOkta(t, oktaToken)
	okta.PageSize = 2
	okta.SetGroup("00gadmins", "Portal Admins", dAda)
	okta.SetGroup("00geveryone", "Everyone", dAda, dAlan, dGrace)
	var req dirsync.ConfigRequest
	_ = json.Unmarshal([]byte(`{"directory": `+oktaDirectory(okta, oktaToken)+`}`), &req)
	rep, err := b.sync.TestDirectory(context.Background(), b.admin, req.Directory)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Name != "Portal Admins" || rep.Groups[1].Count != 2 || !rep.Groups[1].More ||
		rep.Groups[1].Sample[1].Email != "alan@acme.com" {
		t.Fatalf("report %+v", rep)
	}
	// Nothing was stored: the organization has no sync configuration yet.
	if _, err := b.sync.Config(context.Background(), b.admin); !errors.Is(err, dirsync.ErrNotConfigured) {
		t.Errorf("testing stored a configuration: %v", err)
	}
	// A wrong token is the provider's answer.
	_ = json.Unmarshal([]byte(`{"directory": `+oktaDirectory(okta, "00aWrongToken000")+`}`), &req)
	_, err = b.sync.TestDirectory(context.Background(), b.admin, req.Directory)
	var bad *dirsync.ExportError
	if !errors.As(err, &bad) || !strings.Contains(bad.Reason, "Invalid token provided") {
		t.Fatalf("a wrong token: %v", err)
	}
	// Only admins test.
	member := org.Principal{OrgID: "acme", Role: org.RoleMember}
	if _, err := b.sync.TestDirectory(context.Background(), member, req.Directory); !errors.Is(err, org.ErrForbidden) {
		t.Errorf("a member tested: %v", err)
	}
}

func TestAnUnchangedGraphDirectoryCostsTwoRequests(t *testing.T) {
	b := newDirectoryBench(t)
	graph := connectortest.NewGraph(t, "contoso.onmicrosoft.com", "11111111-2222-3333-4444-555555555555", "graph~secret~value")
	const admins, everyone = "02bd9fd6-8f93-4758-87c3-1fb73740a315", "12bd9fd6-8f93-4758-87c3-1fb73740a315"
	graph.SetGroup(admins, "Portal Admins", dAda)
	graph.SetGroup(everyone, "Everyone", dAda, dAlan)
	b.mustConfigure(fmt.Sprintf(`{"provider": "microsoft-graph", "tenantId": "contoso.onmicrosoft.com",
		"clientId": "11111111-2222-3333-4444-555555555555", "clientSecret": "graph~secret~value",
		"authorityUrl": %q, "graphUrl": %q, "groups": [{"id": %q, "role": "admin"}, {"id": %q}]}`, graph.URL, graph.URL, admins, everyone))
	if r := b.run(dirsync.TriggerSchedule); r.Status != dirsync.RunApplied || b.roles()["ada@acme.com"] != "admin" {
		t.Fatalf("first run %s: %s %v", r.Status, r.Error, b.roles())
	}

	// Nothing changed: one sign-in and one delta request per group.
	before := graph.Requests()
	if r := b.run(dirsync.TriggerSchedule); r.Status != dirsync.RunUnchanged {
		t.Fatalf("unchanged run %s: %s", r.Status, r.Error)
	}
	if n := graph.Requests() - before; n != 3 {
		t.Errorf("an unchanged run made %d requests, want 3 (sign-in and one delta per group)", n)
	}

	// A change shows in the delta, and the run reads in full.
	graph.SetGroup(everyone, "Everyone", dAda, dAlan, dGrace)
	if r := b.run(dirsync.TriggerSchedule); r.Status != dirsync.RunApplied || r.Counts["invite"] != 1 {
		t.Fatalf("changed run %s: %v %s", r.Status, r.Counts, r.Error)
	}

	// A day after the last full read, the run reads in full whatever the delta says.
	b.run(dirsync.TriggerSchedule)
	b.clock.Add(dirsync.FullReadEvery)
	before = graph.Requests()
	b.run(dirsync.TriggerSchedule)
	if n := graph.Requests() - before; n < 5 {
		t.Errorf("a run a day later made %d requests, want a full read", n)
	}
	if strings.Contains(b.table(), "graph~secret~value") {
		t.Error("the client secret is in the table in clear")
	}
}

func TestSourcesWithRolesGiveTheHighestRole(t *testing.T) {
	b := newDirectoryBench(t)
	exports := t.TempDir()
	b.sync = dirsync.New(b.env.Store.Sync, b.svc, blob.Opener{FilesDir: exports}, slog.New(slog.DiscardHandler),
		dirsync.WithClock(b.clock.Now), dirsync.WithExportsDir(exports))
	write := func(name string, people ...person) string {
		var sb strings.Builder
		sb.WriteString("\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n")
		for _, p := range people {
			fmt.Fprintf(&sb, "%q,%q,%q,%q,%q,%q\r\n", p.id, p.status, p.email, p.first, p.last, p.email)
		}
		path := filepath.Join(exports, name)
		if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + path
	}
	admins, everyone := write("admins.csv", ada), write("everyone.csv", ada, alan)
	var req dirsync.ConfigRequest
	if err := json.Unmarshal([]byte(fmt.Sprintf(`{"sendEmail": false, "sources": [{"uri": %q, "role": "admin"}, {"uri": %q, "role": "member"}]}`, admins, everyone)), &req); err != nil {
		t.Fatal(err)
	}
	c, err := b.sync.Configure(context.Background(), b.admin, req)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(c.Sources); !strings.Contains(string(raw), `"role":"admin"`) {
		t.Errorf("sources read back as %s", raw)
	}
	stored, err := b.sync.Config(context.Background(), b.admin)
	if err != nil || len(stored.Sources) != 2 || stored.Sources[0].Role != org.RoleAdmin {
		t.Fatalf("stored sources %+v: %v", stored.Sources, err)
	}
	if r := b.run(dirsync.TriggerAPI); r.Status != dirsync.RunApplied {
		t.Fatalf("run %s: %s", r.Status, r.Error)
	}
	if got := b.roles(); got["ada@acme.com"] != "admin" || got["alan@acme.com"] != "member" {
		t.Fatalf("roles %v", got)
	}
	_ = json.Unmarshal([]byte(`{"sources": [{"uri": "file:///x", "role": "owner"}]}`), &req)
	_, err = b.sync.Configure(context.Background(), b.admin, req)
	var verr *org.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("a bad source role: %v", err)
	}
}

const (
	graphTenant = "contoso.onmicrosoft.com"
	graphClient = "11111111-2222-3333-4444-555555555555"
	graphGroup  = "12bd9fd6-8f93-4758-87c3-1fb73740a315"
	graphAdmins = "02bd9fd6-8f93-4758-87c3-1fb73740a315"
)

func graphDirectory(g *connectortest.Graph, secret string) string {
	cred := ""
	if secret != "" {
		cred = fmt.Sprintf(`"clientSecret": %q,`, secret)
	}
	return fmt.Sprintf(`{"provider": "microsoft-graph", "tenantId": %q, "clientId": %q, %s
		"authorityUrl": %q, "graphUrl": %q, "groups": [{"id": %q, "role": "admin"}, {"id": %q}]}`,
		graphTenant, graphClient, cred, g.URL, g.URL, graphAdmins, graphGroup)
}

func (b *directoryBench) configureBody(body string) error {
	var req dirsync.ConfigRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		b.t.Fatal(err)
	}
	_, err := b.sync.Configure(context.Background(), b.admin, req)
	return err
}

// TestChangedSettingsAreReadInFull: after the configuration changes (here the role people
// of groups without one get), the next scheduled run reads in full, not by the delta.
func TestChangedSettingsAreReadInFull(t *testing.T) {
	b := newDirectoryBench(t)
	g := connectortest.NewGraph(t, graphTenant, graphClient, "graph~secret~value")
	g.SetGroup(graphAdmins, "Admins", dAda)
	g.SetGroup(graphGroup, "Everyone", dAda, dAlan)
	if err := b.configureBody(`{"sendEmail": false, "role": "member", "directory": ` + graphDirectory(g, "graph~secret~value") + `}`); err != nil {
		t.Fatal(err)
	}
	if r := b.run(dirsync.TriggerSchedule); r.Status != dirsync.RunApplied {
		t.Fatalf("first run %s %s", r.Status, r.Error)
	}
	if err := b.configureBody(`{"sendEmail": false, "role": "viewer", "directory": ` + graphDirectory(g, "") + `}`); err != nil {
		t.Fatal(err)
	}
	r := b.run(dirsync.TriggerSchedule)
	if got := b.roles(); r.Status != dirsync.RunApplied || got["alan@acme.com"] != "viewer" || got["ada@acme.com"] != "admin" {
		t.Errorf("after the default role member->viewer: run %s, roles %v", r.Status, got)
	}
}

// TestCredentialsThatCannotBeOpenedAreSentAgain: stored credentials sealed under another key
// (a new key file, a table restored into another stack) never block a PUT that sends them.
func TestCredentialsThatCannotBeOpenedAreSentAgain(t *testing.T) {
	b := newDirectoryBench(t)
	okta := connectortest.NewOkta(t, oktaToken)
	okta.SetGroup("00geveryone", "Everyone", dAda)
	b.mustConfigure(oktaDirectory(okta, oktaToken))

	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	other, _ := seal.NewLocal(key)
	b.sync = dirsync.New(b.env.Store.Sync, b.svc, blob.Opener{}, slog.New(slog.DiscardHandler),
		dirsync.WithClock(b.clock.Now), dirsync.WithDirectories(other, true))
	if _, err := b.configure(oktaDirectory(okta, oktaToken)); err != nil {
		t.Errorf("PUT with the credential itself: %v", err)
	}
	b.sync = dirsync.New(b.env.Store.Sync, b.svc, blob.Opener{}, slog.New(slog.DiscardHandler),
		dirsync.WithClock(b.clock.Now), dirsync.WithDirectories(seal3(t), true))
	_, err := b.configure(fmt.Sprintf(`{"provider": "okta", "domain": %q, "groups": [{"id": "00geveryone"}]}`, okta.URL))
	wantField(t, err, "directory.apiToken", "required")
}

// seal3 is a sealer under a key of its own.
func seal3(t *testing.T) seal.Sealer {
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	s, err := seal.NewLocal(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGroupsWithoutRolesLeaveRolesAlone: groups without roles manage no roles, as files
// without roles do.
func TestGroupsWithoutRolesLeaveRolesAlone(t *testing.T) {
	b := newDirectoryBench(t)
	okta := connectortest.NewOkta(t, oktaToken)
	okta.SetGroup("00gadmins", "Admins", dAda)
	okta.SetGroup("00geveryone", "Everyone", dAda, dAlan)
	b.mustConfigure(oktaDirectory(okta, oktaToken))
	b.run(dirsync.TriggerAPI)
	if b.roles()["ada@acme.com"] != "admin" {
		t.Fatal("setup")
	}
	b.mustConfigure(fmt.Sprintf(`{"provider": "okta", "domain": %q, "groups": [{"id": "00gadmins"}, {"id": "00geveryone"}]}`, okta.URL))
	r := b.run(dirsync.TriggerAPI)
	if got := b.roles(); got["ada@acme.com"] != "admin" {
		t.Errorf("role-less groups changed Ada's role: %v (run counts %v)", got, r.Counts)
	}
}

// TestSettingsOfANewerReleaseStillRead: stored settings with a field this release does not
// know (written by a newer one, before a rollback) never stop the scheduled pass.
func TestSettingsOfANewerReleaseStillRead(t *testing.T) {
	b := newDirectoryBench(t)
	okta := connectortest.NewOkta(t, oktaToken)
	okta.SetGroup("00gadmins", "Admins", dAda)
	okta.SetGroup("00geveryone", "Everyone", dAda)
	b.mustConfigure(oktaDirectory(okta, oktaToken))
	_, err := b.env.Client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: ptrTo(b.env.Store.Table()),
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "SYNCCONFIG"}, "sk": &types.AttributeValueMemberS{Value: "zeta"},
			"type": &types.AttributeValueMemberS{Value: "syncconfig"}, "orgId": &types.AttributeValueMemberS{Value: "zeta"},
			"enabled":           &types.AttributeValueMemberBOOL{Value: true},
			"directoryProvider": &types.AttributeValueMemberS{Value: "okta"},
			"directorySettings": &types.AttributeValueMemberS{Value: `{"domain":"https://z.okta.com","apiToken":"","groups":[{"id":"00g1"}],"futureField":1}`},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.sync.SyncAll(context.Background(), dirsync.TriggerSchedule); err != nil {
		t.Errorf("acme is not synced because zeta's item does not decode: %v", err)
	}
}
