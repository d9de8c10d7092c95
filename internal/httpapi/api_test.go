package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/hooks"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/provision"
	"gatehouse/internal/seal"
	"gatehouse/internal/webhook"
)

// server is the API over a fresh table with organizations acme and globex and an admin
// token for each.
type server struct {
	t      *testing.T
	url    string
	svc    *org.Service
	clock  *orgtest.Clock
	tokens map[string]string // "acme/admin" -> secret
	store  *dynamo.Store
	env    dynamotest.Env
	// exports is the folder file:// sync sources must lie in.
	exports string
	hooks   *hooks.Service
	// notices is what the webhooks service emailed admins.
	notices *noticeBox
	// config is what the API was built from.
	config httpapi.Config
}

// noticeBox keeps the notices sent, as "to|subject|text".
type noticeBox struct {
	mu   sync.Mutex
	sent []string
}

func (b *noticeBox) SendNotice(_ context.Context, to, subject, text string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, to+"|"+subject+"|"+text)
	return fmt.Sprintf("notice-%d", len(b.sent)), nil
}

func (b *noticeBox) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.sent)
}

func ptr[T any](v T) *T { return &v }

// mustAPI builds the API handler; in tests (not benchmarks) every request and answer is
// checked against openapi.json (see conform).
func mustAPI(tb testing.TB, c httpapi.Config) http.Handler {
	tb.Helper()
	h, err := httpapi.New(c)
	if err != nil {
		tb.Fatal(err)
	}
	if t, ok := tb.(*testing.T); ok {
		return conform(t, h)
	}
	return h
}

// stringOf renders an attribute value for searching it.
func stringOf(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberB:
		return string(v.Value)
	case *types.AttributeValueMemberM:
		out := ""
		for k, e := range v.Value {
			out += k + stringOf(e)
		}
		return out
	}
	return ""
}

func newServer(t *testing.T) *server {
	t.Helper()
	return newServerWith(t, serverOptions{})
}

// serverOptions change what newServerWith builds.
type serverOptions struct {
	manualSlack  bool // workspaces connect by team id, as in the local stack
	slackInstall httpapi.SlackInstaller
	// webhookTimeout bounds one webhook attempt; 0 means the default 10 s.
	webhookTimeout time.Duration
	// metrics, when set, receives the API's and the organization service's metrics.
	metrics *metricstest.Recorder
}

// testSealer seals under a fresh local key.
func testSealer(t *testing.T) seal.Sealer {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	s, err := seal.NewLocal(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newServerWith(t *testing.T, o serverOptions) *server {
	t.Helper()
	env := dynamotest.New(t)
	c := orgtest.NewClock()
	opts := []org.Option{org.WithClock(c.Now)}
	if o.manualSlack {
		opts = append(opts, org.WithManualSlack())
	}
	var metrics httpapi.Metrics
	if o.metrics != nil {
		opts, metrics = append(opts, org.WithMetrics(o.metrics)), o.metrics
	}
	svc := org.NewService(env.Store.Org(), opts...)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	exports := t.TempDir()
	prov := provision.New(env.Store.SCIM, env.Store.Sync, svc, log, provision.WithClock(c.Now))
	notices := &noticeBox{}
	hk := hooks.New(env.Store.Hooks, testSealer(t), webhook.NewSender(webhook.SenderOptions{Local: true, Timeout: o.webhookTimeout}), true, log, hooks.WithClock(c.Now),
		hooks.WithMailer(hooks.AdminNotices{Admins: svc.AdminAddresses, Sender: notices, SettingsURL: "https://gatehouse.example.com/settings/"}))
	cfg := httpapi.Config{
		Webhooks: hk,
		Service:  svc, Idempotency: env.Store.Idempotency, Now: c.Now, SCIM: prov,
		Sync: dirsync.New(env.Store.Sync, svc, blob.Opener{FilesDir: exports}, log, dirsync.WithClock(c.Now), dirsync.WithExportsDir(exports),
			dirsync.WithHeldApplier(provision.TriggerSCIM, prov), dirsync.WithDirectories(testSealer(t), true)),
		Logger:    log,
		PublicURL: "https://gatehouse.example.com", AppURL: "https://portal.example.com/home",
		SlackInstall: o.slackInstall,
		Metrics:      metrics,
	}
	ts := httptest.NewServer(mustAPI(t, cfg))
	t.Cleanup(ts.Close)
	s := &server{t: t, url: ts.URL, svc: svc, clock: c, tokens: map[string]string{}, store: env.Store, env: env, exports: exports, hooks: hk, notices: notices, config: cfg}
	ctx := context.Background()
	for _, id := range []string{"acme", "globex"} {
		if _, err := svc.CreateOrg(ctx, org.Actor{Type: "cli", ID: "test"}, org.SourceCLI,
			org.NewOrg{ID: id, Name: id, AdminEmail: "owner@" + id + ".example", AdminName: "Owner"}); err != nil {
			t.Fatal(err)
		}
		nt, err := svc.BootstrapToken(ctx, id, org.Actor{Type: "cli", ID: "test"}, "admin", "admin")
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[id+"/admin"] = nt.Secret
		admin, _ := svc.Authenticate(ctx, nt.Secret, org.SourceAPI)
		for _, role := range []string{"member", "viewer"} {
			nt, err := svc.CreateToken(ctx, admin, role, role)
			if err != nil {
				t.Fatal(err)
			}
			s.tokens[id+"/"+role] = nt.Secret
		}
	}
	return s
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// do sends a request as who ("acme/admin", or "" for none) with a JSON body (a string is
// sent as is) and decodes the answer.
func (s *server) do(method, path, who string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			s.t.Fatalf("%s %s: answer is not a JSON object: %v: %s", method, path, err, raw)
		}
	}
	return r
}

// wantProblem checks that r is a problem with status and code, naming field when given.
func wantProblem(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	if r.status != status || r.body["code"] != code {
		t.Fatalf("got %d %v, want %d %s: %s", r.status, r.body["code"], status, code, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("content type %q, want application/problem+json", ct)
	}
	if r.body["type"] == nil || r.body["title"] == nil || r.body["status"] != float64(status) {
		t.Errorf("problem lacks RFC 9457 members: %s", r.raw)
	}
	if field == "" {
		return
	}
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		if e.(map[string]any)["field"] == field {
			return
		}
	}
	t.Errorf("problem does not name field %s: %s", field, r.raw)
}

func TestLegacyInviteKeepsThePortalsCall(t *testing.T) {
	s := newServer(t)
	// What the portal's fetch() sends: a JSON body with name and email.
	r := s.do("POST", "/api/v1/legacy/users/invite", "acme/admin", `{"name":"John Doe","email":"john.doe@rely.io"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	for k, want := range map[string]any{"name": "John Doe", "email": "john.doe@rely.io", "role": "admin", "status": "pending", "source": "api"} {
		if r.body[k] != want {
			t.Errorf("%s = %v, want %v", k, r.body[k], want)
		}
	}
	if r.header.Get("Location") != "/api/v1/invitations/"+r.body["id"].(string) {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	again := s.do("POST", "/api/v1/legacy/users/invite", "acme/admin", `{"name":"John Doe","email":"JOHN.DOE@rely.io "}`)
	wantProblem(t, again, http.StatusConflict, "already_invited", "")
	if again.body["existingId"] != r.body["id"] {
		t.Errorf("existingId = %v, want %v", again.body["existingId"], r.body["id"])
	}
	// Only admins may use it: everyone it invites is an admin.
	wantProblem(t, s.do("POST", "/api/v1/legacy/users/invite", "acme/member", `{"name":"X","email":"x@rely.io"}`), http.StatusForbidden, "forbidden", "")
}

func TestAuthentication(t *testing.T) {
	s := newServer(t)
	for name, header := range map[string]string{
		"none":      "",
		"basic":     "Basic YTpi",
		"malformed": "Bearer nope",
		"unknown":   "Bearer ghk_" + strings.Repeat("x", 43),
	} {
		t.Run(name, func(t *testing.T) {
			r := s.do("GET", "/api/v1/invitations", "", nil, "Authorization", header)
			wantProblem(t, r, http.StatusUnauthorized, "unauthenticated", "")
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	if r := s.do("GET", "/healthz", "", nil); r.status != http.StatusOK {
		t.Errorf("healthz without token: %d", r.status)
	}
}

func TestRolesLimitWhatTokensDo(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		who, method, path string
		body              any
		want              int
	}{
		{"acme/viewer", "GET", "/api/v1/invitations", nil, 200},
		{"acme/viewer", "GET", "/api/v1/users", nil, 200},
		{"acme/viewer", "POST", "/api/v1/invitations", map[string]any{"email": "v@x.io", "role": "viewer"}, 403},
		{"acme/member", "POST", "/api/v1/invitations", map[string]any{"email": "m@x.io", "role": "member"}, 201},
		{"acme/member", "POST", "/api/v1/invitations", map[string]any{"email": "a@x.io", "role": "admin"}, 403},
		{"acme/member", "POST", "/api/v1/tokens", map[string]any{"name": "t"}, 403},
		{"acme/member", "GET", "/api/v1/tokens", nil, 403},
		{"acme/member", "POST", "/api/v1/invitations", map[string]any{"email": "n@x.io", "sendEmail": false}, 403},
		{"acme/member", "GET", "/api/v1/audit-logs", nil, 200},
		{"acme/viewer", "PATCH", "/api/v1/users/usr_x", map[string]any{"role": "admin"}, 403},
		{"acme/member", "DELETE", "/api/v1/users/usr_x", nil, 403},
		{"acme/member", "POST", "/api/v1/users/usr_x/reactivate", nil, 403},
		{"acme/member", "DELETE", "/api/v1/invitations/inv_x", nil, 403},
		{"acme/viewer", "DELETE", "/api/v1/tokens/tok_x", nil, 403},
		{"acme/viewer", "POST", "/api/v1/invitations/bulk", map[string]any{"invitations": []any{map[string]any{"email": "b@x.io"}}}, 403},
	}
	for _, tt := range tests {
		if r := s.do(tt.method, tt.path, tt.who, tt.body); r.status != tt.want {
			t.Errorf("%s %s %s: status %d, want %d: %s", tt.who, tt.method, tt.path, r.status, tt.want, r.raw)
		}
	}
}

// A 403 says which role the action needs, and what the token has.
func TestAForbiddenAnswerNamesTheRoleNeeded(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		who, method, path string
		body              any
		role, detail      string
	}{
		{"acme/viewer", "POST", "/api/v1/invitations", map[string]any{"email": "v@x.io"}, "member",
			"inviting with the role member needs the member role; your token's role is viewer"},
		{"acme/member", "POST", "/api/v1/invitations", map[string]any{"email": "a@x.io", "role": "admin"}, "admin",
			"inviting with the role admin needs the admin role; your token's role is member"},
		{"acme/member", "POST", "/api/v1/invitations", map[string]any{"email": "n@x.io", "sendEmail": false}, "admin",
			"inviting without email needs the admin role; your token's role is member"},
		{"acme/viewer", "POST", "/api/v1/invitations/bulk", map[string]any{"invitations": []any{map[string]any{"email": "b@x.io"}}}, "member",
			"inviting needs the member role; your token's role is viewer"},
		{"acme/member", "DELETE", "/api/v1/invitations/inv_x", nil, "admin", "revoking invitations needs the admin role; your token's role is member"},
		{"acme/member", "GET", "/api/v1/tokens", nil, "admin", "listing API tokens needs the admin role; your token's role is member"},
		{"acme/viewer", "PATCH", "/api/v1/users/usr_x", map[string]any{"role": "admin"}, "admin", "managing members needs the admin role; your token's role is viewer"},
		{"acme/member", "GET", "/api/v1/webhooks", nil, "admin", "managing webhooks needs the admin role; your token's role is member"},
		{"acme/member", "GET", "/api/v1/sync/runs", nil, "admin", "reading sync runs needs the admin role; your token's role is member"},
		{"acme/member", "PUT", "/api/v1/integrations/scim", map[string]any{"defaultRole": "viewer"}, "admin", "configuring SCIM needs the admin role; your token's role is member"},
	}
	for _, tt := range tests {
		r := s.do(tt.method, tt.path, tt.who, tt.body)
		wantProblem(t, r, http.StatusForbidden, "forbidden", "")
		if r.body["requiredRole"] != tt.role || r.body["detail"] != tt.detail {
			t.Errorf("%s %s %s: requiredRole %v, detail %q; want %s, %q", tt.who, tt.method, tt.path, r.body["requiredRole"], r.body["detail"], tt.role, tt.detail)
		}
	}
}

func TestBadInputIsNamed(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, body  string
		status      int
		code, field string
	}{
		{"malformed", `{"email":`, 400, "malformed_json", "body"},
		{"not an object", `[1,2]`, 400, "invalid_type", "body"},
		{"two objects", `{"email":"a@b.io"}{}`, 400, "malformed_json", "body"},
		{"empty", ``, 400, "malformed_json", "body"},
		{"unknown field", `{"emial":"a@b.io"}`, 400, "unknown_field", "emial"},
		{"wrong type", `{"email":"a@b.io","expiresInDays":"7"}`, 400, "invalid_type", "expiresInDays"},
		{"display name", `{"email":"\"Jane\" <jane@x.io>"}`, 400, "invalid_email", "email"},
		{"no domain dot", `{"email":"jane@localhost"}`, 400, "invalid_email", "email"},
		{"too long", `{"email":"` + strings.Repeat("a", 250) + `@x.io"}`, 400, "invalid_email", "email"},
		{"missing email", `{"name":"Jane"}`, 400, "required", "email"},
		{"line break in name", `{"email":"j@x.io","name":"Jane\nBcc: evil@x.io"}`, 400, "invalid_name", "name"},
		{"bad role", `{"email":"j@x.io","role":"owner"}`, 400, "invalid_role", "role"},
		{"expiry too long", `{"email":"j@x.io","expiresInDays":31}`, 400, "invalid_expiry", "expiresInDays"},
		{"expiry zero", `{"email":"j@x.io","expiresInDays":0}`, 400, "invalid_expiry", "expiresInDays"},
		{"several problems", `{"email":"nope","role":"owner"}`, 400, "validation_failed", "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, s.do("POST", "/api/v1/invitations", "acme/admin", tt.body), tt.status, tt.code, tt.field)
		})
	}
	t.Run("oversized", func(t *testing.T) {
		big := `{"email":"a@b.io","name":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`
		wantProblem(t, s.do("POST", "/api/v1/invitations", "acme/admin", big), http.StatusRequestEntityTooLarge, "body_too_large", "")
		wantProblem(t, s.do("POST", "/api/v1/invitations", "acme/admin", big, "Idempotency-Key", "k-big"), http.StatusRequestEntityTooLarge, "body_too_large", "")
	})
	t.Run("bad limit", func(t *testing.T) {
		wantProblem(t, s.do("GET", "/api/v1/invitations?limit=abc", "acme/admin", nil), 400, "invalid_limit", "limit")
	})
	t.Run("bad status", func(t *testing.T) {
		wantProblem(t, s.do("GET", "/api/v1/invitations?status=lost", "acme/admin", nil), 400, "invalid_status", "status")
	})
	t.Run("overlong search", func(t *testing.T) {
		wantProblem(t, s.do("GET", "/api/v1/invitations?q="+strings.Repeat("a", 101), "acme/admin", nil), 400, "invalid_query", "q")
	})
	t.Run("tampered cursor", func(t *testing.T) {
		wantProblem(t, s.do("GET", "/api/v1/audit-logs?cursor=JTI3OyBkcm9w", "acme/admin", nil), 400, "invalid_cursor", "cursor")
	})
	t.Run("unknown route and method", func(t *testing.T) {
		wantProblem(t, s.do("GET", "/api/v1/nothing", "acme/admin", nil), 404, "route_not_found", "")
		// One Allow header, listing every method the path serves.
		for path, allow := range map[string]string{
			"/api/v1/invitations":              "GET, HEAD, POST",
			"/api/v1/invitations/inv_x":        "GET, HEAD, DELETE",
			"/api/v1/invitations/inv_x/resend": "POST",
			"/api/v1/organization":             "GET, HEAD, PATCH",
		} {
			r := s.do("PUT", path, "acme/admin", nil)
			wantProblem(t, r, 405, "method_not_allowed", "")
			if got := r.header.Values("Allow"); !cmp.Equal(got, []string{allow}) {
				t.Errorf("PUT %s: Allow = %q, want one header %q", path, got, allow)
			}
			if !strings.HasSuffix(r.body["detail"].(string), "; it serves "+allow) {
				t.Errorf("PUT %s: detail %q does not say what the path serves", path, r.body["detail"])
			}
		}
	})
}

func TestBulkInviteReportsEveryRowInOrder(t *testing.T) {
	s := newServer(t)
	existing := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "old@x.io"})
	rows := []map[string]any{
		{"email": "new@x.io", "name": "New"},
		{"email": "OLD@x.io"},
		{"email": "owner@acme.example"},
		{"email": "not-an-email"},
		{"email": "new@x.io", "name": "Again"},
		{"email": "viewer@x.io", "role": "viewer", "expiresInDays": 3},
	}
	r := s.do("POST", "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": rows})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	var got []string
	results := r.body["results"].([]any)
	for _, res := range results {
		got = append(got, res.(map[string]any)["status"].(string))
	}
	want := []string{"created", "already_invited", "already_member", "invalid", "already_invited", "created"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("bulk statuses mismatch (-want +got):\n%s", diff)
	}
	first := results[0].(map[string]any)["invitation"].(map[string]any)["id"]
	if dup := results[4].(map[string]any); dup["existingId"] != first || dup["duplicateOf"] != float64(0) {
		t.Errorf("duplicate row = %v, want existingId %v and duplicateOf 0", dup, first)
	}
	if old := results[1].(map[string]any); old["existingId"] != existing.body["id"] {
		t.Errorf("already_invited row = %v", old)
	}
	errs := results[3].(map[string]any)["errors"].([]any)
	if errs[0].(map[string]any)["field"] != "invitations[3].email" {
		t.Errorf("invalid row errors = %v", errs)
	}
	if s := r.body["summary"].(map[string]any); s["created"] != float64(2) || s["invalid"] != float64(1) {
		t.Errorf("summary = %v", s)
	}
	list := s.do("GET", "/api/v1/invitations?status=pending", "acme/admin", nil)
	if n := len(list.body["items"].([]any)); n != 3 {
		t.Errorf("pending invitations = %d, want 3", n)
	}
	found := s.do("GET", "/api/v1/invitations?status=pending&q="+url.QueryEscape(" "+strings.ToUpper(results[0].(map[string]any)["email"].(string)[:3])), "acme/admin", nil)
	if items, _ := found.body["items"].([]any); found.status != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["email"] != results[0].(map[string]any)["email"] {
		t.Errorf("searching the first row's address: %d %s", found.status, found.raw)
	}
	tooMany := make([]map[string]any, 1001)
	for i := range tooMany {
		tooMany[i] = map[string]any{"email": "p@x.io"}
	}
	wantProblem(t, s.do("POST", "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": tooMany}), 400, "too_many", "invitations")
	wantProblem(t, s.do("POST", "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": []any{}}), 400, "required", "invitations")
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	s := newServer(t)
	body := map[string]any{"email": "once@x.io", "name": "Once"}
	first := s.do("POST", "/api/v1/invitations", "acme/admin", body, "Idempotency-Key", "key-1")
	second := s.do("POST", "/api/v1/invitations", "acme/admin", body, "Idempotency-Key", "key-1")
	if first.status != 201 || second.status != 201 {
		t.Fatalf("statuses %d, %d: %s", first.status, second.status, second.raw)
	}
	if !bytes.Equal(first.raw, second.raw) || second.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("second answer is not a replay: %s (replayed %q)", second.raw, second.header.Get("Idempotent-Replayed"))
	}
	if second.header.Get("Location") != first.header.Get("Location") {
		t.Errorf("replayed Location %q, want %q", second.header.Get("Location"), first.header.Get("Location"))
	}
	other := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "twice@x.io"}, "Idempotency-Key", "key-1")
	wantProblem(t, other, http.StatusUnprocessableEntity, "idempotency_key_reused", "")
	// Keys belong to an organization: globex may use the same one.
	if r := s.do("POST", "/api/v1/invitations", "globex/admin", body, "Idempotency-Key", "key-1"); r.status != 201 {
		t.Errorf("same key in another organization: %d %s", r.status, r.raw)
	}
	// A refused request is replayed as refused too, not re-run.
	bad := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "once@x.io"}, "Idempotency-Key", "key-2")
	wantProblem(t, bad, http.StatusConflict, "already_invited", "")
	list := s.do("GET", "/api/v1/invitations", "acme/admin", nil)
	if n := len(list.body["items"].([]any)); n != 1 {
		t.Errorf("invitations after replays = %d, want 1", n)
	}
	// After a day the key may be used afresh.
	s.clock.Add(24*time.Hour + time.Second)
	fresh := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "later@x.io"}, "Idempotency-Key", "key-1")
	if fresh.status != 201 || fresh.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("expired key: %d replayed=%q", fresh.status, fresh.header.Get("Idempotent-Replayed"))
	}
	wantProblem(t, s.do("POST", "/api/v1/invitations", "acme/admin", body, "Idempotency-Key", "clé-non-ascii"), 400, "invalid_idempotency_key", "Idempotency-Key")
}

func TestAcceptFlowOverHTTP(t *testing.T) {
	s := newServer(t)
	noEmail := map[string]any{"email": "ada@x.io", "name": "Ada", "role": "admin", "sendEmail": false}
	inv := s.do("POST", "/api/v1/invitations", "acme/admin", noEmail)
	token, _ := inv.body["acceptToken"].(string)
	if token == "" || inv.body["delivery"].(map[string]any)["state"] != "disabled" {
		t.Fatalf("invitation without email = %s", inv.raw)
	}
	if got := s.do("GET", "/api/v1/invitations/"+inv.body["id"].(string), "acme/admin", nil); got.body["acceptToken"] != nil {
		t.Errorf("accept token shown again on read: %s", got.raw)
	}
	wantProblem(t, s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": "acme.inv_x." + strings.Repeat("a", 43)}), 404, "invalid_token", "")
	wantProblem(t, s.do("POST", "/api/v1/invitations/accept", "", map[string]any{}), 400, "required", "token")
	m := s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": token, "name": "Ada Lovelace"})
	if m.status != 201 || m.body["name"] != "Ada Lovelace" || m.body["role"] != "admin" || m.body["status"] != "active" {
		t.Fatalf("accept: %d %s", m.status, m.raw)
	}
	wantProblem(t, s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": token}), 409, "invitation_accepted", "")
	user := s.do("GET", "/api/v1/users/"+m.body["id"].(string), "acme/admin", nil)
	if user.status != 200 || user.body["email"] != "ada@x.io" {
		t.Errorf("new member: %d %s", user.status, user.raw)
	}
	got := s.do("GET", "/api/v1/invitations/"+inv.body["id"].(string), "acme/admin", nil)
	if got.body["status"] != "accepted" || got.body["memberId"] != m.body["id"] {
		t.Errorf("accepted invitation = %s", got.raw)
	}

	revoked := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "rev@x.io", "sendEmail": false})
	s.do("DELETE", "/api/v1/invitations/"+revoked.body["id"].(string), "acme/admin", nil)
	wantProblem(t, s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": revoked.body["acceptToken"]}), 410, "invitation_revoked", "")

	late := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "late@x.io", "sendEmail": false, "expiresInDays": 1})
	s.clock.Add(25 * time.Hour)
	wantProblem(t, s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": late.body["acceptToken"]}), 410, "invitation_expired", "")
	if got := s.do("GET", "/api/v1/invitations?status=expired", "acme/admin", nil); len(got.body["items"].([]any)) != 1 {
		t.Errorf("expired list = %s", got.raw)
	}
	resent := s.do("POST", "/api/v1/invitations/"+late.body["id"].(string)+"/resend", "acme/admin", nil)
	if resent.status != 200 || resent.body["status"] != "pending" || resent.body["acceptToken"] == late.body["acceptToken"] {
		t.Fatalf("resend expired: %d %s", resent.status, resent.raw)
	}
	wantProblem(t, s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": late.body["acceptToken"]}), 404, "invalid_token", "")
	if r := s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": resent.body["acceptToken"]}); r.status != 201 {
		t.Errorf("accept resent link: %d %s", r.status, r.raw)
	}
}

func TestOtherOrganizationsItemsAreNotFound(t *testing.T) {
	s := newServer(t)
	inv := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "a@x.io"})
	id := inv.body["id"].(string)
	members := s.do("GET", "/api/v1/users", "acme/admin", nil)
	memberID := members.body["items"].([]any)[0].(map[string]any)["id"].(string)
	tokens := s.do("GET", "/api/v1/tokens", "acme/admin", nil)
	tokenID := tokens.body["items"].([]any)[0].(map[string]any)["id"].(string)
	for _, req := range [][2]string{
		{"GET", "/api/v1/invitations/" + id},
		{"DELETE", "/api/v1/invitations/" + id},
		{"POST", "/api/v1/invitations/" + id + "/resend"},
		{"GET", "/api/v1/users/" + memberID},
		{"DELETE", "/api/v1/users/" + memberID},
		{"POST", "/api/v1/users/" + memberID + "/reactivate"},
		{"DELETE", "/api/v1/tokens/" + tokenID},
	} {
		wantProblem(t, s.do(req[0], req[1], "globex/admin", nil), 404, "not_found", "")
	}
	wantProblem(t, s.do("PATCH", "/api/v1/users/"+memberID, "globex/admin", map[string]any{"role": "viewer"}), 404, "not_found", "")
	if got := s.do("GET", "/api/v1/invitations", "globex/admin", nil); len(got.body["items"].([]any)) != 0 {
		t.Errorf("globex sees %s", got.raw)
	}
}

func TestMembersTokensAndAuditLog(t *testing.T) {
	s := newServer(t)
	members := s.do("GET", "/api/v1/users", "acme/admin", nil)
	owner := members.body["items"].([]any)[0].(map[string]any)["id"].(string)
	wantProblem(t, s.do("DELETE", "/api/v1/users/"+owner, "acme/admin", nil), 409, "last_admin", "")
	wantProblem(t, s.do("PATCH", "/api/v1/users/"+owner, "acme/admin", map[string]any{"role": "member"}), 409, "last_admin", "")
	wantProblem(t, s.do("PATCH", "/api/v1/users/"+owner, "acme/admin", map[string]any{"role": "root"}), 400, "invalid_role", "role")
	wantProblem(t, s.do("PATCH", "/api/v1/users/"+owner, "acme/member", map[string]any{"role": "admin"}), 403, "forbidden", "")
	wantProblem(t, s.do("POST", "/api/v1/tokens", "acme/admin", map[string]any{"name": "no role"}), 400, "required", "role")

	created := s.do("POST", "/api/v1/tokens", "acme/admin", map[string]any{"name": "deploy bot", "role": "viewer"})
	secret, _ := created.body["token"].(string)
	if created.status != 201 || !strings.HasPrefix(secret, "ghk_") || created.body["hint"] != secret[len(secret)-4:] {
		t.Fatalf("create token: %d %s", created.status, created.raw)
	}
	list := s.do("GET", "/api/v1/tokens", "acme/admin", nil)
	if strings.Contains(string(list.raw), secret) || strings.Contains(string(list.raw), `"hash"`) {
		t.Errorf("token list shows a secret or hash: %s", list.raw)
	}
	s.tokens["acme/bot"] = secret
	if r := s.do("GET", "/api/v1/users", "acme/bot", nil); r.status != 200 {
		t.Errorf("new token: %d", r.status)
	}
	if r := s.do("DELETE", "/api/v1/tokens/"+created.body["id"].(string), "acme/admin", nil); r.status != http.StatusNoContent {
		t.Errorf("revoke token: %d %s", r.status, r.raw)
	}
	wantProblem(t, s.do("GET", "/api/v1/users", "acme/bot", nil), 401, "unauthenticated", "")

	var actions []string
	cursor := ""
	for range 10 {
		page := s.do("GET", "/api/v1/audit-logs?limit=2&cursor="+cursor, "acme/admin", nil)
		for _, e := range page.body["items"].([]any) {
			entry := e.(map[string]any)
			actions = append(actions, entry["action"].(string))
			if entry["actor"] == nil || entry["source"] == nil || entry["at"] == nil {
				t.Errorf("audit entry lacks actor, source or time: %v", entry)
			}
		}
		next, _ := page.body["nextCursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	// Newest first: the revocation, then the creation, then the setup tokens and the org.
	want := []string{"token.revoked", "token.created", "token.created", "token.created", "token.created", "organization.created"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("audit actions mismatch (-want +got):\n%s", diff)
	}

	// Filtered by action (or kind of action), actor and source.
	tokenEntries := s.do("GET", "/api/v1/audit-logs?action=token.*&source=api&actor="+url.QueryEscape("admin"), "acme/admin", nil)
	items, _ := tokenEntries.body["items"].([]any)
	if tokenEntries.status != http.StatusOK || len(items) != 4 {
		t.Fatalf("the admin token's token changes: %d %s", tokenEntries.status, tokenEntries.raw)
	}
	// The revocation, the bot's creation and the setup's member and viewer tokens; not the
	// admin token itself, which the CLI made.
	for i, action := range []string{"token.revoked", "token.created", "token.created", "token.created"} {
		if e := items[i].(map[string]any); e["action"] != action || e["actor"].(map[string]any)["name"] != "admin" {
			t.Errorf("entry %d = %v, want %s by the admin token", i, e, action)
		}
	}
	wantProblem(t, s.do("GET", "/api/v1/audit-logs?action=DROP+TABLE", "acme/admin", nil), 400, "invalid_action", "action")
	wantProblem(t, s.do("GET", "/api/v1/audit-logs?source=email", "acme/admin", nil), 400, "invalid_source", "source")
}

func TestServerErrorsHideTheirCause(t *testing.T) {
	env := dynamotest.New(t)
	broken := dynamo.New(env.Client, "no-such-table")
	svc := org.NewService(broken.Org())
	h := mustAPI(t, httpapi.Config{Service: svc, Idempotency: broken.Idempotency, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := httptest.NewServer(h)
	defer ts.Close()
	s := &server{t: t, url: ts.URL, tokens: map[string]string{"x": "ghk_" + strings.Repeat("a", 43)}}
	r := s.do("GET", "/api/v1/users", "x", nil)
	wantProblem(t, r, 500, "internal", "")
	if strings.Contains(strings.ToLower(string(r.raw)), "table") || r.body["requestId"] == "" {
		t.Errorf("500 answer leaks detail or lacks a request id: %s", r.raw)
	}
	wantProblem(t, s.do("GET", "/healthz", "", nil), 503, "store_unreachable", "")
}

func TestResendRules(t *testing.T) {
	s := newServer(t)
	emailed := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "e@x.io", "role": "member"})
	linkOnly := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "l@x.io", "role": "member", "sendEmail": false})
	admin := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "a@x.io", "role": "admin"})
	s.clock.Add(time.Minute)
	tests := []struct {
		who, id string
		want    int
	}{
		{"acme/member", emailed.body["id"].(string), 200},
		// Only an admin is shown a new link, so only an admin may replace the old one.
		{"acme/member", linkOnly.body["id"].(string), 403},
		{"acme/member", admin.body["id"].(string), 403},
		{"acme/viewer", emailed.body["id"].(string), 403},
		{"acme/admin", linkOnly.body["id"].(string), 200},
	}
	for _, tt := range tests {
		r := s.do("POST", "/api/v1/invitations/"+tt.id+"/resend", tt.who, nil)
		if r.status != tt.want {
			t.Errorf("%s resends %s: %d, want %d: %s", tt.who, tt.id, r.status, tt.want, r.raw)
		}
	}
	if r := s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": linkOnly.body["acceptToken"]}); r.status != 404 {
		t.Errorf("link replaced by the admin's resend still works: %d", r.status)
	}
}

// The invitation routes read a token this process saw a moment ago with what the invitation
// reads; a token deleted meanwhile is refused on every route all the same, whatever it
// sends, and nothing is written with it.
func TestInviteRoutesReadTheTokenWithTheInvitation(t *testing.T) {
	s := newServer(t)
	spare := s.do("POST", "/api/v1/tokens", "acme/admin", map[string]any{"name": "spare", "role": "admin"})
	if spare.status != 201 {
		t.Fatalf("create token: %d %s", spare.status, spare.raw)
	}
	s.tokens["acme/spare"] = spare.body["token"].(string)
	invite := func(body any, headers ...string) (response, int64) {
		before := s.env.Requests.Total()
		r := s.do("POST", "/api/v1/invitations", "acme/spare", body, headers...)
		return r, s.env.Requests.Total() - before
	}
	invite(map[string]any{"email": "warm@example.com"})
	if r, requests := invite(map[string]any{"email": "seen@example.com"}); r.status != 201 || requests != 2 {
		t.Errorf("second invitation by one token: %d in %d requests, want 201 in 2: %s", r.status, requests, r.raw)
	}
	legacy := s.do("POST", "/api/v1/legacy/users/invite", "acme/spare", map[string]any{"name": "L", "email": "legacy@example.com"})
	if legacy.status != 201 {
		t.Errorf("legacy invitation by a token seen before: %d %s", legacy.status, legacy.raw)
	}
	// An Idempotency-Key's stored answer is read under a token that is read first.
	if r, requests := invite(map[string]any{"email": "keyed@example.com"}, "Idempotency-Key", "k1"); r.status != 201 || requests < 3 {
		t.Errorf("invitation with an Idempotency-Key: %d in %d requests, want the token read first: %s", r.status, requests, r.raw)
	}
	if r := s.do("DELETE", "/api/v1/tokens/"+spare.body["id"].(string), "acme/admin", nil); r.status != 204 {
		t.Fatalf("delete token: %d %s", r.status, r.raw)
	}
	for _, body := range []any{
		map[string]any{"email": "after@example.com"},
		map[string]any{"email": "not-an-address"},
		map[string]any{"emial": "after@example.com"},
		"{",
	} {
		r, _ := invite(body)
		wantProblem(t, r, 401, "unauthenticated", "")
	}
	wantProblem(t, s.do("POST", "/api/v1/legacy/users/invite", "acme/spare", map[string]any{"name": "A", "email": "after@example.com"}), 401, "unauthenticated", "")
	wantProblem(t, s.do("POST", "/api/v1/legacy/users/invite", "acme/spare", "["), 401, "unauthenticated", "")
	wantProblem(t, s.do("GET", "/api/v1/invitations", "acme/spare", nil), 401, "unauthenticated", "")
	if got := s.do("GET", "/api/v1/invitations?q=after", "acme/admin", nil); len(got.body["items"].([]any)) != 0 {
		t.Errorf("a deleted token invited: %s", got.raw)
	}
}
