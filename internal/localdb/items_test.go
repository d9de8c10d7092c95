package localdb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

func TestUpdateItem(t *testing.T) {
	nested := map[string]types.AttributeValue{"pk": str("p"), "sk": str("a"), "m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": str("1"), "y": str("2")}}}
	big := map[string]types.AttributeValue{"pk": str("p"), "sk": str("a"), "big": num("12345678901234567890123"), "n": num("1")}
	set := map[string]types.AttributeValue{"pk": str("p"), "sk": str("a"), "tags": &types.AttributeValueMemberSS{Value: []string{"x", "y"}}}
	tests := []struct {
		name         string
		before       map[string]types.AttributeValue
		update, cond string
		values       map[string]types.AttributeValue
		returnValues types.ReturnValue
		wantCode     string
		wantReturned map[string]any
		want         map[string]any // the item after
	}{
		{name: "REMOVE removes", before: item("p", "a", "x", "1", "y", "2"), update: "REMOVE x",
			want: map[string]any{"pk": "p", "sk": "a", "y": "2"}},
		{name: "REMOVE of a nested attribute", before: nested, update: "REMOVE m.x",
			want: map[string]any{"pk": "p", "sk": "a", "m": map[string]any{"y": "2"}}},
		{name: "an empty value, which the store sets instead of removing", before: item("p", "a", "x", "1"), update: "SET x = :e", values: vals(":e", ""),
			want: map[string]any{"pk": "p", "sk": "a", "x": ""}},
		{name: "SET and REMOVE together", before: item("p", "a", "x", "1", "y", "2"), update: "SET z = :z REMOVE x, y", values: vals(":z", "3"),
			want: map[string]any{"pk": "p", "sk": "a", "z": "3"}},
		{name: "ADD counts from nothing", before: item("p", "a"), update: "ADD n :one", values: map[string]types.AttributeValue{":one": num("1")},
			want: map[string]any{"pk": "p", "sk": "a", "n": 1.0}},
		{name: "DELETE of a set's last members removes the set", before: set, update: "DELETE tags :t", values: map[string]types.AttributeValue{":t": &types.AttributeValueMemberSS{Value: []string{"x", "y"}}},
			want: map[string]any{"pk": "p", "sk": "a"}},
		{name: "attributes the update does not name keep their exact value", before: big, update: "ADD n :one", values: map[string]types.AttributeValue{":one": num("1")},
			want: map[string]any{"pk": "p", "sk": "a", "big": 12345678901234567890123.0, "n": 2.0}},
		{name: "an absent item is created, and ALL_NEW answers it", update: "SET v = :v", values: vals(":v", "1"), returnValues: types.ReturnValueAllNew,
			wantReturned: map[string]any{"pk": "p", "sk": "a", "v": "1"}, want: map[string]any{"pk": "p", "sk": "a", "v": "1"}},
		{name: "ALL_OLD answers the item before", before: item("p", "a", "v", "0"), update: "SET v = :v", values: vals(":v", "1"), returnValues: types.ReturnValueAllOld,
			wantReturned: map[string]any{"pk": "p", "sk": "a", "v": "0"}, want: map[string]any{"pk": "p", "sk": "a", "v": "1"}},
		{name: "a failed condition changes nothing", before: item("p", "a", "v", "0"), update: "SET v = :v", cond: "v = :w", values: vals(":v", "1", ":w", "9"),
			wantCode: "ConditionalCheckFailedException", want: map[string]any{"pk": "p", "sk": "a", "v": "0"}},
		{name: "a key attribute cannot be updated", before: item("p", "a"), update: "SET sk = :v", values: vals(":v", "b"),
			wantCode: "ValidationException", want: map[string]any{"pk": "p", "sk": "a"}},
		{name: "an undefined value is refused", before: item("p", "a"), update: "SET v = :v",
			wantCode: "ValidationException", want: map[string]any{"pk": "p", "sk": "a"}},
		{name: "UPDATED_NEW is not served", before: item("p", "a"), update: "SET v = :v", values: vals(":v", "1"), returnValues: types.ReturnValueUpdatedNew,
			wantCode: "ValidationException", want: map[string]any{"pk": "p", "sk": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newTestDB(t)
			if tt.before != nil {
				db.put(t, tt.before)
			}
			in := &dynamodb.UpdateItemInput{TableName: aws.String(testTable), Key: key("p", "a"), UpdateExpression: aws.String(tt.update),
				ExpressionAttributeValues: tt.values, ReturnValues: tt.returnValues}
			if tt.cond != "" {
				in.ConditionExpression = aws.String(tt.cond)
			}
			out, err := db.UpdateItem(context.Background(), in)
			if got := errorCode(err); got != tt.wantCode {
				t.Fatalf("error code %q (%v), want %q", got, err, tt.wantCode)
			}
			if err == nil {
				if diff := cmp.Diff(tt.wantReturned, plain(t, out.Attributes)); diff != "" {
					t.Errorf("returned attributes mismatch (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tt.want, db.get(t, "p", "a")); diff != "" {
				t.Errorf("item after mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBigNumbersKeepTheirDigits(t *testing.T) {
	db := newTestDB(t)
	db.put(t, map[string]types.AttributeValue{"pk": str("p"), "sk": str("a"), "big": num("12345678901234567890123")})
	_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String(testTable), Key: key("p", "a"),
		UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: vals(":v", "x")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: key("p", "a")})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Item["big"].(*types.AttributeValueMemberN).Value; got != "12345678901234567890123" {
		t.Errorf("big = %s after an update of another attribute", got)
	}
}

func TestConditionalPutAndDelete(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	db.put(t, item("p", "a", "v", "0"))
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: item("p", "a", "v", "1"),
		ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("put over an item: err = %v, want ConditionalCheckFailedException", err)
	}
	if diff := cmp.Diff(map[string]any{"pk": "p", "sk": "a", "v": "0"}, plain(t, ccf.Item)); diff != "" {
		t.Errorf("item of the failed condition mismatch (-want +got):\n%s", diff)
	}
	put, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: item("p", "a", "v", "2"), ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"pk": "p", "sk": "a", "v": "0"}, plain(t, put.Attributes)); diff != "" {
		t.Errorf("put ALL_OLD mismatch (-want +got):\n%s", diff)
	}
	_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(testTable), Key: key("p", "a"),
		ConditionExpression: aws.String("v = :v"), ExpressionAttributeValues: vals(":v", "0")})
	if !errors.As(err, &ccf) {
		t.Errorf("delete under a false condition: err = %v", err)
	}
	gone, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(testTable), Key: key("p", "a"), ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"pk": "p", "sk": "a", "v": "2"}, plain(t, gone.Attributes)); diff != "" {
		t.Errorf("delete ALL_OLD mismatch (-want +got):\n%s", diff)
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(testTable), Key: key("p", "a")}); err != nil {
		t.Errorf("delete of an absent item: %v", err)
	}
}

func TestKeysAreChecked(t *testing.T) {
	db := newTestDB(t)
	for _, k := range []map[string]types.AttributeValue{
		{"pk": str("p")},
		{"pk": str("p"), "sk": str("a"), "x": str("1")},
		{"pk": str("p"), "sk": num("1")},
	} {
		_, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: k})
		if code := errorCode(err); code != "ValidationException" {
			t.Errorf("get with key %v: err = %v, want ValidationException", plain(t, k), err)
		}
	}
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: key("p", "none")})
	if err != nil || out.Item != nil {
		t.Errorf("absent item: %v, %v", out.Item, err)
	}
	if _, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: key("p", "a")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("unknown table: err = %v", err)
	}
}

func TestBatches(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	var writes []types.WriteRequest
	for i := range 24 {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("p", fmt.Sprintf("s%02d", i))}})
	}
	db.put(t, item("p", "old"))
	writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key("p", "old")}})
	if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{testTable: writes}}); err != nil {
		t.Fatal(err)
	}
	if n := len(db.all(t)); n != 24 {
		t.Errorf("%d items after the batch, want 24", n)
	}
	tooMany := append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("p", "more")}})
	if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{testTable: tooMany}}); errorCode(err) != "ValidationException" {
		t.Errorf("26 writes: err = %v", err)
	}
	twice := []types.WriteRequest{writes[0], writes[0]}
	if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{testTable: twice}}); errorCode(err) != "ValidationException" {
		t.Errorf("one key twice: err = %v", err)
	}

	keys := []map[string]types.AttributeValue{key("p", "s03"), key("p", "absent"), key("p", "s01")}
	out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{testTable: {Keys: keys, ConsistentRead: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	got := pageOf(t, out.Responses[testTable], 0, 0, nil).SKs
	if diff := cmp.Diff([]string{"s03", "s01"}, got); diff != "" {
		t.Errorf("batch get mismatch (-want +got):\n%s", diff)
	}
	if len(out.UnprocessedKeys) != 0 {
		t.Errorf("unprocessed keys: %v", out.UnprocessedKeys)
	}
	dup := []map[string]types.AttributeValue{key("p", "s01"), key("p", "s01")}
	if _, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{testTable: {Keys: dup}}}); errorCode(err) != "ValidationException" {
		t.Errorf("one key twice: err = %v", err)
	}
	var many []map[string]types.AttributeValue
	for i := range 101 {
		many = append(many, key("p", fmt.Sprint(i)))
	}
	if _, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{testTable: {Keys: many}}}); errorCode(err) != "ValidationException" {
		t.Errorf("101 keys: err = %v", err)
	}
}

func TestTables(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	db.put(t, item("p", "a", "queue", "OUTBOX", "due", "1"), item("p", "b"))
	d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(testTable)})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(d.Table.TableStatus, " items=", aws.ToInt64(d.Table.ItemCount), " index=", aws.ToString(d.Table.GlobalSecondaryIndexes[0].IndexName),
		" indexItems=", aws.ToInt64(d.Table.GlobalSecondaryIndexes[0].ItemCount), " ", d.Table.GlobalSecondaryIndexes[0].IndexStatus)
	if want := "ACTIVE items=2 index=outbox indexItems=1 ACTIVE"; got != want {
		t.Errorf("description %q, want %q", got, want)
	}
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(testTable), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}})
	if code := errorCode(err); code != "ResourceInUseException" {
		t.Errorf("create an existing table: err = %v", err)
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(testTable),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(testTable)})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("time to live: %+v, %v", ttl, err)
	}
	if _, err := db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{{Get: &types.Get{TableName: aws.String(testTable), Key: key("p", "a")}}}}); errorCode(err) != "UnknownOperationException" {
		t.Errorf("an operation not served: err = %v", err)
	}
	if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(testTable)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(testTable)}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("describe a deleted table: err = %v", err)
	}
}
