package lambdatest

import (
	"strings"
	"testing"
)

func TestMatchTrigger(t *testing.T) {
	proxy := Trigger{Type: "Api", Properties: map[string]any{"Path": "/{proxy+}", "Method": "ANY"}}
	post := Trigger{Type: "Api", Properties: map[string]any{"Path": "/slack/commands", "Method": "post"}}
	schedule := Trigger{Type: "Schedule", Properties: map[string]any{"Schedule": "rate(5 minutes)"}}
	withInput := Trigger{Type: "Schedule", Properties: map[string]any{"Input": `{"job":"sweep"}`}}
	outbox := Trigger{Type: "DynamoDB", Properties: map[string]any{"FilterCriteria": map[string]any{"Filters": []any{
		map[string]any{"Pattern": `{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"type":{"S":["outbox"]},"attempts":{"N":["0"]}}}}`},
	}}}}
	operators := Trigger{Type: "SQS", Properties: map[string]any{"FilterCriteria": map[string]any{"Filters": []any{
		map[string]any{"Pattern": `{"body":{"kind":[{"prefix":"invite."}],"org":[{"anything-but":["test"]}],"retry":[{"exists":false}]}}`},
	}}}}
	const (
		apiEvent = `{"resource":"/{proxy+}","path":"/api/v1/invitations","httpMethod":"GET","requestContext":{"resourcePath":"/{proxy+}","httpMethod":"GET"}}`
		command  = `{"resource":"/slack/commands","path":"/slack/commands","httpMethod":"POST","requestContext":{"resourcePath":"/slack/commands","httpMethod":"POST"}}`
		record   = `{"Records":[{"eventSource":"aws:dynamodb","eventName":"%s","dynamodb":{"NewImage":{"type":{"S":"outbox"},"attempts":{"N":"%s"}}}}]}`
		message  = `{"Records":[{"eventSource":"aws:sqs","body":{%s}}]}`
	)
	tests := []struct {
		name    string
		trigger Trigger
		event   string
		wantErr string // "" when the event matches
	}{
		{"proxy event", proxy, apiEvent, ""},
		{"proxy event for another resource", proxy, strings.ReplaceAll(apiEvent, `"/{proxy+}"`, `"/items"`), "resource /items, not /{proxy+}"},
		{"command", post, command, ""},
		{"command by GET", post, strings.ReplaceAll(command, "POST", "GET"), "httpMethod GET, not POST"},
		{"command under another path", post, strings.Replace(command, `"path":"/slack/commands"`, `"path":"/slack/other"`, 1), "path /slack/other is not under resource /slack/commands"},
		{"scheduled event", schedule, `{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}`, ""},
		{"not a scheduled event", schedule, `{"detail-type":"Object Created","source":"aws.s3"}`, "Scheduled Event"},
		{"the schedule's input", withInput, `{"job":"sweep"}`, ""},
		{"not the schedule's input", withInput, `{"job":"sync"}`, "not the trigger's Input"},
		{"queued email", outbox, strings.Replace(strings.Replace(record, "%s", "INSERT", 1), "%s", "0", 1), ""},
		{"requeued email", outbox, strings.Replace(strings.Replace(record, "%s", "MODIFY", 1), "%s", "0", 1), ""},
		{"retried email", outbox, strings.Replace(strings.Replace(record, "%s", "MODIFY", 1), "%s", "2", 1), "no filter lets it through"},
		{"removed entry", outbox, strings.Replace(strings.Replace(record, "%s", "REMOVE", 1), "%s", "0", 1), "no filter lets it through"},
		{"record from another service", outbox, `{"Records":[{"eventSource":"aws:sqs"}]}`, "comes from aws:sqs, not aws:dynamodb"},
		{"no records", outbox, `{"Records":[]}`, "holds Records"},
		{"operators match", operators, strings.Replace(message, "%s", `"kind":"invite.created","org":"acme"`, 1), ""},
		{"prefix differs", operators, strings.Replace(message, "%s", `"kind":"member.created","org":"acme"`, 1), "no filter"},
		{"anything but", operators, strings.Replace(message, "%s", `"kind":"invite.created","org":"test"`, 1), "no filter"},
		{"exists false", operators, strings.Replace(message, "%s", `"kind":"invite.created","org":"acme","retry":1`, 1), "no filter"},
		{"an unknown trigger", Trigger{Type: "IoTRule"}, `{}`, "no check for IoTRule triggers"},
		{"not JSON", schedule, `Scheduled Event`, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MatchTrigger(tt.trigger, []byte(tt.event))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want a match", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
