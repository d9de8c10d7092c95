package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
)

// Deliveries is the mailer's view of the table: the outbox of queued emails and the
// delivery state of their invitations. It implements mailer.Store.
type Deliveries struct{ t *table }

var _ mailer.Store = (*Deliveries)(nil)

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

// DueEntries lists outbox entries due at now, most overdue first, from the sparse index.
func (s *Deliveries) DueEntries(ctx context.Context, now time.Time, limit int) ([]mailer.Entry, error) {
	items, err := s.t.due(ctx, outboxQueue, now, limit)
	if err != nil {
		return nil, err
	}
	out := make([]mailer.Entry, 0, len(items))
	for _, raw := range items {
		var it outboxItem
		if err := decodeItem(raw, &it); err != nil {
			return nil, err
		}
		out = append(out, it.domain())
	}
	return out, nil
}

// Claim leases an entry that is due and not held by a live lease, counting the attempt.
func (s *Deliveries) Claim(ctx context.Context, orgID, invitationID, leaseID string, now, leaseUntil time.Time) (mailer.Entry, bool, error) {
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
	res, err := s.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.t.name, Key: keyOf(orgPK(orgID), outboxSK(invitationID)),
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

// setDelivery adds to upd the setting of an invitation's delivery attributes to d.
func setDelivery(upd expression.UpdateBuilder, d org.Delivery) expression.UpdateBuilder {
	return upd.Set(expression.Name("deliveryState"), expression.Value(string(d.State))).
		Set(expression.Name("deliveryAttempts"), expression.Value(d.Attempts)).
		Set(expression.Name("deliveryMessageId"), expression.Value(d.MessageID)).
		Set(expression.Name("deliveryReason"), expression.Value(d.Reason)).
		Set(expression.Name("deliveryUpdatedAt"), expression.Value(fmtTime(d.UpdatedAt)))
}

// deliveryMay is the condition that the stored delivery state is one event may happen in,
// as the domain's state machine says (org.DeliveryEvent.From).
func deliveryMay(event org.DeliveryEvent) expression.ConditionBuilder {
	from := event.From()
	if len(from) == 0 {
		return expression.AttributeExists(expression.Name(attrPK))
	}
	cond := expression.Name("deliveryState").Equal(expression.Value(string(from[0])))
	for _, st := range from[1:] {
		cond = cond.Or(expression.Name("deliveryState").Equal(expression.Value(string(st))))
	}
	return cond
}

// updateOne is one conditional UpdateItem; a failed condition is org.ErrConflict. The mailer
// writes one item at a time: a transaction would cost twice the capacity, and the
// invitation's delivery state already makes its steps safe to repeat.
func (s *Deliveries) updateOne(ctx context.Context, pk, sk string, upd expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build update: %w", err)
	}
	_, err = s.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.t.name, Key: keyOf(pk, sk), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	return conditionalErr(pk, sk, err)
}

// conditionalErr names a failed write, mapping a failed condition to org.ErrConflict.
func conditionalErr(pk, sk string, err error) error {
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ccf):
		return fmt.Errorf("%s changed meanwhile: %w", keyText(pk, sk), org.ErrConflict)
	}
	return fmt.Errorf("write %s: %w", keyText(pk, sk), err)
}

// MarkSending stores the invitation's new link and sending state if it is still pending with
// the same expiry (not resent, revoked or accepted meanwhile) and its email may start.
func (s *Deliveries) MarkSending(ctx context.Context, inv org.Invitation) error {
	upd := setDelivery(expression.Set(expression.Name("tokenHash"), expression.Value(inv.TokenHash)), inv.Delivery)
	cond := statusIs(org.StatusPending).
		And(expression.Name("expiresAt").Equal(expression.Value(fmtTime(inv.ExpiresAt)))).
		And(deliveryMay(org.EventStart))
	return s.updateOne(ctx, orgPK(inv.OrgID), invitationSK(inv.ID), upd, cond)
}

// RecordDelivery stores inv.Delivery, which event produced, if the invitation still has the
// link the mailer minted and its delivery is in a state event may happen in.
func (s *Deliveries) RecordDelivery(ctx context.Context, inv org.Invitation, event org.DeliveryEvent) error {
	upd := setDelivery(expression.UpdateBuilder{}, inv.Delivery)
	link := expression.Name("tokenHash").Equal(expression.Value(inv.TokenHash))
	if inv.TokenHash == "" {
		// No link was minted yet (an email that expired before its first attempt): the
		// attribute is then absent.
		link = expression.AttributeNotExists(expression.Name("tokenHash")).Or(link)
	}
	cond := link.And(deliveryMay(event))
	return s.updateOne(ctx, orgPK(inv.OrgID), invitationSK(inv.ID), upd, cond)
}

// AddAudit writes an audit entry unless one with its id exists.
func (s *Deliveries) AddAudit(ctx context.Context, a org.AuditEntry) error {
	err := s.t.newTx().audit(a).commit(ctx)
	if org.Refused(err, org.PartAudit) {
		return nil // written already, with its event
	}
	if err != nil {
		return fmt.Errorf("write audit entry %s: %w", a.ID, err)
	}
	return nil
}

// Release lets the entry be claimed again at due, if the lease is still held.
func (s *Deliveries) Release(ctx context.Context, e mailer.Entry, due time.Time) error {
	return s.updateOne(ctx, orgPK(e.OrgID), outboxSK(e.InvitationID),
		expression.Set(expression.Name("due"), expression.Value(fmtTime(due))).
			Set(expression.Name("leaseId"), expression.Value("")).
			Set(expression.Name("leaseUntil"), expression.Value("")),
		leaseHeld(e))
}

// Drop removes an entry if the lease is still held.
func (s *Deliveries) Drop(ctx context.Context, e mailer.Entry) error {
	expr, err := expression.NewBuilder().WithCondition(leaseHeld(e)).Build()
	if err != nil {
		return fmt.Errorf("build condition: %w", err)
	}
	pk, sk := orgPK(e.OrgID), outboxSK(e.InvitationID)
	_, err = s.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.t.name, Key: keyOf(pk, sk), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	return conditionalErr(pk, sk, err)
}

// GetInvitation reads the invitation an entry is for.
func (s *Deliveries) GetInvitation(ctx context.Context, orgID, id string) (org.Invitation, error) {
	return (&Invitations{s.t}).GetInvitation(ctx, orgID, id)
}

// GetOrg reads the organization an email comes from.
func (s *Deliveries) GetOrg(ctx context.Context, orgID string) (org.Org, error) {
	return (&Orgs{s.t}).GetOrg(ctx, orgID)
}

// RecordFeedback stores inv.Delivery (a bounce or complaint, which event produced) with its
// audit entry, if the invitation's last email is still the one with messageID and its
// delivery is in a state event may happen in.
func (s *Deliveries) RecordFeedback(ctx context.Context, inv org.Invitation, event org.DeliveryEvent, messageID string, audit org.AuditEntry) error {
	same := expression.Name("deliveryMessageId").Equal(expression.Value(messageID)).And(deliveryMay(event))
	audit.Subject = inv
	return s.t.newTx().
		update(org.PartInvitation, orgPK(inv.OrgID), invitationSK(inv.ID), setDelivery(expression.UpdateBuilder{}, inv.Delivery), same).
		audit(audit).
		commit(ctx)
}

// OutboxEntryOf names the invitation whose email an item image (from the table's stream) is
// the outbox entry of, given the image's string attributes; ok is false for other items.
func OutboxEntryOf(strings map[string]string) (orgID, invitationID string, ok bool) {
	if strings["type"] != typeOutbox || strings["orgId"] == "" || strings["invitationId"] == "" {
		return "", "", false
	}
	return strings["orgId"], strings["invitationId"], true
}
