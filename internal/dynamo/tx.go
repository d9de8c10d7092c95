package dynamo

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// tx builds one TransactWriteItems call whose actions are named by the domain part they
// write (org.Part) and, in batch writes, the row they belong to. A cancelled transaction is
// decoded by those names, never by position, so actions may be added or reordered freely.
// The first error met while building is kept and returned by commit.
type tx struct {
	t       *table
	actions []types.TransactWriteItem
	names   []actionName
	row     int
	err     error
}

// actionName is what an action of a transaction writes.
type actionName struct {
	part org.Part
	row  int
}

// newTx starts a transaction on t.
func (t *table) newTx() *tx { return &tx{t: t} }

// forRow names the actions added next as belonging to row of a batch write.
func (x *tx) forRow(row int) *tx { x.row = row; return x }

// add appends an action, or keeps the error that building it met.
func (x *tx) add(part org.Part, item types.TransactWriteItem, err error) *tx {
	if err != nil {
		if x.err == nil {
			x.err = fmt.Errorf("build %s write: %w", part, err)
		}
		return x
	}
	x.actions = append(x.actions, item)
	x.names = append(x.names, actionName{part: part, row: x.row})
	return x
}

// put writes item, under cond when it is set.
func (x *tx) put(part org.Part, item any, cond *expression.ConditionBuilder) *tx {
	av, err := marshal(item)
	if err != nil {
		return x.add(part, types.TransactWriteItem{}, err)
	}
	p := &types.Put{TableName: &x.t.name, Item: av}
	if cond != nil {
		expr, err := expression.NewBuilder().WithCondition(*cond).Build()
		if err != nil {
			return x.add(part, types.TransactWriteItem{}, err)
		}
		p.ConditionExpression, p.ExpressionAttributeNames, p.ExpressionAttributeValues = expr.Condition(), expr.Names(), expr.Values()
	}
	return x.add(part, types.TransactWriteItem{Put: p}, nil)
}

// putNew writes item on condition that no item has its key yet.
func (x *tx) putNew(part org.Part, item any) *tx {
	cond := notExists()
	return x.put(part, item, &cond)
}

// update changes the item at pk/sk under cond.
func (x *tx) update(part org.Part, pk, sk string, upd expression.UpdateBuilder, cond expression.ConditionBuilder) *tx {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return x.add(part, types.TransactWriteItem{}, err)
	}
	return x.add(part, types.TransactWriteItem{Update: &types.Update{
		TableName: &x.t.name, Key: keyOf(pk, sk), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, nil)
}

// del removes the item at pk/sk under cond.
func (x *tx) del(part org.Part, pk, sk string, cond expression.ConditionBuilder) *tx {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return x.add(part, types.TransactWriteItem{}, err)
	}
	return x.add(part, types.TransactWriteItem{Delete: &types.Delete{
		TableName: &x.t.name, Key: keyOf(pk, sk), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, nil)
}

// check requires cond of the item at pk/sk without writing it.
func (x *tx) check(part org.Part, pk, sk string, cond expression.ConditionBuilder) *tx {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return x.add(part, types.TransactWriteItem{}, err)
	}
	return x.add(part, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &x.t.name, Key: keyOf(pk, sk), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, nil)
}

// audit writes an audit entry, once, with the event webhooks announce it by (when they have
// one for it): the change is never stored without its event, nor announced without being
// stored.
func (x *tx) audit(a org.AuditEntry) *tx {
	x.putNew(org.PartAudit, toAuditItem(a))
	for _, ev := range toEventItems(a) {
		x.putNew(org.PartAudit, ev)
	}
	return x
}

// notExists is the condition that no item has the key written.
func notExists() expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name(attrPK))
}

// maxTransientRetries bounds how often a transaction cancelled for a passing reason (a
// conflict with another writer, throttling) is retried.
const maxTransientRetries = 5

// maxUnavailableRetries bounds how often a transaction DynamoDB did not answer for (busy,
// unreachable, a timeout, a 5xx) is sent again with its client token, and settleFor how long
// those tries may go on after the caller's context has ended.
const (
	maxUnavailableRetries = 8
	settleFor             = 5 * time.Second
)

// noSDKRetries makes one call a single try: commit retries transactions itself, so that it
// sees every try's error and knows whether any of them may have been applied.
func noSDKRetries(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }

// commit writes the actions atomically. A transaction refused because conditions failed is a
// *txFailure naming the actions (see refused); transactions cancelled for passing reasons
// are retried with jittered exponential backoff first. Every try carries the same client
// token, so that DynamoDB applies the transaction at most once, and commit makes the tries
// itself: a try whose answer was lost (a timeout, a reset connection, a 5xx) is settled by
// sending it again, which DynamoDB answers with the first one's success, even once the
// caller's context has ended. A transaction DynamoDB only ever refused (throttling, a refused
// connection) is an error wrapping org.ErrUnavailable: it was not applied. One that may have
// been applied and is still unsettled wraps org.ErrOutcomeUnknown too.
func (x *tx) commit(ctx context.Context) error {
	if x.err != nil {
		return x.err
	}
	if len(x.actions) == 0 {
		return nil
	}
	token := newClientToken()
	tries, ambiguous, settling := 0, false, false
	for attempt := 0; ; attempt++ {
		_, err := x.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: x.actions, ClientRequestToken: &token}, noSDKRetries)
		if err == nil {
			return nil
		}
		f := decodeCancellation(err, x.names)
		if f == nil && errors.Is(err, org.ErrUnavailable) {
			ambiguous = ambiguous || mayHaveApplied(err)
			unsettled := func(err error) error {
				if ambiguous {
					return fmt.Errorf("transact write: %w: %w", org.ErrOutcomeUnknown, err)
				}
				return fmt.Errorf("transact write, not applied: %w", err)
			}
			if tries++; tries > maxUnavailableRetries {
				return unsettled(err)
			}
			if ctx.Err() != nil && !settling {
				if !ambiguous {
					return unsettled(err) // nothing to settle: no try was applied
				}
				settling = true
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), settleFor)
				defer cancel()
			}
			if serr := x.t.sleep(ctx, tries); serr != nil {
				return unsettled(err)
			}
			continue
		}
		if f == nil {
			return fmt.Errorf("transact write: %w", err)
		}
		if len(f.failed) > 0 || f.transient == "" || attempt == maxTransientRetries {
			return f
		}
		if err := x.t.sleep(ctx, attempt); err != nil {
			return err
		}
	}
}

// txFailure says why a transaction was cancelled: which named actions failed their
// condition, or the passing or permanent reason DynamoDB gave.
type txFailure struct {
	failed    []actionName
	transient string // a reason worth retrying the whole transaction for, such as TransactionConflict
	permanent string // a reason that retrying cannot fix, such as ValidationError
}

func (f *txFailure) Error() string {
	switch {
	case len(f.failed) > 0:
		return fmt.Sprintf("transaction cancelled: conditions failed on %v", f.failed)
	case f.transient != "":
		return "transaction cancelled: " + f.transient
	}
	return "transaction cancelled: " + f.permanent
}

// Unwrap gives the domain's meaning: the parts whose conditions failed, another writer
// holding an item, or DynamoDB being busy.
func (f *txFailure) Unwrap() error {
	switch {
	case len(f.failed) > 0:
		c := &org.ConflictError{}
		for _, n := range f.failed {
			c.Parts = append(c.Parts, n.part)
		}
		return c
	case f.permanent != "":
		return nil
	case f.transient == "TransactionConflict":
		return org.ErrConflict
	}
	return org.ErrUnavailable
}

// rows lists the batch rows with an action whose condition failed.
func (f *txFailure) rows() map[int]bool {
	out := make(map[int]bool, len(f.failed))
	for _, n := range f.failed {
		out[n.row] = true
	}
	return out
}

// forRowOnly is the domain's meaning of f for one row of a batch: the parts of that row
// whose conditions failed.
func (f *txFailure) forRowOnly(row int) error {
	c := &org.ConflictError{}
	for _, n := range f.failed {
		if n.row == row {
			c.Parts = append(c.Parts, n.part)
		}
	}
	return c
}

// refused reports whether err is a transaction whose action writing part failed its condition.
func refused(err error, part org.Part) bool {
	var f *txFailure
	if !errors.As(err, &f) {
		return false
	}
	for _, n := range f.failed {
		if n.part == part {
			return true
		}
	}
	return false
}

// sleep waits before retry number attempt: the table's base (10 ms) doubling, at most 50
// times the base, with up to one base of jitter.
func (t *table) sleep(ctx context.Context, attempt int) error {
	base := t.backoff
	if base <= 0 {
		base = 10 * time.Millisecond
	}
	backoff := min(base<<attempt, 50*base) + rand.N(base)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(backoff):
		return nil
	}
}

// decodeCancellation turns a TransactionCanceledException into a txFailure naming the
// actions by names (index-aligned with the actions sent), or nil for any other error.
func decodeCancellation(err error, names []actionName) *txFailure {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	f := &txFailure{}
	for i, r := range tce.CancellationReasons {
		switch code := aws.ToString(r.Code); code {
		case "", "None":
		case "ConditionalCheckFailed":
			if i < len(names) {
				f.failed = append(f.failed, names[i])
			} else {
				f.permanent = "a condition failed on an action the request did not send"
			}
		case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
			f.transient = code
		default:
			f.permanent = code
		}
	}
	if len(f.failed) == 0 && f.transient == "" && f.permanent == "" {
		f.transient = "no reason given"
	}
	return f
}

// newClientToken is a transaction's idempotency token: 32 random hex digits (DynamoDB takes
// at most 36 characters).
func newClientToken() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}
