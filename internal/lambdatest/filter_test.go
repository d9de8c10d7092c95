package lambdatest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestMatchesWhatLambdaFilteringWould(t *testing.T) {
	item := map[string]types.AttributeValue{
		"type": &types.AttributeValueMemberS{Value: "webhookdelivery"}, "status": &types.AttributeValueMemberS{Value: "pending"},
		"attempts": &types.AttributeValueMemberN{Value: "0"},
	}
	leased := map[string]types.AttributeValue{"leaseId": &types.AttributeValueMemberS{Value: "L1"}}
	for k, v := range item {
		leased[k] = v
	}
	pattern := `{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"type":{"S":["webhookdelivery"]},"status":{"S":["pending"]},"leaseId":{"S":[{"exists":false}]}}}}`
	numeric := `{"dynamodb":{"NewImage":{"attempts":{"N":["0"]}}}}` // DynamoDB JSON's numbers are strings
	for _, tt := range []struct {
		name     string
		patterns []string
		record   map[string]any
		want     bool
	}{
		{"all rules met", []string{pattern}, StreamRecord("INSERT", item), true},
		{"a MODIFY", []string{pattern}, StreamRecord("MODIFY", item), true},
		{"a REMOVE", []string{pattern}, StreamRecord("REMOVE", item), false},
		{"an attribute that must be absent", []string{pattern}, StreamRecord("MODIFY", leased), false},
		{"another value", []string{`{"dynamodb":{"NewImage":{"status":{"S":["failed"]}}}}`}, StreamRecord("INSERT", item), false},
		{"an attribute missing", []string{`{"dynamodb":{"NewImage":{"memberId":{"S":["m"]}}}}`}, StreamRecord("INSERT", item), false},
		{"a number as a string", []string{numeric}, StreamRecord("INSERT", item), true},
		{"any of several patterns", []string{`{"eventName":["REMOVE"]}`, numeric}, StreamRecord("INSERT", item), true},
	} {
		got, err := Matches(tt.patterns, tt.record)
		if err != nil || got != tt.want {
			t.Errorf("%s: Matches = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []string{`{"eventName":[{"prefix":"IN"}]}`, `{"eventName":"INSERT"}`, `not json`, `{"eventName":[{"anything-but":["REMOVE"]}]}`,
		`{"dynamodb":{"NewImage":{"type":[{"exists":true}]}}}`, `{"dynamodb":{"NewImage":{"attempts":{"N":[0]}}}}`} {
		if _, err := Matches([]string{bad}, StreamRecord("INSERT", item)); err == nil {
			t.Errorf("pattern %s: no error, want one (a rule it cannot judge)", bad)
		}
	}
}
