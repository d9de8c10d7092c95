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
		// A type that does not compare is false where it stands, under NOT and OR too.
		{"NOT (#e < :one)", true},
		{"#e < :one OR attribute_exists(#e)", true},
		{"NOT contains(#nn, :q)", true},
		{"contains(#nn, :q) OR attribute_exists(#e)", true},
		{"NOT (#m.#x BETWEEN :one AND :ten)", false},
		{"#m.#x BETWEEN :one AND :ten", true},
		{"#m.#y BETWEEN :one AND :ten OR #m.#x IN (:one, :three)", true},
		{"#m.#x IN (:one, :ten)", false},
		{"NOT (#m.#x IN (:one, :ten))", true},
		{"#m.#y BETWEEN :one AND :ten", false},
	} {
		names := map[string]string{"#n": "name", "#e": "email", "#m": "m", "#x": "x", "#y": "y", "#nn": "n"}
		values := map[string]types.AttributeValue{":q": str("ada"), ":a": str("ada@"), ":z": str("zzz"), ":full": str("ada@example.com"), ":one": num("1"), ":ten": num("10"), ":three": num("3")}
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

// What parses but is no condition is refused, as DynamoDB refuses it, rather than
// evaluated: under NOT or OR it would otherwise decide as if it were false.
func TestWhatIsNoConditionIsRefused(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	for _, cond := range []string{
		"NOT if_not_exists(#e, :q)",
		"attribute_not_exist(#e) OR attribute_exists(#e)",
		"NOT #e",
		"attribute_exists(#e) OR #e",
		"NOT size(#e)",
		"contains(#e)",
		"attribute_exists()",
		"size(#e, #e) > :one",
		"bogus(#e) = :q",
	} {
		used := map[string]types.AttributeValue{}
		for k, v := range map[string]types.AttributeValue{":q": str("ada"), ":one": num("1")} {
			if containsToken(cond, k) {
				used[k] = v
			}
		}
		in := &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: item("org", "INV#b", "email", "x@example.com"),
			ConditionExpression: aws.String(cond), ExpressionAttributeNames: map[string]string{"#e": "email"}}
		if len(used) > 0 {
			in.ExpressionAttributeValues = used
		}
		if _, err := db.PutItem(ctx, in); errorCode(err) != "ValidationException" {
			t.Errorf("%s: %v, want ValidationException", cond, err)
		}
	}
}

// A request the expression interpreter fails on is answered as one the embedded DynamoDB
// does not support, not with a dropped connection.
func TestWhatTheInterpreterFailsOnIsAnswered(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	it := item("org", "INV#l")
	it["l"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{num("1")}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: it}); err != nil {
		t.Fatal(err)
	}
	_, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(testTable), KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("l[3] = :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("org"), ":one": num("1")},
	})
	if errorCode(err) != "ValidationException" {
		t.Fatalf("a filter past the end of a list: %v, want ValidationException", err)
	}
	// And the store still serves.
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: key("org", "INV#l")}); err != nil {
		t.Fatal(err)
	}
}
