package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// GetInvitation reads one invitation.
func (s *Store) GetInvitation(ctx context.Context, orgID, id string) (org.Invitation, error) {
	var it invitationItem
	if err := s.get(ctx, orgPK(orgID), invitationSK(id), &it); err != nil {
		return org.Invitation{}, err
	}
	return it.domain(), nil
}

// statusIs is the condition that the stored status is pending.
func statusIs(status org.InvitationStatus) expression.ConditionBuilder {
	return expression.Name("status").Equal(expression.Value(string(status)))
}

// RevokeInvitation marks a pending invitation revoked and releases its address if it still
// holds it.
func (s *Store) RevokeInvitation(ctx context.Context, inv org.Invitation, audit org.AuditEntry) error {
	upd := expression.Set(expression.Name("status"), expression.Value(string(inv.Status))).
		Set(expression.Name("revokedAt"), expression.Value(fmtTime(inv.RevokedAt))).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt)))
	for attempt := 0; attempt < 3; attempt++ {
		var m emailItem
		err := s.get(ctx, orgPK(inv.OrgID), emailSK(inv.Email), &m)
		if err != nil && !errors.Is(err, org.ErrNotFound) {
			return err
		}
		invUpdate, err := s.update(orgPK(inv.OrgID), invitationSK(inv.ID), upd, statusIs(org.StatusPending))
		if err != nil {
			return err
		}
		actions := []types.TransactWriteItem{invUpdate}
		ours := expression.Name("holder").Equal(expression.Value(holderInvitation)).And(expression.Name("ref").Equal(expression.Value(inv.ID)))
		if m.Ref == inv.ID {
			release, err := s.del(orgPK(inv.OrgID), emailSK(inv.Email), ours)
			if err != nil {
				return err
			}
			actions = append(actions, release)
		}
		auditPut, err := s.auditPut(audit)
		if err != nil {
			return err
		}
		err = s.transact(ctx, append(actions, auditPut))
		switch {
		case err == nil:
			return nil
		case failedAt(err, 0):
			return errNotPending(inv)
		case !failedAt(err, 1):
			return err
		}
		// The marker changed between the read and the write: look again.
	}
	return fmt.Errorf("invitation %s: address marker keeps changing: %w", inv.ID, org.ErrConflict)
}

// errNotPending reports that an invitation's conditional write found it no longer pending
// (or its token replaced); the domain reads it again to say why.
func errNotPending(inv org.Invitation) error {
	return fmt.Errorf("invitation %s changed meanwhile: %w", inv.ID, org.ErrConflict)
}

// ResendInvitation stores the new expiry, token and delivery of a pending invitation and
// makes it hold its address again.
func (s *Store) ResendInvitation(ctx context.Context, inv org.Invitation, prevTokenHash string, audit org.AuditEntry) error {
	upd := expression.Set(expression.Name("expiresAt"), expression.Value(fmtTime(inv.ExpiresAt))).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt))).
		Set(expression.Name("deliveryState"), expression.Value(string(inv.Delivery.State))).
		Set(expression.Name("deliveryUpdatedAt"), expression.Value(fmtTime(inv.Delivery.UpdatedAt))).
		Set(expression.Name("deliveryMessageId"), expression.Value("")).
		Set(expression.Name("deliveryReason"), expression.Value("")).
		Set(expression.Name("deliveryAttempts"), expression.Value(0)).
		Set(expression.Name("tokenHash"), expression.Value(inv.TokenHash))
	// The old token must still be current, so two racing resends cannot both win.
	unchanged := expression.AttributeNotExists(expression.Name("tokenHash")).
		Or(expression.Name("tokenHash").Equal(expression.Value(prevTokenHash)))
	if prevTokenHash != "" {
		unchanged = expression.Name("tokenHash").Equal(expression.Value(prevTokenHash))
	}
	invUpdate, err := s.update(orgPK(inv.OrgID), invitationSK(inv.ID), upd, statusIs(org.StatusPending).And(unchanged))
	if err != nil {
		return err
	}
	markerPut, err := s.holdAddress(inv, expression.AttributeNotExists(expression.Name(attrPK)).Or(expression.Name("ref").Equal(expression.Value(inv.ID))))
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	actions := []types.TransactWriteItem{invUpdate, markerPut, auditPut}
	if inv.SendEmail {
		history, err := s.sendHistory(ctx, inv.OrgID, inv.Email)
		if err != nil {
			return err
		}
		sent, err := s.recordSend(inv, history, inv.UpdatedAt)
		if err != nil {
			return err
		}
		queue, err := s.queueEmail(inv)
		if err != nil {
			return err
		}
		actions = append(actions, sent, queue)
	}
	err = s.transact(ctx, actions)
	switch {
	case failedAt(err, 3):
		return fmt.Errorf("address %s was emailed meanwhile: %w", inv.Email, org.ErrConflict)
	case failedAt(err, 0):
		return errNotPending(inv)
	case failedAt(err, 1):
		return s.whyTaken(ctx, inv)
	}
	return err
}

// AcceptInvitation turns a pending, unexpired invitation into member m: the invitation is
// marked accepted, the member written, the address handed from invitation to member, and the
// count of active admins raised for an admin.
func (s *Store) AcceptInvitation(ctx context.Context, inv org.Invitation, m org.Member, audit org.AuditEntry) error {
	pk := orgPK(inv.OrgID)
	upd := expression.Set(expression.Name("status"), expression.Value(string(inv.Status))).
		Set(expression.Name("acceptedAt"), expression.Value(fmtTime(inv.AcceptedAt))).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt))).
		Set(expression.Name("memberId"), expression.Value(inv.MemberID))
	cond := statusIs(org.StatusPending).
		And(expression.Name("tokenHash").Equal(expression.Value(inv.TokenHash))).
		And(expression.Name("expiresAt").GreaterThan(expression.Value(fmtTime(inv.AcceptedAt))))
	invUpdate, err := s.update(pk, invitationSK(inv.ID), upd, cond)
	if err != nil {
		return err
	}
	memberPut, err := s.putNew(toMemberItem(m))
	if err != nil {
		return err
	}
	held := expression.Name("holder").Equal(expression.Value(holderInvitation)).And(expression.Name("ref").Equal(expression.Value(inv.ID)))
	markerPut, err := s.put(memberEmailItem(m), &held)
	if err != nil {
		return err
	}
	actions := []types.TransactWriteItem{invUpdate, memberPut, markerPut}
	if m.IsActiveAdmin() {
		inc, err := s.adminCount(inv.OrgID, +1)
		if err != nil {
			return err
		}
		actions = append(actions, inc)
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, append(actions, auditPut))
	switch {
	case failedAt(err, 0):
		return errNotPending(inv)
	case failedAt(err, 2):
		return fmt.Errorf("address %s held elsewhere: %w", inv.Email, org.ErrConflict)
	}
	return err
}

// ListInvitations lists invitations newest first, filtered by status as seen at q.Now.
func (s *Store) ListInvitations(ctx context.Context, orgID string, q org.InvitationQuery) (org.Page[org.Invitation], error) {
	now := expression.Value(fmtTime(q.Now))
	var filter *expression.ConditionBuilder
	switch q.Status {
	case "":
	case org.StatusPending:
		f := statusIs(org.StatusPending).And(expression.Name("expiresAt").GreaterThan(now))
		filter = &f
	case org.StatusExpired:
		f := statusIs(org.StatusPending).And(expression.Name("expiresAt").LessThanEqual(now))
		filter = &f
	default:
		f := statusIs(q.Status)
		filter = &f
	}
	items, next, err := s.queryPage(ctx, query{orgID: orgID, prefix: prefixInvitation, filter: filter, page: q.PageRequest})
	if err != nil {
		return org.Page[org.Invitation]{}, err
	}
	return decodePage(items, next, invitationItem.domain)
}
