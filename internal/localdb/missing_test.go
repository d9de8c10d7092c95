package localdb

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A function or comparison on an attribute an item does not have is false, as in DynamoDB,
// and only that part of a condition is: OR, AND and NOT go on from there.
func TestConditionsOnMissingAttributes(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	it := item("org", "INV#a", "email", "ada@example.com")
	it["n"] = num("5")
	it["m"] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": num("3")}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: it}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{"contains(#n, :q) OR contains(#e, :q)", true},
		{"contains(#e, :q) OR contains(#n, :q)", true},
		{"begins_with(#n, :q) OR begins_with(#e, :a)", true},
		{"contains(#n, :q) AND contains(#e, :q)", false},
		{"NOT contains(#n, :q)", true},
		{"NOT (contains(#n, :q) OR contains(#e, :z))", true},
		{"#n = :q OR #e = :full", true},
		{"#n <> :q", true},
		{"#n < :q OR attribute_exists(#e)", true},
		{"size(#n) > :one OR attribute_exists(#e)", true},
		{"contains(#n, :q)", false},
		{"contains(#e, :z) OR contains(#n, :q)", false},
		{"contains(#m.#y, :q) OR attribute_exists(#e)", true},
		{"NOT contains(#m.#y, :q)", true},
		// What cannot be evaluated on an item that has every attribute it names keeps the
		// whole condition false, under NOT and OR too (DynamoDB refuses these outright).
		{"NOT if_not_exists(#e, :q)", false},
		{"attribute_not_exist(#e) OR attribute_exists(#e)", false},
		{"NOT #e", false},
		{"attribute_exists(#e) OR #e", false},
		{"NOT begins_with(#e, :one)", false},
		{"NOT (#m.#x BETWEEN :one AND :ten)", false},
	} {
		names := map[string]string{"#n": "name", "#e": "email", "#m": "m", "#x": "x", "#y": "y"}
		values := map[string]types.AttributeValue{":q": str("ada"), ":a": str("ada@"), ":z": str("zzz"), ":full": str("ada@example.com"), ":one": num("1"), ":ten": num("10")}
		used := map[string]types.AttributeValue{}
		for k, v := range values {
			if containsToken(tc.filter, k) {
				used[k] = v
			}
		}
		usedNames := map[string]string{}
		for k, v := range names {
			if containsToken(tc.filter, k) {
				usedNames[k] = v
			}
		}
		out, err := db.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(testTable), KeyConditionExpression: aws.String("pk = :p"),
			FilterExpression: aws.String(tc.filter), ExpressionAttributeNames: usedNames,
			ExpressionAttributeValues: merge(used, map[string]types.AttributeValue{":p": str("org")}),
		})
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		if got := len(out.Items) == 1; got != tc.want {
			t.Errorf("%s on an item without name: %v, want %v", tc.filter, got, tc.want)
		}
	}
}

func containsToken(s, tok string) bool {
	for i := 0; i+len(tok) <= len(s); i++ {
		if s[i:i+len(tok)] == tok && (i+len(tok) == len(s) || !isWordByte(s[i+len(tok)])) {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func merge(a, b map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
