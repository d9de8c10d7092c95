package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
)

var _ mailer.Store = (*Store)(nil)

// outboxItem is an invitation email waiting to be sent. Writing it in the same transaction
// as the invitation is what guarantees every emailed invitation is attempted.
type outboxItem struct {
	key
	Type         string `dynamodbav:"type"`
	OrgID        string `dynamodbav:"orgId"`
	InvitationID string `dynamodbav:"invitationId"`
	Queue        string `dynamodbav:"queue"` // index partition
	Due          string `dynamodbav:"due"`   // index sort key
	Attempts     int    `dynamodbav:"attempts"`
	QueuedAt     string `dynamodbav:"queuedAt"`
	LeaseID      string `dynamodbav:"leaseId"`    // empty when free
	LeaseUntil   string `dynamodbav:"leaseUntil"` // empty when free
}

func (it outboxItem) domain() mailer.Entry {
	return mailer.Entry{
		OrgID: it.OrgID, InvitationID: it.InvitationID, Due: parseTime(it.Due),
		Attempts: it.Attempts, QueuedAt: parseTime(it.QueuedAt), LeaseID: it.LeaseID,
	}
}

// queueEmail is the Put that (re)queues inv's email, due at once. It replaces any earlier
// entry of the invitation, so a mailer still holding that one loses its lease.
func (s *Store) queueEmail(inv org.Invitation) (types.TransactWriteItem, error) {
	now := fmtTime(inv.UpdatedAt)
	return s.put(outboxItem{
		key:  key{PK: orgPK(inv.OrgID), SK: outboxSK(inv.ID)},
		Type: typeOutbox, OrgID: inv.OrgID, InvitationID: inv.ID,
		Queue: outboxQueue, Due: now, QueuedAt: now,
	}, nil)
}

// DueEntries lists outbox entries due at now, most overdue first, from the sparse index.
func (s *Store) DueEntries(ctx context.Context, now time.Time, limit int) ([]mailer.Entry, error) {
	cond := expression.Key("queue").Equal(expression.Value(outboxQueue)).
		And(expression.Key("due").LessThanEqual(expression.Value(fmtTime(now))))
	expr, err := expression.NewBuilder().WithKeyCondition(cond).Build()
	if err != nil {
		return nil, fmt.Errorf("build query: %w", err)
	}
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(outboxIndex),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), Limit: aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("query outbox: %w", err)
	}
	out := make([]mailer.Entry, 0, len(res.Items))
	for _, raw := range res.Items {
		var it outboxItem
		if err := decodeItem(raw, &it); err != nil {
			return nil, err
		}
		out = append(out, it.domain())
	}
	return out, nil
}

// Claim leases an entry that is due and not held by a live lease, counting the attempt.
func (s *Store) Claim(ctx context.Context, orgID, invitationID, leaseID string, now, leaseUntil time.Time) (mailer.Entry, bool, error) {
	t := expression.Value(fmtTime(now))
	cond := expression.AttributeExists(expression.Name(attrPK)).
		And(expression.Name("due").LessThanEqual(t)).
		And(expression.Name("leaseUntil").Equal(expression.Value("")).Or(expression.Name("leaseUntil").LessThanEqual(t)))
	upd := expression.Set(expression.Name("leaseId"), expression.Value(leaseID)).
		Set(expression.Name("leaseUntil"), expression.Value(fmtTime(leaseUntil))).
		Add(expression.Name("attempts"), expression.Value(1))
	expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
	if err != nil {
		return mailer.Entry{}, false, fmt.Errorf("build claim: %w", err)
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: keyOf(orgPK(orgID), outboxSK(invitationID)),
		ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValues: types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return mailer.Entry{}, false, nil
	}
	if err != nil {
		return mailer.Entry{}, false, fmt.Errorf("claim outbox entry %s: %w", invitationID, err)
	}
	var it outboxItem
	if err := decodeItem(res.Attributes, &it); err != nil {
		return mailer.Entry{}, false, err
	}
	return it.domain(), true, nil
}

// leaseHeld is the condition that e's lease is still the entry's.
func leaseHeld(e mailer.Entry) expression.ConditionBuilder {
	return expression.Name("leaseId").Equal(expression.Value(e.LeaseID))
}

// deliveryUpdate sets an invitation's delivery attributes from inv.
func deliveryUpdate(inv org.Invitation) expression.UpdateBuilder {
	d := inv.Delivery
	return expression.Set(expression.Name("deliveryState"), expression.Value(string(d.State))).
		Set(expression.Name("deliveryAttempts"), expression.Value(d.Attempts)).
		Set(expression.Name("deliveryMessageId"), expression.Value(d.MessageID)).
		Set(expression.Name("deliveryReason"), expression.Value(d.Reason)).
		Set(expression.Name("deliveryUpdatedAt"), expression.Value(fmtTime(d.UpdatedAt)))
}

// leaseLost is the error of a delivery write refused because the entry moved on.
func leaseLost(e mailer.Entry, err error) error {
	if f := (*transactionFailure)(nil); errors.As(err, &f) && len(f.failed) > 0 {
		return fmt.Errorf("outbox entry %s was taken over: %w", e.InvitationID, org.ErrConflict)
	}
	return err
}

// MarkSending stores the invitation's new link and sending state while the lease is held and
// the invitation is still pending with the same expiry (not resent, revoked or accepted).
func (s *Store) MarkSending(ctx context.Context, e mailer.Entry, inv org.Invitation) error {
	upd := deliveryUpdate(inv).Set(expression.Name("tokenHash"), expression.Value(inv.TokenHash))
	cond := statusIs(org.StatusPending).And(expression.Name("expiresAt").Equal(expression.Value(fmtTime(inv.ExpiresAt))))
	invUpdate, err := s.update(orgPK(inv.OrgID), invitationSK(inv.ID), upd, cond)
	if err != nil {
		return err
	}
	check, err := s.conditionCheck(orgPK(e.OrgID), outboxSK(e.InvitationID), leaseHeld(e))
	if err != nil {
		return err
	}
	return leaseLost(e, s.transact(ctx, []types.TransactWriteItem{invUpdate, check}))
}

// finish records a final delivery state and removes the entry, while the lease is held and
// the link the mailer minted is still the invitation's.
func (s *Store) finish(ctx context.Context, e mailer.Entry, inv org.Invitation, audit org.AuditEntry) error {
	invUpdate, err := s.update(orgPK(inv.OrgID), invitationSK(inv.ID), deliveryUpdate(inv),
		expression.Name("tokenHash").Equal(expression.Value(inv.TokenHash)))
	if err != nil {
		return err
	}
	release, err := s.del(orgPK(e.OrgID), outboxSK(e.InvitationID), leaseHeld(e))
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	return leaseLost(e, s.transact(ctx, []types.TransactWriteItem{invUpdate, release, auditPut}))
}

// Sent records a sent email (its message id is in inv.Delivery) and removes the entry.
func (s *Store) Sent(ctx context.Context, e mailer.Entry, inv org.Invitation, audit org.AuditEntry) error {
	return s.finish(ctx, e, inv, audit)
}

// Failed records an email that will not be sent and removes the entry.
func (s *Store) Failed(ctx context.Context, e mailer.Entry, inv org.Invitation, audit org.AuditEntry) error {
	return s.finish(ctx, e, inv, audit)
}

// Retry releases the entry until due and records the failure on the invitation.
func (s *Store) Retry(ctx context.Context, e mailer.Entry, inv org.Invitation, due time.Time) error {
	entryUpdate, err := s.update(orgPK(e.OrgID), outboxSK(e.InvitationID),
		expression.Set(expression.Name("due"), expression.Value(fmtTime(due))).
			Set(expression.Name("leaseId"), expression.Value("")).
			Set(expression.Name("leaseUntil"), expression.Value("")),
		leaseHeld(e))
	if err != nil {
		return err
	}
	invUpdate, err := s.update(orgPK(inv.OrgID), invitationSK(inv.ID), deliveryUpdate(inv),
		expression.Name("tokenHash").Equal(expression.Value(inv.TokenHash)))
	if err != nil {
		return err
	}
	return leaseLost(e, s.transact(ctx, []types.TransactWriteItem{entryUpdate, invUpdate}))
}

// Drop removes an entry with nothing left to send.
func (s *Store) Drop(ctx context.Context, e mailer.Entry) error {
	release, err := s.del(orgPK(e.OrgID), outboxSK(e.InvitationID), leaseHeld(e))
	if err != nil {
		return err
	}
	return leaseLost(e, s.transact(ctx, []types.TransactWriteItem{release}))
}
