package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/lambdatest"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
)

// fixtureToken is the API token the events in events/ carry.
const fixtureToken = "ghk_ZXZlbnRzLWZpeHR1cmUtdG9rZW4tbm90LWEtc2VjcmV"

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

// newTestHandler wires the Lambda handler as in AWS, with the environment template.yaml gives
// ApiFunction, over a fresh table on a local stack holding the demo organization and the
// events' token.
func newTestHandler(t *testing.T) (handler, *org.Service) {
	t.Helper()
	h, svc, _ := newTestHandlerWriting(t)
	return h, svc
}

// newTestHandlerWriting is newTestHandler, with what the function writes to its standard
// output (logs and metrics).
func newTestHandlerWriting(t *testing.T) (handler, *org.Service, *metricstest.Output) {
	t.Helper()
	stack := lambdatest.NewStack(t)
	fn := stack.Deploy(t, "ApiFunction")
	out := &metricstest.Output{}
	h, err := newHandler(context.Background(), fn.Getenv, out)
	if err != nil {
		t.Fatalf("with template.yaml's environment: %v", err)
	}
	svc := org.NewService(dynamo.New(stack.DynamoDB, fn.Env["TABLE_NAME"]).Org())
	if _, err := svc.CreateOrg(context.Background(), org.Actor{Type: "cli", ID: "test"}, org.SourceCLI, org.NewOrg{ID: "demo", Name: "Demo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DevToken(context.Background(), "demo", fixtureToken); err != nil {
		t.Fatal(err)
	}
	return h, svc, out
}

// invoke sends an event through the handler and decodes the JSON answer.
func invoke(t *testing.T, h handler, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, map[string]any) {
	t.Helper()
	res, err := h(context.Background(), ev)
	if err != nil {
		t.Fatalf("%s %s: %v", ev.HTTPMethod, ev.Path, err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v: %q", ev.HTTPMethod, ev.Path, err, res.Body)
	}
	return res, body
}

func TestEventsReplayThroughTheLambdaEntryPoint(t *testing.T) {
	h, _ := newTestHandler(t)
	tests := []struct {
		event  string
		status int
		check  func(t *testing.T, body map[string]any)
	}{
		{"api-healthz.json", 200, func(t *testing.T, b map[string]any) {
			if b["status"] != "ok" {
				t.Errorf("health = %v", b)
			}
		}},
		{"api-legacy-invite.json", 201, func(t *testing.T, b map[string]any) {
			if b["email"] != "john.doe@rely.io" || b["name"] != "John Doe" || b["role"] != "admin" {
				t.Errorf("legacy invitation = %v", b)
			}
		}},
		{"api-create-invitation.json", 201, func(t *testing.T, b map[string]any) {
			if b["email"] != "jane.roe@example.com" || b["role"] != "viewer" {
				t.Errorf("invitation = %v", b)
			}
		}},
		// The same event again carries the same Idempotency-Key: the first answer is replayed.
		{"api-create-invitation.json", 201, func(t *testing.T, b map[string]any) {
			if b["email"] != "jane.roe@example.com" {
				t.Errorf("replayed invitation = %v", b)
			}
		}},
		{"api-bulk-invite.json", 200, func(t *testing.T, b map[string]any) {
			var got []string
			for _, r := range b["results"].([]any) {
				got = append(got, r.(map[string]any)["status"].(string))
			}
			if strings.Join(got, ",") != "created,created,invalid,already_invited" {
				t.Errorf("bulk statuses = %v", got)
			}
		}},
		{"api-list-invitations.json", 200, func(t *testing.T, b map[string]any) {
			if n := len(b["items"].([]any)); n != 4 {
				t.Errorf("pending invitations = %d, want 4", n)
			}
		}},
		{"api-accept-invitation.json", 404, func(t *testing.T, b map[string]any) {
			if b["code"] != "invalid_token" {
				t.Errorf("unknown token = %v", b)
			}
		}},
	}
	for _, tt := range tests {
		res, body := invoke(t, h, loadEvent(t, tt.event))
		if res.StatusCode != tt.status {
			t.Fatalf("%s: status %d, want %d: %s", tt.event, res.StatusCode, tt.status, res.Body)
		}
		if got := res.MultiValueHeaders["X-Request-Id"]; len(got) != 1 || got[0] != "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" {
			t.Errorf("%s: X-Request-Id = %q, want API Gateway's request id", tt.event, got)
		}
		tt.check(t, body)
	}
}

func TestAcceptEventWithARealToken(t *testing.T) {
	h, _ := newTestHandler(t)
	ev := loadEvent(t, "api-create-invitation.json")
	ev.Body = `{"email":"ada@example.com","sendEmail":false}`
	delete(ev.Headers, "Idempotency-Key")
	delete(ev.MultiValueHeaders, "Idempotency-Key")
	_, inv := invoke(t, h, ev)
	token, _ := inv["acceptToken"].(string)
	if token == "" {
		t.Fatalf("no accept token: %v", inv)
	}
	accept := loadEvent(t, "api-accept-invitation.json")
	accept.Body = `{"token":"` + token + `","name":"Ada Lovelace"}`
	res, m := invoke(t, h, accept)
	if res.StatusCode != 201 || m["name"] != "Ada Lovelace" || m["status"] != "active" {
		t.Fatalf("accept: %d %v", res.StatusCode, m)
	}
}

func TestHandlerRefusesIncompleteConfiguration(t *testing.T) {
	_, err := newHandler(context.Background(), func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Errorf("err = %v, want TABLE_NAME named", err)
	}
}

func TestEachInvocationWritesItsMetrics(t *testing.T) {
	h, _, out := newTestHandlerWriting(t)
	invoke(t, h, loadEvent(t, "api-legacy-invite.json"))
	docs := metricstest.WrittenBy(t, out.Bytes(), "api", "ApiRequests")
	if len(docs) != 1 || docs[0]["Route"] != "POST /api/v1/legacy/users/invite" || docs[0]["StatusClass"] != "2xx" {
		t.Errorf("ApiRequests documents: %v", docs)
	}
	if docs := metricstest.WrittenBy(t, out.Bytes(), "api", "InvitationsCreated"); len(docs) != 1 || docs[0]["Source"] != "legacy" {
		t.Errorf("InvitationsCreated documents: %v", docs)
	}
	meta := docs[0]["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if meta["Namespace"] != "Gatehouse/gatehouse" {
		t.Errorf("namespace %v, want the stack's (Gatehouse/<stack>, as template.yaml names it)", meta["Namespace"])
	}
}
