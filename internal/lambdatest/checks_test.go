package lambdatest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"gatehouse/internal/hooks"
	"gatehouse/internal/webhook"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/oklog/ulid/v2"

	"gatehouse/internal/blob"
	"gatehouse/internal/connector/connectortest"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/provision"
	"gatehouse/internal/seal"
	"gatehouse/internal/ses/sestest"
	"gatehouse/internal/slack"
)

// apiAnswer wants an API Gateway proxy response with status whose body holds each of want,
// carrying API Gateway's request id in a header so it can be quoted.
func apiAnswer(status int, want ...string) check {
	return all(proxyAnswer(status, want...), requestID)
}

// proxyAnswer wants an API Gateway proxy response with status whose body holds each of want.
func proxyAnswer(status int, want ...string) check {
	return func(t testing.TB, _ *world, _, answer []byte) {
		t.Helper()
		res := decodeResponse(t, answer)
		body := res.Body
		if res.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(body)
			if err != nil {
				t.Fatalf("decode base64 body: %v", err)
			}
			body = string(b)
		}
		if res.StatusCode != status {
			t.Errorf("status %d, want %d: %s", res.StatusCode, status, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("body lacks %s: %s", w, body)
			}
		}
	}
}

// requestID wants the event's request id in a header of the API Gateway proxy response.
func requestID(t testing.TB, _ *world, payload, answer []byte) {
	t.Helper()
	var req events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	res := decodeResponse(t, answer)
	if id := req.RequestContext.RequestID; !strings.Contains(answerHeaders(res), id) {
		t.Errorf("no header carries the request id %s: %v %v", id, res.Headers, res.MultiValueHeaders)
	}
}

// header wants an API Gateway proxy response with header name set to value.
func header(name, value string) check {
	return func(t testing.TB, _ *world, _, answer []byte) {
		t.Helper()
		res := decodeResponse(t, answer)
		got := res.Headers[name]
		if v := res.MultiValueHeaders[name]; len(v) > 0 {
			got = v[0]
		}
		if got != value {
			t.Errorf("header %s = %q, want %q", name, got, value)
		}
	}
}

// all wants every one of checks.
func all(checks ...check) check {
	return func(t testing.TB, w *world, payload, answer []byte) {
		t.Helper()
		for _, c := range checks {
			c(t, w, payload, answer)
		}
	}
}

func decodeResponse(t testing.TB, answer []byte) events.APIGatewayProxyResponse {
	t.Helper()
	var res events.APIGatewayProxyResponse
	if err := json.Unmarshal(answer, &res); err != nil || res.StatusCode == 0 {
		t.Fatalf("not an API Gateway proxy response (%v): %s", err, answer)
	}
	return res
}

func answerHeaders(res events.APIGatewayProxyResponse) string {
	var b strings.Builder
	for k, v := range res.Headers {
		b.WriteString(k + ": " + v + "\n")
	}
	for k, vs := range res.MultiValueHeaders {
		b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
	}
	return b.String()
}

// The invitation events/mailer-stream-outbox.json names, and whom it is for.
const (
	queuedID      = "01JDQ3W9V7K2M4N6P8R0S2T4V6"
	queuedAddress = "grace@example.com"
)

// queuedInvitation invites queuedAddress to organization demo as invitation inv_<queuedID>,
// queuing its email as any invitation does.
func queuedInvitation(t testing.TB, w *world) {
	ids := []string{queuedID}
	svc := org.NewService(w.Store.Org(), org.WithIDs(func() string {
		if len(ids) > 0 {
			id := ids[0]
			ids = ids[1:]
			return id
		}
		return ulid.Make().String()
	}))
	c, err := svc.Invite(context.Background(), w.Admin, org.InviteRequest{Email: queuedAddress, Name: "Grace Hopper"})
	if err != nil {
		t.Fatalf("queue invitation: %v", err)
	}
	if c.Invitation.ID != "inv_"+queuedID {
		t.Fatalf("invitation id %s, want inv_%s as the event names", c.Invitation.ID, queuedID)
	}
}

// delivered wants a stream batch answered without failures and the invitation email to to in
// the SES emulator, with an accept link under PUBLIC_URL, sent since the world was seeded.
func delivered(to string) check {
	return func(t testing.TB, w *world, _, answer []byte) {
		t.Helper()
		var res events.DynamoDBEventResponse
		if err := json.Unmarshal(answer, &res); err != nil {
			t.Fatalf("not a batch response: %v: %s", err, answer)
		}
		if len(res.BatchItemFailures) != 0 {
			t.Errorf("batch item failures %+v, want none", res.BatchItemFailures)
		}
		link := w.Env["PUBLIC_URL"] + "/invitations/accept?token="
		for _, e := range sestest.Store(t, w.Stack.SESEndpoint)[w.Emails:] {
			if len(e.To) == 1 && e.To[0] == to && strings.Contains(e.Text, link) {
				return
			}
		}
		t.Errorf("no new email to %s with a link starting %s in the SES emulator", to, link)
	}
}

// sweptNothing wants a sweep's summary with nothing sent: the stream delivered it already.
func sweptNothing(t testing.TB, _ *world, _, answer []byte) {
	t.Helper()
	var s struct {
		Outcomes map[mailer.Outcome]int `json:"outcomes"`
	}
	if err := json.Unmarshal(answer, &s); err != nil {
		t.Fatalf("not a sweep summary: %v: %s", err, answer)
	}
	if s.Outcomes[mailer.OutcomeSent] != 0 {
		t.Errorf("sweep sent %d emails, want none: %s", s.Outcomes[mailer.OutcomeSent], answer)
	}
}

// connectedWorkspace connects Slack workspace T0DEMO to organization demo, letting its user
// U0DEMO invite: the workspace and user events/slack-command.json comes from.
func connectedWorkspace(t testing.TB, w *world) {
	inst := org.SlackInstall{TeamID: "T0DEMO", InstallerID: "U0DEMO"}
	if _, err := w.Service.InstallSlack(context.Background(), w.Admin, inst); err != nil {
		t.Fatalf("connect Slack: %v", err)
	}
}

// signSlack signs the command now with the function's SLACK_SIGNING_SECRET, as Slack would:
// the recorded signature is too old to pass.
func signSlack(t testing.TB, w *world, payload []byte) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatalf("decode Slack event: %v", err)
	}
	body := []byte(ev["body"].(string))
	if ev["isBase64Encoded"] == true {
		var err error
		if body, err = base64.StdEncoding.DecodeString(string(body)); err != nil {
			t.Fatalf("decode Slack body: %v", err)
		}
	}
	v, err := slack.NewVerifier(w.Env["SLACK_SIGNING_SECRET"], nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	set := map[string]string{"x-slack-request-timestamp": ts, "x-slack-signature": v.Sign(ts, body)}
	headers, multi := ev["headers"].(map[string]any), ev["multiValueHeaders"].(map[string]any)
	for name, value := range set {
		for k := range headers {
			if strings.EqualFold(k, name) {
				headers[k], multi[k] = value, []any{value}
			}
		}
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// export is an Okta export of two people.
const export = "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n" +
	"\"00u1\",\"ACTIVE\",\"ada@acme.com\",\"Ada\",\"Lovelace\",\"ada@acme.com\"\r\n" +
	"\"00u2\",\"ACTIVE\",\"alan@acme.com\",\"Alan\",\"Turing\",\"alan@acme.com\"\r\n"

// configuredSync puts an export in the template's exports bucket and points organization
// demo's sync at it.
func configuredSync(t testing.TB, w *world) {
	ctx := context.Background()
	bucket := w.Resources["ExportsBucket"]
	if bucket == "" {
		t.Fatal("the template has no ExportsBucket")
	}
	put := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("demo/okta.csv"), Body: bytes.NewReader([]byte(export))}
	if _, err := w.Stack.S3.PutObject(ctx, put); err != nil {
		t.Fatalf("put export: %v", err)
	}
	key, err := seal.LoadOrCreateKey(w.Stack.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.NewLocal(key)
	if err != nil {
		t.Fatal(err)
	}
	sync := dirsync.New(w.Store.Sync, w.Service, blob.Opener{}, slog.New(slog.DiscardHandler), dirsync.WithDirectories(sealer, true))
	if _, err := sync.Configure(ctx, w.Admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf("s3://" + bucket + "/demo/okta.csv")}); err != nil {
		t.Fatalf("configure sync: %v", err)
	}

	// Organization idp syncs straight from a fake Okta on 127.0.0.1, its token sealed
	// under the stack's key file, which the function opens.
	okta := connectortest.NewOkta(t, "00aSmokeOktaToken0123")
	okta.SetGroup("00gadmins", "Portal Admins", connectortest.Person{ID: "00u7", Email: "grace@idp.example", First: "Grace", Last: "Hopper"})
	okta.SetGroup("00geveryone", "Everyone", connectortest.Person{ID: "00u7", Email: "grace@idp.example", First: "Grace", Last: "Hopper"},
		connectortest.Person{ID: "00u8", Email: "linus@idp.example", First: "Linus", Last: "Torvalds"})
	admin, _ := orgtest.Seed(t, w.Service, "idp", "IdP")
	var req dirsync.ConfigRequest
	body := fmt.Sprintf(`{"sendEmail": false, "directory": {"provider": "okta", "domain": %q, "apiToken": "00aSmokeOktaToken0123",
		"groups": [{"id": "00gadmins", "role": "admin"}, {"id": "00geveryone", "role": "member"}]}}`, okta.URL)
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	if _, err := sync.Configure(ctx, admin, req); err != nil {
		t.Fatalf("configure directory sync: %v", err)
	}
}

// readTheDirectory checks that the pass invited organization idp's people from the fake
// Okta, each with the role of their groups.
func readTheDirectory(t testing.TB, w *world, _, _ []byte) {
	t.Helper()
	_, invs, err := w.Service.Accounts(context.Background(), org.SyncPrincipal("idp"))
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]org.Role{}
	for _, inv := range invs {
		roles[inv.Email] = inv.Role
	}
	if roles["grace@idp.example"] != org.RoleAdmin || roles["linus@idp.example"] != org.RoleMember {
		t.Errorf("invitations from the directory: %v", roles)
	}
}

// syncReport wants a pass's summary over orgs organizations, every run ending in status.
func syncReport(orgs int, status string) check {
	return func(t testing.TB, _ *world, _, answer []byte) {
		t.Helper()
		var s dirsync.Summary
		if err := json.Unmarshal(answer, &s); err != nil {
			t.Fatalf("not a sync summary: %v: %s", err, answer)
		}
		if s.Organizations != orgs || s.Runs[status] != orgs || len(s.Failed) != 0 {
			t.Errorf("summary %s, want %d organizations, each %s", answer, orgs, status)
		}
	}
}

// bounceOfQueued makes the recorded bounce event about the email the mailer sent for the
// queued invitation: its organization, invitation and SES message id.
func bounceOfQueued(t testing.TB, w *world, payload []byte) []byte {
	t.Helper()
	inv, err := w.Store.Invitations.GetInvitation(context.Background(), "demo", "inv_"+queuedID)
	if err != nil {
		t.Fatalf("read the queued invitation: %v", err)
	}
	if inv.Delivery.MessageID == "" {
		t.Fatalf("the queued invitation has no sent email to bounce: %+v", inv.Delivery)
	}
	out := strings.ReplaceAll(string(payload), "inv_01JDQ3W9V7K2M4N6P8R0S2T4V6", inv.ID)
	return []byte(strings.ReplaceAll(out, "0100019abc7e3a10-8f2b4c1d-9e7a-4b3c-a2d1-6f5e4d3c2b1a-000000", inv.Delivery.MessageID))
}

// bounced checks that the bounce was recorded on the queued invitation.
func bounced(t testing.TB, w *world, _, answer []byte) {
	t.Helper()
	var a struct {
		Outcome mailer.Outcome `json:"outcome"`
	}
	if err := json.Unmarshal(answer, &a); err != nil || a.Outcome != mailer.OutcomeRecorded {
		t.Fatalf("answer %s (%v), want outcome recorded", answer, err)
	}
	inv, err := w.Store.Invitations.GetInvitation(context.Background(), "demo", "inv_"+queuedID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Delivery.State != org.DeliveryBounced || !strings.Contains(inv.Delivery.Reason, "550 5.1.1") {
		t.Errorf("delivery after the bounce = %+v", inv.Delivery)
	}
}

// withSCIMToken creates organization demo's SCIM token and sends the event with it.
func withSCIMToken(t testing.TB, w *world, payload []byte) []byte {
	t.Helper()
	prov := provision.New(w.Store.SCIM, w.Store.Sync, w.Service, slog.New(slog.DiscardHandler))
	nt, err := prov.CreateToken(context.Background(), w.Admin)
	if err != nil {
		t.Fatalf("create scim token: %v", err)
	}
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatalf("decode SCIM event: %v", err)
	}
	ev["headers"].(map[string]any)["Authorization"] = "Bearer " + nt.Secret
	ev["multiValueHeaders"].(map[string]any)["Authorization"] = []any{"Bearer " + nt.Secret}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// webhookReceiver is organization demo's webhook endpoint, on 127.0.0.1 (the local stack's
// functions may reach it), counting what it gets.
type webhookReceiver struct {
	mu  sync.Mutex
	got []string // event types
}

// webhookEndpoint points organization demo's webhooks at a receiver of the world's own and
// invites someone, which writes the invitation.created event; the endpoint's secret is
// sealed under the stack's key file, which the function opens.
func webhookEndpoint(t testing.TB, w *world) {
	t.Helper()
	rv := &webhookReceiver{}
	w.Webhooks = rv
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var p struct{ Type string }
		_ = json.NewDecoder(r.Body).Decode(&p)
		if r.Header.Get("webhook-id") == "" || !strings.HasPrefix(r.Header.Get("webhook-signature"), "v1,") {
			rw.WriteHeader(http.StatusBadRequest)
			return
		}
		rv.mu.Lock()
		rv.got = append(rv.got, p.Type)
		rv.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	key, err := seal.LoadOrCreateKey(w.Stack.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.NewLocal(key)
	if err != nil {
		t.Fatal(err)
	}
	svc := hooks.New(w.Store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, slog.New(slog.DiscardHandler))
	url, events := srv.URL, []string{"invitation.created"}
	if _, err := svc.CreateEndpoint(context.Background(), w.Admin, hooks.EndpointRequest{URL: &url, Events: &events}); err != nil {
		t.Fatalf("create webhook: %v", err)
	}
	if _, err := w.Service.Invite(context.Background(), w.Admin, org.InviteRequest{Email: "linus@demo.example", Name: "Linus"}); err != nil {
		t.Fatal(err)
	}
}

// webhookDelivered wants the receiver to have had n invitation.created events.
func webhookDelivered(n int) check {
	return func(t testing.TB, w *world, _, answer []byte) {
		t.Helper()
		rv := w.Webhooks
		rv.mu.Lock()
		defer rv.mu.Unlock()
		if len(rv.got) != n || (n > 0 && rv.got[0] != "invitation.created") {
			t.Errorf("the receiver got %v, want %d invitation.created (answer %s)", rv.got, n, answer)
		}
	}
}
