package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/lambdatest"
	"gatehouse/internal/mailer"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/ses/sestest"
)

// TestEventsReplayThroughTheLambdaEntryPoint wires the function as in AWS, with the environment
// template.yaml gives MailerFunction on a local stack, and replays its events: the stream's
// record of a queued invitation sends the email through the SES emulator, the sweep after it
// finds nothing left to send, and SES's bounce of that email shows on the invitation.
func TestEventsReplayThroughTheLambdaEntryPoint(t *testing.T) {
	stack := lambdatest.NewStack(t)
	fn := stack.Deploy(t, "MailerFunction")
	ctx := context.Background()
	out := &metricstest.Output{}
	h, err := newFunction(ctx, fn.Getenv, out)
	if err != nil {
		t.Fatalf("with template.yaml's environment: %v", err)
	}
	store := dynamo.New(stack.DynamoDB, fn.Env["TABLE_NAME"])
	svc := org.NewService(store.Org())
	admin, _ := orgtest.Seed(t, svc, "demo", "Demo")
	c, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "grace@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	invoke := func(event string) any {
		t.Helper()
		out, err := h(ctx, json.RawMessage(event))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	const recordedID = "inv_01JDQ3W9V7K2M4N6P8R0S2T4V6"

	stream := strings.ReplaceAll(string(loadEvent(t, "mailer-stream-outbox.json")), recordedID, c.Invitation.ID)
	if res := invoke(stream).(events.DynamoDBEventResponse); len(res.BatchItemFailures) != 0 {
		t.Errorf("stream batch failures %v, want none", res.BatchItemFailures)
	}
	link := fn.Env["PUBLIC_URL"] + "/invitations/accept?token="
	emails := sestest.Store(t, stack.SESEndpoint)
	if len(emails) != 1 || len(emails[0].To) != 1 || emails[0].To[0] != "grace@example.com" || !strings.Contains(emails[0].Text, link) {
		t.Fatalf("emails in the SES emulator %+v, want one to grace@example.com linking to %s", emails, link)
	}

	if s := invoke(string(loadEvent(t, "mailer-schedule.json"))).(summary); s.Outcomes[mailer.OutcomeSent] != 0 {
		t.Errorf("the sweep after the stream sent %d emails, want none", s.Outcomes[mailer.OutcomeSent])
	}

	inv, err := store.Invitations.GetInvitation(ctx, "demo", c.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	bounce := strings.NewReplacer(recordedID, inv.ID, "0100019abc7e3a10-8f2b4c1d-9e7a-4b3c-a2d1-6f5e4d3c2b1a-000000", inv.Delivery.MessageID).
		Replace(string(loadEvent(t, "mailer-ses-bounce.json")))
	if a := invoke(bounce).(feedbackAnswer); a.Outcome != mailer.OutcomeRecorded {
		t.Errorf("bounce: outcome %s, want recorded", a.Outcome)
	}
	if inv, err = store.Invitations.GetInvitation(ctx, "demo", c.Invitation.ID); err != nil || inv.Delivery.State != org.DeliveryBounced {
		t.Errorf("delivery after the bounce = %+v (%v), want bounced", inv.Delivery, err)
	}
	// Each invocation wrote its metrics: the email sent, the sweep's outbox age, the bounce.
	for metric, want := range map[string]any{"EmailsSent": 1.0, "OutboxAge": 0.0, "EmailsBounced": 1.0} {
		if docs := metricstest.WrittenBy(t, out.Bytes(), "mailer", metric); len(docs) != 1 || docs[0][metric] != want {
			t.Errorf("%s documents %v, want one of %v", metric, docs, want)
		}
	}
}

func TestFunctionRefusesIncompleteConfiguration(t *testing.T) {
	_, err := newFunction(context.Background(), func(string) string { return "" }, io.Discard)
	for _, want := range []string{"TABLE_NAME", "SES_FROM", "PUBLIC_URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %s named", err, want)
		}
	}
}
