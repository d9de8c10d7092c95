package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gatehouse/internal/org"
)

// The backfills are one-off upkeep an operator runs after upgrading a deployment (gatehouse
// upkeep): each scans the whole table once for the invitations an older release stored
// without what this release writes, and mends them where they still are as read.

// BackfillExpiries puts in the expiry index every pending invitation not yet in it whose
// expiry is after now: those stored by a release before invitations' expiries were
// announced. Those that expired already are left alone (announcing them now, perhaps weeks
// late, would mislead). It reads the whole table, so it is for an operator to run once
// (gatehouse upkeep expiries), and it is safe to run again or alongside the API: each write
// is conditioned on the invitation still being pending with the same expiry and not indexed.
func (s *Invitations) BackfillExpiries(ctx context.Context, now time.Time) (int, error) {
	filter := expression.Name("type").Equal(expression.Value(typeInvitation)).
		And(statusIs(org.StatusPending)).
		And(expression.AttributeNotExists(expression.Name("due"))).
		And(expression.Name("expiresAt").GreaterThan(expression.Value(fmtTime(now))))
	return s.backfill(ctx, filter, "index", func(it invitationItem) (expression.UpdateBuilder, expression.ConditionBuilder) {
		upd := expression.Set(expression.Name("queue"), expression.Value(expiryQueue(it.ID))).
			Set(expression.Name("due"), expression.Value(it.ExpiresAt))
		cond := statusIs(org.StatusPending).
			And(expression.Name("expiresAt").Equal(expression.Value(it.ExpiresAt))).
			And(expression.AttributeNotExists(expression.Name("due")))
		return upd, cond // accepted, revoked, resent or indexed since the scan read it: left alone
	})
}

// BackfillSearchNames gives every invitation stored without a searchName (by a release
// before names were searched in any case) its name in org.Fold's form, so that a search finds
// it by name like everyone else. It reads the whole table, so it is for an operator to run
// once (gatehouse upkeep search-names), and it is safe to run again or alongside the API: each
// write is conditioned on the invitation still having the name read and no searchName.
func (s *Invitations) BackfillSearchNames(ctx context.Context) (int, error) {
	filter := expression.Name("type").Equal(expression.Value(typeInvitation)).
		And(expression.AttributeNotExists(expression.Name("searchName")))
	return s.backfill(ctx, filter, "fold the name of", func(it invitationItem) (expression.UpdateBuilder, expression.ConditionBuilder) {
		same := expression.Name("name").Equal(expression.Value(it.Name))
		if it.Name == "" {
			same = expression.AttributeNotExists(expression.Name("name")).Or(same)
		}
		// Renamed meanwhile, it has one; deleted, it must not be made again as a stub.
		return expression.Set(expression.Name("searchName"), expression.Value(org.Fold(it.Name))),
			same.And(expression.AttributeNotExists(expression.Name("searchName"))).
				And(expression.Name("type").Equal(expression.Value(typeInvitation)))
	})
}

// backfill scans the whole table for the invitations filter matches and updates each as
// change says, under its condition; an invitation whose condition fails changed since the
// scan read it and is left alone. It returns how many it updated; what names the update in
// an error ("index invitation inv_…").
func (s *Invitations) backfill(ctx context.Context, filter expression.ConditionBuilder, what string,
	change func(invitationItem) (expression.UpdateBuilder, expression.ConditionBuilder)) (int, error) {
	expr, err := expression.NewBuilder().WithFilter(filter).Build()
	if err != nil {
		return 0, fmt.Errorf("build scan: %w", err)
	}
	in := &dynamodb.ScanInput{TableName: &s.t.name, FilterExpression: expr.Filter(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}
	n := 0
	for {
		out, err := s.t.db.Scan(ctx, in)
		if err != nil {
			return n, fmt.Errorf("scan for invitations: %w", err)
		}
		for _, raw := range out.Items {
			var it invitationItem
			if err := decodeItem(raw, &it); err != nil {
				return n, err
			}
			upd, cond := change(it)
			switch err := s.t.newTx().update(org.PartInvitation, it.PK, it.SK, upd, cond).commit(ctx); {
			case err == nil:
				n++
			case refused(err, org.PartInvitation):
			default:
				return n, fmt.Errorf("%s invitation %s: %w", what, it.ID, err)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
