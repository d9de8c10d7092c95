package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/lambdatest"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/slack"
)

// loadEvent reads an API Gateway proxy event from events/.
func loadEvent(t *testing.T, name string) events.APIGatewayProxyRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return ev
}

// signedCommand is events/slack-command.json signed with secret at its recorded time, the
// time of orgtest's clock, as Slack would sign it; tamper, if set, then changes its body.
func signedCommand(t *testing.T, secret string, tamper func(body string) string) events.APIGatewayProxyRequest {
	t.Helper()
	ev := loadEvent(t, "slack-command.json")
	if !ev.IsBase64Encoded {
		t.Fatal("the fixture should carry its body base64-encoded, as API Gateway may")
	}
	body, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		t.Fatalf("decode the fixture's body: %v", err)
	}
	v, err := slack.NewVerifier(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	sig := v.Sign(ev.Headers["x-slack-request-timestamp"], body)
	ev.Headers["x-slack-signature"], ev.MultiValueHeaders["x-slack-signature"] = sig, []string{sig}
	if tamper != nil {
		ev.Body = base64.StdEncoding.EncodeToString([]byte(tamper(string(body))))
	}
	return ev
}

// newTestHandler wires the Lambda handler as in AWS, with the environment template.yaml gives
// SlackFunction, over a fresh table on a local stack where workspace T0DEMO is connected to
// organization demo and user U0DEMO may invite. It returns the signing secret the template
// gives too.
func newTestHandler(t *testing.T) (handler, *org.Service, org.Principal, string) {
	t.Helper()
	return newTestHandlerWriting(t, io.Discard)
}

// newTestHandlerWriting is newTestHandler, writing what the function writes to its standard
// output (logs and metrics) to out.
func newTestHandlerWriting(t *testing.T, out io.Writer) (handler, *org.Service, org.Principal, string) {
	t.Helper()
	stack := lambdatest.NewStack(t)
	fn := stack.Deploy(t, "SlackFunction")
	clock := orgtest.NewClock()
	h, err := newHandler(context.Background(), fn.Getenv, out, clock.Now)
	if err != nil {
		t.Fatalf("with template.yaml's environment: %v", err)
	}
	svc := org.NewService(dynamo.New(stack.DynamoDB, fn.Env["TABLE_NAME"]).Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "demo", "Demo")
	if _, err := svc.InstallSlack(context.Background(), admin, org.SlackInstall{TeamID: "T0DEMO", InstallerID: "U0DEMO"}); err != nil {
		t.Fatal(err)
	}
	return h, svc, admin, fn.Env["SLACK_SIGNING_SECRET"]
}

func TestSignedCommandEventInvites(t *testing.T) {
	h, svc, admin, secret := newTestHandler(t)
	ev := signedCommand(t, secret, nil)
	for range 2 { // the second is a replay of the same trigger_id
		res, err := h(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Invited New Hire (*new.hire@demo.example*) as member") {
			t.Fatalf("answer %d %s", res.StatusCode, res.Body)
		}
		if got := res.MultiValueHeaders["X-Request-Id"]; len(got) != 1 || got[0] != ev.RequestContext.RequestID {
			t.Errorf("X-Request-Id = %v, want API Gateway's %s", got, ev.RequestContext.RequestID)
		}
	}
	page, err := svc.Invitations(context.Background(), admin, org.InvitationQuery{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Source != org.SourceSlack || page.Items[0].InvitedBy.ID != "U0DEMO" {
		t.Errorf("invitations = %+v, want one from U0DEMO through slack", page.Items)
	}
}

func TestForgedEventsAreRefused(t *testing.T) {
	h, svc, admin, secret := newTestHandler(t)
	forged := []events.APIGatewayProxyRequest{
		signedCommand(t, "another-secret", nil),
		signedCommand(t, secret, func(body string) string { return strings.Replace(body, "new.hire", "evil", 1) }),
	}
	for _, e := range forged {
		res, err := h(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", res.StatusCode)
		}
	}
	page, err := svc.Invitations(context.Background(), admin, org.InvitationQuery{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Errorf("invitations = %d, want none", len(page.Items))
	}
}

func TestAnEmptySigningSecretRefusesToStart(t *testing.T) {
	_, err := newHandler(context.Background(), func(k string) string { return map[string]string{"TABLE_NAME": "t"}[k] }, io.Discard, time.Now)
	if err == nil || !strings.Contains(err.Error(), "SLACK_SIGNING_SECRET") {
		t.Errorf("err = %v, want one naming SLACK_SIGNING_SECRET", err)
	}
}

func TestACommandWritesItsMetrics(t *testing.T) {
	out := &metricstest.Output{}
	h, _, _, secret := newTestHandlerWriting(t, out)
	if _, err := h(context.Background(), signedCommand(t, secret, nil)); err != nil {
		t.Fatal(err)
	}
	docs := metricstest.WrittenBy(t, out.Bytes(), "slack", "InvitationsCreated")
	if len(docs) != 1 || docs[0]["Source"] != "slack" || docs[0]["InvitationsCreated"] != 1.0 {
		t.Errorf("InvitationsCreated documents %v, want one invitation from slack", docs)
	}
}
