package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// fixtureSecret signed events/slack-command.json at 2026-11-25T12:00:00Z.
const fixtureSecret = "events-fixture-signing-secret"

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

// newTestHandler wires the Lambda handler as in AWS over a fresh table where workspace T0DEMO
// is connected to organization demo and user U0DEMO may invite.
func newTestHandler(t *testing.T, secret string) (handler, *org.Service, org.Principal) {
	t.Helper()
	env := dynamotest.New(t)
	clock := orgtest.NewClock()
	vars := map[string]string{"TABLE_NAME": env.Store.Table(), "DYNAMODB_ENDPOINT": env.Endpoint, "LOG_LEVEL": "warn", "SLACK_SIGNING_SECRET": secret}
	h, err := newHandler(context.Background(), func(k string) string { return vars[k] }, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "demo", "Demo")
	if _, err := svc.InstallSlack(context.Background(), admin, org.SlackInstall{TeamID: "T0DEMO", InstallerID: "U0DEMO"}); err != nil {
		t.Fatal(err)
	}
	return h, svc, admin
}

func TestSignedCommandEventInvites(t *testing.T) {
	h, svc, admin := newTestHandler(t, fixtureSecret)
	ev := loadEvent(t, "slack-command.json")
	if !ev.IsBase64Encoded {
		t.Fatal("the fixture should carry its body base64-encoded, as API Gateway may")
	}
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
	h, svc, admin := newTestHandler(t, "another-secret")
	ev := loadEvent(t, "slack-command.json")
	tampered := loadEvent(t, "slack-command.json")
	body, _ := base64.StdEncoding.DecodeString(tampered.Body)
	tampered.Body = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(body), "new.hire", "evil", 1)))
	for _, e := range []events.APIGatewayProxyRequest{ev, tampered} {
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
	_, err := newHandler(context.Background(), func(k string) string { return map[string]string{"TABLE_NAME": "t"}[k] }, time.Now)
	if err == nil || !strings.Contains(err.Error(), "SLACK_SIGNING_SECRET") {
		t.Errorf("err = %v, want one naming SLACK_SIGNING_SECRET", err)
	}
}
