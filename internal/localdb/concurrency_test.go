package localdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestConcurrentTransactionsLoseNoUpdate has writers race read-modify-write transactions on
// one counter, each conditional on the version it read and each also writing an item of its
// own: every committed transaction must count once, and only those.
func TestConcurrentTransactionsLoseNoUpdate(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	db.put(t, map[string]types.AttributeValue{"pk": str("c"), "sk": str("counter"), "n": num("0")})
	const writers, each = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; {
				out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: key("c", "counter"), ConsistentRead: aws.Bool(true)})
				if err != nil {
					errs <- err
					return
				}
				n := out.Item["n"].(*types.AttributeValueMemberN).Value
				next, _ := strconv.Atoi(n)
				_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
					{Update: &types.Update{
						TableName: aws.String(testTable), Key: key("c", "counter"),
						UpdateExpression: aws.String("SET n = :next"), ConditionExpression: aws.String("n = :seen"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":seen": num(n), ":next": num(strconv.Itoa(next + 1))},
					}},
					putNew(item("c", fmt.Sprintf("log#%d#%d", w, i), "n", n)),
				}})
				switch {
				case err == nil:
					i++
				case errorCode(err) != "TransactionCanceledException":
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	items := db.all(t)
	if got := db.get(t, "c", "counter")["n"]; got != float64(writers*each) {
		t.Errorf("counter = %v, want %d", got, writers*each)
	}
	if len(items) != writers*each+1 {
		t.Errorf("%d items, want %d log items and the counter", len(items), writers*each)
	}
	seen := map[any]bool{}
	for _, it := range items {
		if it["sk"] != "counter" && seen[it["n"]] {
			t.Errorf("two transactions both moved the counter on from %v", it["n"])
		}
		seen[it["n"]] = true
	}
}

// TestTransactionsAreNeverSeenHalfDone has writers move two items of one partition to the
// same new value in each transaction, while readers query the partition: a reader sees
// both at the old value or both at the new, never one of each.
func TestTransactionsAreNeverSeenHalfDone(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	db.put(t, item("pair", "a", "v", "0"), item("pair", "b", "v", "0"))
	const rounds, readers = 60, 3
	done := make(chan struct{})
	var wg sync.WaitGroup
	failures := make(chan error, readers+1)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				out, err := db.Query(ctx, &dynamodb.QueryInput{
					TableName: aws.String(testTable), KeyConditionExpression: aws.String("pk = :p"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("pair")},
				})
				if err != nil {
					failures <- err
					return
				}
				a, b := plain(t, out.Items[0])["v"], plain(t, out.Items[1])["v"]
				if a != b {
					failures <- fmt.Errorf("a reader saw a = %v and b = %v", a, b)
					return
				}
			}
		}()
	}
	for i := 1; i <= rounds; i++ {
		v := map[string]types.AttributeValue{":v": str(strconv.Itoa(i))}
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			update("pair", "a", "SET v = :v", v), update("pair", "b", "SET v = :v", v),
		}})
		if err != nil {
			failures <- err
			break
		}
	}
	close(done)
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
}

// TestConcurrentClaimsOfOneItem has writers race to take one item with a conditional
// transaction: exactly one wins, the rest are cancelled by its condition.
func TestConcurrentClaimsOfOneItem(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				putNew(item("claim", "it", "owner", strconv.Itoa(i))), putNew(item("claim", "by#"+strconv.Itoa(i))),
			}})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		var tce *types.TransactionCanceledException
		switch {
		case err == nil:
			won++
		case !errors.As(err, &tce):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if items := db.all(t); won != 1 || len(items) != 2 {
		t.Errorf("%d won, %d items stored; want 1 winner and its 2 items", won, len(items))
	}
}
