package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/org"
)

// HoldRun stores next as the organization's held SCIM run in place of named, superseding
// superseded if it is still held, in one transaction.
func (s *SCIM) HoldRun(ctx context.Context, named string, superseded *dirsync.Run, next dirsync.Run, audit org.AuditEntry) error {
	it, err := toRunItem(next)
	if err != nil {
		return err
	}
	names := expression.Name("heldRun").Equal(expression.Value(named))
	if named == "" {
		names = expression.AttributeNotExists(expression.Name("heldRun")).Or(names)
	}
	x := s.t.newTx().putNew(org.PartRecord, it).
		update(org.PartRecord, orgPK(next.OrgID), skSCIM, expression.Set(expression.Name("heldRun"), expression.Value(next.ID)),
			expression.AttributeExists(expression.Name(attrPK)).And(names)).
		audit(audit)
	if superseded != nil {
		upd := expression.Set(expression.Name("status"), expression.Value(string(dirsync.RunSuperseded))).
			Set(expression.Name("supersededBy"), expression.Value(next.ID))
		stillHeld := expression.Name("status").Equal(expression.Value(string(dirsync.RunHeld))).
			And(expression.Name("expiresAt").GreaterThan(expression.Value(fmtTime(next.FinishedAt))))
		x.update(org.PartRecord, orgPK(superseded.OrgID), runSK(superseded.ID), upd, stillHeld)
	}
	return x.commit(ctx)
}

// windowBuckets is how finely the deactivation window is kept: deactivations are counted in
// buckets of a window's sixtieth, and a bucket counts as long as any part of it lies within
// the window. So no stretch of the window's length ever applies more than the limit, however
// the deactivations fall across it; the price is that one may be held up to a bucket (a
// minute of an hour) before the exact window would have let it through. The item stays
// small: at most one bucket more than windowBuckets.
const windowBuckets = 60

// windowBucket counts the deactivations applied from Start to End (Unix milliseconds).
type windowBucket struct {
	Start int64 `dynamodbav:"s"`
	End   int64 `dynamodbav:"e"`
	Count int   `dynamodbav:"n"`
}

// scimWindowItem is the organization's recent deactivations, by bucket; Rev changes with
// every write, which is conditional on it.
type scimWindowItem struct {
	key
	Type    string         `dynamodbav:"type"`
	Buckets []windowBucket `dynamodbav:"buckets"`
	Rev     int64          `dynamodbav:"rev"`
}

// maxWindowAttempts bounds how often a window write is tried again when another request
// changed the window between its read and its write.
const maxWindowAttempts = 8

// CountDeactivation counts one deactivation at now, unless window's length up to now holds
// limit already (false: nothing counted). The window slides: it is always the last window.
func (s *SCIM) CountDeactivation(ctx context.Context, orgID string, now time.Time, window time.Duration, limit int) (bool, error) {
	if limit < 1 {
		return false, nil
	}
	width := max(window/windowBuckets, time.Second).Milliseconds()
	at, since := now.UnixMilli(), now.Add(-window).UnixMilli()
	counted := false
	err := s.changeWindow(ctx, orgID, func(buckets []windowBucket) ([]windowBucket, bool) {
		counted = false // as this read of the window says, whatever an earlier one said
		live := buckets[:0]
		total := 0
		for _, b := range buckets {
			if b.End > since && b.Count > 0 {
				live, total = append(live, b), total+b.Count
			}
		}
		if total >= limit {
			return nil, false
		}
		counted = true
		if n := len(live); n > 0 && live[n-1].Start <= at && at < live[n-1].End {
			live[n-1].Count++
			return live, true
		}
		start := at - at%width
		return append(live, windowBucket{Start: start, End: start + width, Count: 1}), true
	})
	return counted && err == nil, err
}

// UncountDeactivation gives back the deactivation counted at at: it was refused, or found
// done already, so it used up nothing.
func (s *SCIM) UncountDeactivation(ctx context.Context, orgID string, at time.Time) error {
	ms := at.UnixMilli()
	return s.changeWindow(ctx, orgID, func(buckets []windowBucket) ([]windowBucket, bool) {
		for i := len(buckets) - 1; i >= 0; i-- {
			if b := &buckets[i]; b.Start <= ms && ms < b.End && b.Count > 0 {
				b.Count--
				return buckets, true
			}
		}
		return nil, false // its bucket has left the window: nothing to give back
	})
}

// changeWindow reads the organization's window and writes what change makes of its buckets,
// if it asks to write, on condition that nobody wrote the window meanwhile; when someone
// did, it reads and tries again.
func (s *SCIM) changeWindow(ctx context.Context, orgID string, change func([]windowBucket) ([]windowBucket, bool)) error {
	pk := orgPK(orgID)
	for attempt := 0; attempt < maxWindowAttempts; attempt++ {
		var it scimWindowItem
		err := s.t.get(ctx, pk, skSCIMWindow, &it)
		same := notExists()
		switch {
		case errors.Is(err, org.ErrNotFound):
		case err != nil:
			return fmt.Errorf("read the deactivation window: %w", err)
		default:
			// A window written before it had buckets has no rev, and is replaced whole.
			same = expression.AttributeNotExists(expression.Name("rev"))
			if it.Rev != 0 {
				same = expression.Name("rev").Equal(expression.Value(it.Rev))
			}
		}
		buckets, write := change(it.Buckets)
		if !write {
			return nil
		}
		next := scimWindowItem{key: key{PK: pk, SK: skSCIMWindow}, Type: typeSCIMWindow, Buckets: buckets, Rev: it.Rev + 1}
		if next.Buckets == nil {
			next.Buckets = []windowBucket{}
		}
		err = s.putOne(ctx, next, same)
		if !org.Refused(err, org.PartRecord) {
			return err
		}
	}
	return fmt.Errorf("count a deactivation: the window kept changing meanwhile: %w", org.ErrConflict)
}

// putOne is one conditional PutItem; a failed condition is a refused org.PartRecord.
func (s *SCIM) putOne(ctx context.Context, item any, cond expression.ConditionBuilder) error {
	av, err := marshal(item)
	if err != nil {
		return err
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build put: %w", err)
	}
	_, err = s.t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.t.name, Item: av, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return &org.ConflictError{Parts: []org.Part{org.PartRecord}}
	}
	if err != nil {
		return fmt.Errorf("write the deactivation window: %w", err)
	}
	return nil
}
