package localdb

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// page is what a test reads of a Query or Scan answer.
type page struct {
	SKs            []string
	Count, Scanned int32
	Last           map[string]any
}

func pageOf(tb testing.TB, items []map[string]types.AttributeValue, count, scanned int32, last map[string]types.AttributeValue) page {
	tb.Helper()
	p := page{Count: count, Scanned: scanned, Last: plain(tb, last)}
	for _, it := range items {
		p.SKs = append(p.SKs, fmt.Sprint(plain(tb, it)["sk"]))
	}
	return p
}

func vals(kv ...string) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = str(kv[i+1])
	}
	return out
}

func TestQuery(t *testing.T) {
	db := newTestDB(t)
	sks := []string{"AUDIT#01", "AUDIT#02", "AUDIT#03", "AUDIT#04", "AUDIT#05", "INV#a", "INV#b", "INV#c", "INV#d", "MEMBER#x"}
	for i, sk := range sks {
		status := "active"
		if i%2 == 1 {
			status = "revoked"
		}
		db.put(t, item("org", sk, "status", status, "name", "n"+sk))
	}
	db.put(t, item("other", "INV#z"), item("orgs", "INV#y"))
	inv := "pk = :p AND begins_with(sk, :s)"
	invVals := vals(":p", "org", ":s", "INV#")
	tests := []struct {
		name     string
		in       dynamodb.QueryInput
		want     page
		wantCode string
	}{
		{name: "the partition alone, in sort key order", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "org")},
			want: page{SKs: sks, Count: 10, Scanned: 10}},
		{name: "equal sort key", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("#p = :p AND #s = :s"), ExpressionAttributeNames: map[string]string{"#p": "pk", "#s": "sk"}, ExpressionAttributeValues: vals(":p", "org", ":s", "INV#b")},
			want: page{SKs: []string{"INV#b"}, Count: 1, Scanned: 1}},
		{name: "begins_with as the SDK's builder writes it", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("(#0 = :0) AND (begins_with (#1, :1))"), ExpressionAttributeNames: map[string]string{"#0": "pk", "#1": "sk"}, ExpressionAttributeValues: vals(":0", "org", ":1", "INV#")},
			want: page{SKs: []string{"INV#a", "INV#b", "INV#c", "INV#d"}, Count: 4, Scanned: 4}},
		{name: "begins_with backwards", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, ScanIndexForward: aws.Bool(false)},
			want: page{SKs: []string{"INV#d", "INV#c", "INV#b", "INV#a"}, Count: 4, Scanned: 4}},
		{name: "less than", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk < :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "AUDIT#03")},
			want: page{SKs: []string{"AUDIT#01", "AUDIT#02"}, Count: 2, Scanned: 2}},
		{name: "at most, backwards", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk <= :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "AUDIT#03"), ScanIndexForward: aws.Bool(false)},
			want: page{SKs: []string{"AUDIT#03", "AUDIT#02", "AUDIT#01"}, Count: 3, Scanned: 3}},
		{name: "greater than", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk > :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "INV#c")},
			want: page{SKs: []string{"INV#d", "MEMBER#x"}, Count: 2, Scanned: 2}},
		{name: "a value first reads the same", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(":p = pk AND :s <= sk"), ExpressionAttributeValues: vals(":p", "org", ":s", "INV#d")},
			want: page{SKs: []string{"INV#d", "MEMBER#x"}, Count: 2, Scanned: 2}},
		{name: "between, inclusive", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"), ExpressionAttributeValues: vals(":p", "org", ":a", "AUDIT#05", ":b", "INV#b")},
			want: page{SKs: []string{"AUDIT#05", "INV#a", "INV#b"}, Count: 3, Scanned: 3}},
		{name: "between, backwards", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"), ExpressionAttributeValues: vals(":p", "org", ":a", "AUDIT#02", ":b", "AUDIT#04"), ScanIndexForward: aws.Bool(false)},
			want: page{SKs: []string{"AUDIT#04", "AUDIT#03", "AUDIT#02"}, Count: 3, Scanned: 3}},
		{name: "at least, backwards", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk >= :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "INV#d"), ScanIndexForward: aws.Bool(false)},
			want: page{SKs: []string{"MEMBER#x", "INV#d"}, Count: 2, Scanned: 2}},
		{name: "greater than, backwards", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk > :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "INV#d"), ScanIndexForward: aws.Bool(false)},
			want: page{SKs: []string{"MEMBER#x"}, Count: 1, Scanned: 1}},
		{name: "less than, backwards", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk < :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "AUDIT#02"), ScanIndexForward: aws.Bool(false)},
			want: page{SKs: []string{"AUDIT#01"}, Count: 1, Scanned: 1}},
		{name: "at most", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk <= :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "AUDIT#02")},
			want: page{SKs: []string{"AUDIT#01", "AUDIT#02"}, Count: 2, Scanned: 2}},
		{name: "limit stops where it stopped", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, Limit: aws.Int32(2)},
			want: page{SKs: []string{"INV#a", "INV#b"}, Count: 2, Scanned: 2, Last: map[string]any{"pk": "org", "sk": "INV#b"}}},
		{name: "a limit reached on the last item still answers where to go on", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, Limit: aws.Int32(4)},
			want: page{SKs: []string{"INV#a", "INV#b", "INV#c", "INV#d"}, Count: 4, Scanned: 4, Last: map[string]any{"pk": "org", "sk": "INV#d"}}},
		{name: "the limit counts items read, not items kept", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("#st = :st"), ExpressionAttributeNames: map[string]string{"#st": "status"}, ExpressionAttributeValues: vals(":p", "org", ":st", "revoked"), Limit: aws.Int32(5)},
			want: page{SKs: []string{"AUDIT#02", "AUDIT#04"}, Count: 2, Scanned: 5, Last: map[string]any{"pk": "org", "sk": "AUDIT#05"}}},
		{name: "a start key continues after it", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, ExclusiveStartKey: key("org", "INV#b")},
			want: page{SKs: []string{"INV#c", "INV#d"}, Count: 2, Scanned: 2}},
		{name: "a start key of no item continues after where it would be", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, ExclusiveStartKey: key("org", "INV#bb")},
			want: page{SKs: []string{"INV#c", "INV#d"}, Count: 2, Scanned: 2}},
		{name: "a start key backwards continues before it", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, ExclusiveStartKey: key("org", "INV#c"), ScanIndexForward: aws.Bool(false)},
			want: page{SKs: []string{"INV#b", "INV#a"}, Count: 2, Scanned: 2}},
		{name: "count only", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, Select: types.SelectCount},
			want: page{Count: 4, Scanned: 4}},
		{name: "a partition of nothing", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "nobody")},
			want: page{}},
		{name: "a filter on a key attribute is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("begins_with(#s, :s)"), ExpressionAttributeNames: map[string]string{"#s": "sk"}, ExpressionAttributeValues: vals(":p", "org", ":s", "INV#")}, wantCode: "ValidationException"},
		{name: "a filter on a nested attribute named like a key is served", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk = :s"), FilterExpression: aws.String("attribute_not_exists(m.sk)"), ExpressionAttributeValues: vals(":p", "org", ":s", "INV#a")},
			want: page{SKs: []string{"INV#a"}, Count: 1, Scanned: 1}},
		{name: "OR is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p OR sk = :s"), ExpressionAttributeValues: vals(":p", "org", ":s", "x")}, wantCode: "ValidationException"},
		{name: "a non-key attribute is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND #n = :s"), ExpressionAttributeNames: map[string]string{"#n": "name"}, ExpressionAttributeValues: vals(":p", "org", ":s", "x")}, wantCode: "ValidationException"},
		{name: "a condition without the partition key is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("sk = :s"), ExpressionAttributeValues: vals(":s", "x")}, wantCode: "ValidationException"},
		{name: "a range on the partition key is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk > :p"), ExpressionAttributeValues: vals(":p", "org")}, wantCode: "ValidationException"},
		{name: "two conditions on the sort key are refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk > :a AND sk < :b"), ExpressionAttributeValues: vals(":p", "org", ":a", "a", ":b", "b")}, wantCode: "ValidationException"},
		{name: "a number for a string key is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": num("1")}}, wantCode: "ValidationException"},
		{name: "a start key outside the range is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, ExclusiveStartKey: key("org", "AUDIT#01")}, wantCode: "ValidationException"},
		{name: "a start key of another partition is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String(inv), ExpressionAttributeValues: invVals, ExclusiveStartKey: key("other", "INV#z")}, wantCode: "ValidationException"},
		{name: "an unused value is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "org", ":q", "x")}, wantCode: "ValidationException"},
		{name: "a parameter this implementation does not serve is refused", in: dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "org"), AttributesToGet: []string{"sk"}}, wantCode: "ValidationException"},
		{name: "strong reads of the index are refused", in: dynamodb.QueryInput{IndexName: aws.String("outbox"), KeyConditionExpression: aws.String("queue = :q"), ExpressionAttributeValues: vals(":q", "OUTBOX"), ConsistentRead: aws.Bool(true)}, wantCode: "ValidationException"},
		{name: "an unknown index is refused", in: dynamodb.QueryInput{IndexName: aws.String("nope"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "org")}, wantCode: "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.TableName = aws.String(testTable)
			out, err := db.Query(context.Background(), &in)
			if got := errorCode(err); got != tt.wantCode {
				t.Fatalf("error code %q (%v), want %q", got, err, tt.wantCode)
			}
			if err != nil {
				t.Log(err)
				return
			}
			got := pageOf(t, out.Items, out.Count, out.ScannedCount, out.LastEvaluatedKey)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("page mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryProjection(t *testing.T) {
	db := newTestDB(t)
	db.put(t, item("org", "INV#a", "status", "active", "name", "A"))
	out, err := db.Query(context.Background(), &dynamodb.QueryInput{
		TableName: aws.String(testTable), KeyConditionExpression: aws.String("pk = :p"), ProjectionExpression: aws.String("sk, #n"),
		ExpressionAttributeNames: map[string]string{"#n": "name"}, ExpressionAttributeValues: vals(":p", "org"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]map[string]any{{"sk": "INV#a", "name": "A"}}, []map[string]any{plain(t, out.Items[0])}); diff != "" {
		t.Errorf("projected items mismatch (-want +got):\n%s", diff)
	}
}

func TestGetItemProjection(t *testing.T) {
	db := newTestDB(t)
	db.put(t, map[string]types.AttributeValue{"pk": str("p"), "sk": str("a"),
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": str("1"), "y": str("2")}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{str("a"), str("b"), str("c")}}})
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: key("p", "a"), ProjectionExpression: aws.String("m.x, l[1]")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"m": map[string]any{"x": "1"}, "l": []any{"b"}}
	if diff := cmp.Diff(want, plain(t, out.Item)); diff != "" {
		t.Errorf("projected item mismatch (-want +got):\n%s", diff)
	}
}

// walk reads every page of a Query or Scan with the SDK's paginator.
func walk(tb testing.TB, db *testDB, query *dynamodb.QueryInput, scan *dynamodb.ScanInput) []string {
	tb.Helper()
	var sks []string
	add := func(items []map[string]types.AttributeValue) {
		for _, it := range items {
			sks = append(sks, fmt.Sprint(plain(tb, it)["pk"], "/", plain(tb, it)["sk"]))
		}
	}
	ctx := context.Background()
	if query != nil {
		for p := dynamodb.NewQueryPaginator(db, query); p.HasMorePages(); {
			out, err := p.NextPage(ctx)
			if err != nil {
				tb.Fatal(err)
			}
			add(out.Items)
		}
		return sks
	}
	for p := dynamodb.NewScanPaginator(db, scan); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		add(out.Items)
	}
	return sks
}

func TestPagesReadEveryItemOnceInOrder(t *testing.T) {
	db := newTestDB(t)
	var want []string
	for p := range 3 {
		for i := range 70 {
			pk, sk := fmt.Sprintf("p%d", p), fmt.Sprintf("s%03d", (i*37)%70)
			db.put(t, item(pk, sk))
			if p == 1 {
				want = append(want, pk+"/"+sk)
			}
		}
	}
	slices.Sort(want)
	for _, limit := range []int32{1, 7, 70, 100} {
		q := &dynamodb.QueryInput{TableName: aws.String(testTable), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p1"), Limit: aws.Int32(limit)}
		if diff := cmp.Diff(want, walk(t, db, q, nil)); diff != "" {
			t.Errorf("forward, limit %d, mismatch (-want +got):\n%s", limit, diff)
		}
		q.ScanIndexForward = aws.Bool(false)
		back := slices.Clone(want)
		slices.Reverse(back)
		if diff := cmp.Diff(back, walk(t, db, q, nil)); diff != "" {
			t.Errorf("backward, limit %d, mismatch (-want +got):\n%s", limit, diff)
		}
		scan := walk(t, db, nil, &dynamodb.ScanInput{TableName: aws.String(testTable), Limit: aws.Int32(limit)})
		if len(scan) != 210 || !slices.IsSorted(scan) || len(slices.Compact(slices.Clone(scan))) != 210 {
			t.Errorf("scan, limit %d: %d items, sorted %v", limit, len(scan), slices.IsSorted(scan))
		}
	}
}
