package lambdatest_test

import (
	"testing"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/lambdatest"
	"gatehouse/internal/org"
)

// functions are the template's Lambda functions, one row each. The template tests fail for
// a function in the template without a row, and for an event in events/ no row sends.
var functions = []function{
	{
		ID: "ApiFunction", Dir: "api", Routes: "internal/httpapi",
		Events: []event{
			{File: "api-healthz.json", Check: apiAnswer(200, `"status":"ok"`)},
			{File: "api-legacy-invite.json", Check: apiAnswer(201, `"email":"john.doe@rely.io"`, `"role":"admin"`)},
			{File: "api-create-invitation.json", Check: apiAnswer(201, `"email":"jane.roe@example.com"`, `"role":"viewer"`)},
			// Sent again with its Idempotency-Key: the first answer comes back.
			{File: "api-create-invitation.json", Check: all(apiAnswer(201, `"email":"jane.roe@example.com"`), header("Idempotent-Replayed", "true"))},
			{File: "api-bulk-invite.json", Check: apiAnswer(200, `"status":"created"`, `"status":"invalid"`, `"duplicateOf"`)},
			{File: "api-list-invitations.json", Check: apiAnswer(200, "john.doe@rely.io", "jane.roe@example.com", "grace@example.com", "alan@example.com")},
			{File: "api-accept-invitation.json", Check: apiAnswer(404, `"code":"invalid_token"`)},
			// An identity provider provisions a person over SCIM, with the organization's token.
			{File: "api-scim-create-user.json", Prepare: withSCIMToken, Check: apiAnswer(201, `"userName":"grace.hopper@demo.example"`, `"active":true`)},
		},
	},
	{
		ID: "MailerFunction", Dir: "mailer", Seed: queuedInvitation,
		Events: []event{
			{File: "mailer-stream-outbox.json", Check: delivered(queuedAddress)},
			{File: "mailer-schedule.json", Check: sweptNothing},
			// SES's bounce of the email just sent: it must show on the invitation.
			{File: "mailer-ses-bounce.json", Prepare: bounceOfQueued, Check: bounced},
		},
	},
	{
		ID: "SlackFunction", Dir: "slack", Routes: "functions/slack", Seed: connectedWorkspace,
		Events: []event{
			{File: "slack-command.json", Prepare: signSlack, Check: proxyAnswer(200, "Invited New Hire (*new.hire@demo.example*) as member")},
		},
	},
	{
		ID: "WebhooksFunction", Dir: "webhooks", Seed: webhookEndpoint,
		Events: []event{
			// The stream says a change wrote its event: it is fanned out and delivered.
			{File: "webhooks-stream-event.json", Check: webhookDelivered(1)},
			// The schedule finds nothing more due.
			{File: "webhooks-schedule.json", Check: webhookDelivered(1)},
		},
	},
	{
		ID: "SyncFunction", Dir: "sync", Seed: configuredSync,
		Events: []event{
			{File: "sync-schedule.json", Check: all(syncReport(2, "applied"), readTheDirectory)},
		},
	},
}

// function is one Lambda function of template.yaml and what the tests know of it.
type function struct {
	ID     string // the logical ID in template.yaml
	Dir    string // functions/<Dir>; its events are events/<Dir>-*.json
	Routes string // the package whose ServeMux patterns it serves, for functions behind API Gateway
	// Seed stores what its events need besides organization demo and its fixture token.
	Seed   func(t testing.TB, w *world)
	Events []event // every events/<Dir>-*.json, in the order they are sent; one may repeat
}

// event is one events/ file sent to a function, and what must come of it.
type event struct {
	File string
	// Prepare, if set, changes the payload just before it is sent, such as signing it anew.
	Prepare func(t testing.TB, w *world, payload []byte) []byte
	Check   check
}

// check judges the function's answer to payload.
type check func(t testing.TB, w *world, payload, answer []byte)

// world is what seeds and checks reach: the function's table through the real store and
// service, the local stack, and the function's environment.
type world struct {
	Stack     *lambdatest.Stack
	Store     *dynamo.Store
	Service   *org.Service
	Admin     org.Principal     // the fixture token's principal: an admin of organization demo
	Env       map[string]string // the function's environment
	Resources map[string]string // the stack's tables and buckets by logical ID
	// Emails is how many emails the SES emulator held once the world was seeded: those after
	// them are the function's.
	Emails int
	// Webhooks is the world's webhook receiver, when its seed made one (webhookEndpoint).
	Webhooks *webhookReceiver
}

// fixtureToken is the API token the API events carry: an admin's of organization demo.
const fixtureToken = "ghk_ZXZlbnRzLWZpeHR1cmUtdG9rZW4tbm90LWEtc2VjcmV"
