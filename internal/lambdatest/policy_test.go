package lambdatest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPolicyProblems(t *testing.T) {
	tests := []struct {
		name     string
		policies string // the Policies property, as JSON
		role     any
		want     []string // one substring per expected problem
	}{
		{"scoped statements", `[{"Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/t"}]}]`, nil, nil},
		{"a single document", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, nil, nil},
		{"every action", `[{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}]}]`, nil, []string{`action "*" is a wildcard`}},
		{"a service's actions", `[{"Statement":[{"Effect":"Allow","Action":["ses:*"],"Resource":"arn:aws:ses:us-east-1:123456789012:identity/x"}]}]`, nil, []string{`action "ses:*" is a wildcard`}},
		{"an action prefix", `[{"Statement":[{"Effect":"Allow","Action":["dynamodb:Get*"],"Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/t"}]}]`, nil, []string{`"dynamodb:Get*" is a wildcard`}},
		{"every resource", `[{"Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem"],"Resource":"*"}]}]`, nil, []string{`resource "*" for dynamodb:GetItem`}},
		{"every resource of a service", `[{"Statement":[{"Effect":"Allow","Action":["sqs:SendMessage"],"Resource":["arn:aws:sqs:us-east-1:123456789012:*"]}]}]`, nil, []string{`resource "arn:aws:sqs:us-east-1:123456789012:*"`}},
		{"every resource where nothing narrower exists", `[{"Statement":[{"Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords"],"Resource":"*"}]}]`, nil, nil},
		{"NotAction", `[{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::b"}]}]`, nil, []string{"NotAction allows everything"}},
		{"a Deny", `[{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}]`, nil, nil},
		{"a scoped policy template", `[{"DynamoDBCrudPolicy":{"TableName":"gatehouse-Table"}}]`, nil, nil},
		{"a policy template on everything", `[{"S3ReadPolicy":{"BucketName":"*"}}]`, nil, []string{`S3ReadPolicy parameter "*" is a wildcard`}},
		{"an unvetted policy template", `[{"SESCrudPolicy":{"IdentityName":"x"}}]`, nil, []string{"SESCrudPolicy is not known to be scoped"}},
		{"a managed policy", `["AmazonDynamoDBFullAccess"]`, nil, []string{"managed policy AmazonDynamoDBFullAccess"}},
		{"a role of its own", `null`, "arn:aws:iam::123456789012:role/admin", []string{"a role defined elsewhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pol any
			if err := json.Unmarshal([]byte(tt.policies), &pol); err != nil {
				t.Fatal(err)
			}
			fn, err := newFunction("F", rawFunction{}, rawFunction{Policies: pol, Role: tt.role})
			if err != nil {
				t.Fatal(err)
			}
			got := PolicyProblems(fn)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q, want one saying %q", got[i], w)
				}
			}
		})
	}
}
