package localdb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	mtypes "github.com/truora/minidyn/types"
)

func putNew(it map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(testTable), Item: it, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}
}

func check(pk, sk, cond string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: aws.String(testTable), Key: key(pk, sk), ConditionExpression: aws.String(cond),
	}}
}

func del(pk, sk, cond string) types.TransactWriteItem {
	d := &types.Delete{TableName: aws.String(testTable), Key: key(pk, sk)}
	if cond != "" {
		d.ConditionExpression = aws.String(cond)
	}
	return types.TransactWriteItem{Delete: d}
}

func update(pk, sk, expr string, values map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(testTable), Key: key(pk, sk), UpdateExpression: aws.String(expr), ExpressionAttributeValues: values,
	}}
}

// reasonCodes are the cancellation reasons of err, as the store decodes them.
func reasonCodes(err error) []string {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	out := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		out[i] = aws.ToString(r.Code)
	}
	return out
}

func TestTransactWriteItems(t *testing.T) {
	failsIfX := types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(testTable), Item: item("p", "a", "x", "2"),
		ConditionExpression: aws.String("x = :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": str("1")},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
	twoMembers := types.TransactWriteItem{Put: &types.Put{TableName: aws.String(testTable), Item: item("p", "z")},
		Delete: &types.Delete{TableName: aws.String(testTable), Key: key("p", "y")}}
	tooMany := make([]types.TransactWriteItem, 101)
	for i := range tooMany {
		tooMany[i] = putNew(item("p", fmt.Sprintf("n%03d", i)))
	}
	tests := []struct {
		name        string
		before      []map[string]types.AttributeValue
		actions     []types.TransactWriteItem
		wantCode    string   // "" for success
		wantReasons []string // of a TransactionCanceledException
		wantItems   []map[string]any
	}{{
		name:      "every action applies",
		actions:   []types.TransactWriteItem{putNew(item("p", "a")), putNew(item("p", "b")), update("q", "c", "SET n = :n", map[string]types.AttributeValue{":n": num("3")})},
		wantItems: []map[string]any{{"pk": "p", "sk": "a"}, {"pk": "p", "sk": "b"}, {"pk": "q", "sk": "c", "n": 3.0}},
	}, {
		name:        "a failed condition writes nothing, not even the actions before it",
		before:      []map[string]types.AttributeValue{item("p", "c", "v", "old")},
		actions:     []types.TransactWriteItem{putNew(item("p", "a")), update("p", "b", "SET v = :v", map[string]types.AttributeValue{":v": str("new")}), putNew(item("p", "c", "v", "new"))},
		wantCode:    "TransactionCanceledException",
		wantReasons: []string{"None", "None", "ConditionalCheckFailed"},
		wantItems:   []map[string]any{{"pk": "p", "sk": "c", "v": "old"}},
	}, {
		name:   "every failed condition is named at its position",
		before: []map[string]types.AttributeValue{item("p", "a"), item("p", "b")},
		actions: []types.TransactWriteItem{
			putNew(item("p", "a", "v", "x")), putNew(item("p", "d")), check("p", "b", "attribute_not_exists(pk)"), del("p", "c", "attribute_exists(pk)"), check("p", "e", "attribute_not_exists(pk)"),
		},
		wantCode:    "TransactionCanceledException",
		wantReasons: []string{"ConditionalCheckFailed", "None", "ConditionalCheckFailed", "ConditionalCheckFailed", "None"},
		wantItems:   []map[string]any{{"pk": "p", "sk": "a"}, {"pk": "p", "sk": "b"}},
	}, {
		name:        "an update the stored value does not suit cancels with ValidationError",
		before:      []map[string]types.AttributeValue{item("p", "a", "n", "text")},
		actions:     []types.TransactWriteItem{putNew(item("p", "b")), update("p", "a", "ADD n :one", map[string]types.AttributeValue{":one": num("1")})},
		wantCode:    "TransactionCanceledException",
		wantReasons: []string{"None", "ValidationError"},
		wantItems:   []map[string]any{{"pk": "p", "sk": "a", "n": "text"}},
	}, {
		name:        "an update making an index key of the wrong type cancels with ValidationError",
		before:      []map[string]types.AttributeValue{item("p", "a", "queue", "OUTBOX")},
		actions:     []types.TransactWriteItem{update("p", "a", "SET due = :n", map[string]types.AttributeValue{":n": num("5")})},
		wantCode:    "TransactionCanceledException",
		wantReasons: []string{"ValidationError"},
		wantItems:   []map[string]any{{"pk": "p", "sk": "a", "queue": "OUTBOX"}},
	}, {
		name:      "update removes what REMOVE names and deletes",
		before:    []map[string]types.AttributeValue{item("p", "a", "x", "1", "y", "2"), item("p", "b")},
		actions:   []types.TransactWriteItem{update("p", "a", "SET z = :z REMOVE y", map[string]types.AttributeValue{":z": str("3")}), del("p", "b", "")},
		wantItems: []map[string]any{{"pk": "p", "sk": "a", "x": "1", "z": "3"}},
	}, {
		name:        "a Put whose condition fails changes nothing",
		before:      []map[string]types.AttributeValue{item("p", "a", "x", "0")},
		actions:     []types.TransactWriteItem{failsIfX},
		wantCode:    "TransactionCanceledException",
		wantReasons: []string{"ConditionalCheckFailed"},
		wantItems:   []map[string]any{{"pk": "p", "sk": "a", "x": "0"}},
	}, {
		name:      "an item named twice is refused",
		actions:   []types.TransactWriteItem{putNew(item("p", "a")), check("p", "a", "attribute_exists(pk)")},
		wantCode:  "ValidationException",
		wantItems: nil,
	}, {
		name:     "an item updated and deleted is refused",
		before:   []map[string]types.AttributeValue{item("p", "a")},
		actions:  []types.TransactWriteItem{update("p", "a", "SET v = :v", map[string]types.AttributeValue{":v": str("1")}), del("p", "a", "")},
		wantCode: "ValidationException", wantItems: []map[string]any{{"pk": "p", "sk": "a"}},
	}, {
		name: "an action with two writes is refused", actions: []types.TransactWriteItem{twoMembers}, wantCode: "ValidationException",
	}, {
		name: "more than 100 actions are refused", actions: tooMany, wantCode: "ValidationException",
	}, {
		name:     "a condition that does not parse is refused",
		actions:  []types.TransactWriteItem{putNew(item("p", "a")), check("p", "b", "attribute_exists(pk")},
		wantCode: "ValidationException",
	}, {
		name:     "an unknown table is refused",
		actions:  []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String("nope"), Item: item("p", "a")}}},
		wantCode: "ResourceNotFoundException",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newTestDB(t)
			db.put(t, tt.before...)
			_, err := db.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: tt.actions})
			if got := errorCode(err); got != tt.wantCode {
				t.Fatalf("error code %q (%v), want %q", got, err, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantReasons, reasonCodes(err)); diff != "" {
				t.Errorf("cancellation reasons mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantItems, db.all(t)); diff != "" {
				t.Errorf("table after mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCancellationReasonsCarryMessageAndItem(t *testing.T) {
	db := newTestDB(t)
	db.put(t, item("p", "a", "x", "0"))
	_, err := db.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		putNew(item("p", "b")),
		{Update: &types.Update{
			TableName: aws.String(testTable), Key: key("p", "a"), UpdateExpression: aws.String("SET x = :two"),
			ConditionExpression: aws.String("x = :one"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": str("1"), ":two": str("2")},
		}},
	}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("err = %v, want TransactionCanceledException", err)
	}
	type reasonView struct {
		Code, Message string
		Item          map[string]any
	}
	var got []reasonView
	for _, r := range tce.CancellationReasons {
		got = append(got, reasonView{aws.ToString(r.Code), aws.ToString(r.Message), plain(t, r.Item)})
	}
	want := []reasonView{
		{Code: "None"},
		{Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: map[string]any{"pk": "p", "sk": "a", "x": "0"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reasons mismatch (-want +got):\n%s", diff)
	}
	if msg := aws.ToString(tce.Message); msg != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]" {
		t.Errorf("message %q", msg)
	}
}

func TestClientRequestToken(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	incr := func(token string, by string) error {
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			ClientRequestToken: aws.String(token),
			TransactItems:      []types.TransactWriteItem{update("c", "counter", "ADD n :by", map[string]types.AttributeValue{":by": num(by)})},
		})
		return err
	}
	count := func() any { return db.get(t, "c", "counter")["n"] }

	if err := incr("token-1", "1"); err != nil {
		t.Fatal(err)
	}
	if err := incr("token-1", "1"); err != nil {
		t.Fatalf("the same request again: %v", err)
	}
	if got := count(); got != 1.0 {
		t.Errorf("after a repeated token n = %v, want 1 (applied once)", got)
	}
	var mismatch *types.IdempotentParameterMismatchException
	if err := incr("token-1", "5"); !errors.As(err, &mismatch) {
		t.Errorf("the token with other actions: err = %v, want IdempotentParameterMismatchException", err)
	}
	if err := incr("token-2", "1"); err != nil {
		t.Fatal(err)
	}
	db.clock.Add(9*time.Minute + 59*time.Second)
	if err := incr("token-1", "1"); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != 2.0 {
		t.Errorf("within 10 minutes n = %v, want 2", got)
	}
	db.clock.Add(time.Second)
	if err := incr("token-1", "1"); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != 3.0 {
		t.Errorf("10 minutes after, the token is new: n = %v, want 3", got)
	}
}

func TestCancelledTransactionLeavesTheTokenFree(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	in := &dynamodb.TransactWriteItemsInput{
		ClientRequestToken: aws.String("retry-me"),
		TransactItems:      []types.TransactWriteItem{check("p", "gate", "attribute_exists(pk)"), putNew(item("p", "a"))},
	}
	if _, err := db.TransactWriteItems(ctx, in); errorCode(err) != "TransactionCanceledException" {
		t.Fatalf("without the gate: err = %v, want cancelled", err)
	}
	db.put(t, item("p", "gate"))
	if _, err := db.TransactWriteItems(ctx, in); err != nil {
		t.Fatalf("the same token once the gate exists: %v", err)
	}
	if db.get(t, "p", "a") == nil {
		t.Error("the retried transaction wrote nothing")
	}
}

// A retried transaction is recognised whatever order its maps arrive in, and any change to
// what it does is not.
func TestFingerprintIsCanonical(t *testing.T) {
	s := func(v string) *mtypes.Item { return &mtypes.Item{S: &v} }
	build := func(order []string, cond string, nested string) []action {
		item, names, values := attrs{}, map[string]string{}, attrs{}
		for _, k := range order {
			item[k] = s("v" + k)
			names["#"+k] = k
			values[":"+k] = s(k)
		}
		item["m"] = &mtypes.Item{M: map[string]*mtypes.Item{"z": s("1"), "a": s(nested), "q": s("3")}}
		return []action{{op: "Put", table: "t", item: item, cond: &cond, names: names, values: values}}
	}
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	reversed := slices.Clone(keys)
	slices.Reverse(reversed)
	want := fingerprintOf(build(keys, "c", "2"))
	for range 20 {
		if got := fingerprintOf(build(reversed, "c", "2")); got != want {
			t.Fatal("equal actions built in another order have another fingerprint")
		}
	}
	if fingerprintOf(build(keys, "other", "2")) == want {
		t.Error("another condition has the same fingerprint")
	}
	if fingerprintOf(build(keys, "c", "changed")) == want {
		t.Error("another nested value has the same fingerprint")
	}
	if fingerprintOf(build(keys[:9], "c", "2")) == want {
		t.Error("an item with an attribute fewer has the same fingerprint")
	}
	other := build(keys, "c", "2")
	other[0].op = "Delete"
	if fingerprintOf(other) == want {
		t.Error("another operation has the same fingerprint")
	}
}

// A request is decoded strictly: a parameter, or a member of a value, this implementation
// does not know is refused by name; a malformed body is a SerializationException.
func TestRequestsAreDecodedStrictly(t *testing.T) {
	type in struct {
		TableName string `json:"TableName"`
		Item      attrs  `json:"Item"`
	}
	do := func(*in) (any, error) { return struct{}{}, nil }
	for body, want := range map[string]string{
		`{"TableName":"t","Expected":{}}`:                  `does not support the parameter "Expected" of PutItem`,
		`{"TableName":"t","Item":{"a":{"S":"x","Q":"y"}}}`: `does not support the parameter "Q" in "/Item/a" of PutItem`,
		`{"tablename":"t"}`:                                `does not support the parameter "tablename" of PutItem`,
		`{"TableName":"t"`:                                 "decode PutItem",
	} {
		_, err := call("PutItem", []byte(body), do)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", body, err, want)
		}
	}
	if _, err := call("PutItem", []byte(`{"TableName":"t","Item":{"a":{"S":"x"}}}`), do); err != nil {
		t.Errorf("a known request: %v", err)
	}
}

// A retry under a used token is validated before it is recognised: an invalid request is
// refused as such, not answered as the request it claims to retry.
func TestClientRequestTokenRetryIsValidatedFirst(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	put := func(null bool) error {
		it := item("org", "INV#a")
		it["gone"] = &types.AttributeValueMemberNULL{Value: null}
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			ClientRequestToken: aws.String("retry-me-validated"),
			TransactItems:      []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(testTable), Item: it}}},
		})
		return err
	}
	if err := put(true); err != nil {
		t.Fatal(err)
	}
	if err := put(false); errorCode(err) != "ValidationException" { // NULL must be true
		t.Errorf("a retry with a NULL that is false: %v, want ValidationException", err)
	}
}
