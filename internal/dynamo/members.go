package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// GetMember reads one member.
func (s *Store) GetMember(ctx context.Context, orgID, id string) (org.Member, error) {
	var it memberItem
	if err := s.get(ctx, orgPK(orgID), memberSK(id), &it); err != nil {
		return org.Member{}, err
	}
	return it.domain(), nil
}

// ListMembers lists members in the order they joined.
func (s *Store) ListMembers(ctx context.Context, orgID string, p org.PageRequest) (org.Page[org.Member], error) {
	items, next, err := s.queryPage(ctx, query{orgID: orgID, prefix: prefixMember, forward: true, page: p})
	if err != nil {
		return org.Page[org.Member]{}, err
	}
	return decodePage(items, next, memberItem.domain)
}

// adminCount is the Update of an organization's count of active admins by delta. Lowering
// it is conditional on another active admin remaining.
func (s *Store) adminCount(orgID string, delta int) (types.TransactWriteItem, error) {
	count := expression.Name("activeAdmins")
	// ADD creates the count when it is missing.
	upd := expression.Add(count, expression.Value(delta))
	cond := expression.AttributeExists(expression.Name(attrPK))
	if delta < 0 {
		cond = cond.And(count.GreaterThan(expression.Value(-delta)))
	}
	return s.update(orgPK(orgID), skOrg, upd, cond)
}

// UpdateMember writes after over before if before is still current. The email marker
// follows the member's status, and the count of active admins follows its role and status;
// a change that would leave no active admin fails with org.ErrLastAdmin.
func (s *Store) UpdateMember(ctx context.Context, before, after org.Member, audit org.AuditEntry) error {
	pk := orgPK(before.OrgID)
	upd := expression.Set(expression.Name("role"), expression.Value(string(after.Role))).
		Set(expression.Name("status"), expression.Value(string(after.Status))).
		Set(expression.Name("name"), expression.Value(after.Name)).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(after.UpdatedAt)))
	// Cleared values are stored empty rather than removed: REMOVE is not honoured by every
	// local DynamoDB, and an empty time reads as none.
	upd = upd.Set(expression.Name("deactivatedAt"), expression.Value(fmtTime(after.DeactivatedAt))).
		Set(expression.Name("deactivatedVia"), expression.Value(string(after.DeactivatedVia))).
		Set(expression.Name("email"), expression.Value(after.Email)).
		Set(expression.Name("externalId"), expression.Value(after.ExternalID))
	current := expression.Name("role").Equal(expression.Value(string(before.Role))).
		And(expression.Name("status").Equal(expression.Value(string(before.Status)))).
		And(expression.Name("email").Equal(expression.Value(before.Email)))
	memberUpdate, err := s.update(pk, memberSK(before.ID), upd, current)
	if err != nil {
		return err
	}
	actions := []types.TransactWriteItem{memberUpdate}
	countAt := -1
	switch {
	case before.IsActiveAdmin() && !after.IsActiveAdmin():
		dec, err := s.adminCount(before.OrgID, -1)
		if err != nil {
			return err
		}
		countAt, actions = len(actions), append(actions, dec)
	case !before.IsActiveAdmin() && after.IsActiveAdmin():
		inc, err := s.adminCount(before.OrgID, +1)
		if err != nil {
			return err
		}
		actions = append(actions, inc)
	}
	ours := expression.Name("holder").Equal(expression.Value(holderMember)).And(expression.Name("ref").Equal(expression.Value(before.ID)))
	takenAt, releaseAt := -1, -1
	switch {
	case before.Email != after.Email:
		// The member moves to a new address: release the old one, take the new one.
		release, err := s.del(pk, emailSK(before.Email), ours)
		if err != nil {
			return err
		}
		// The new address must be free, or held only by an invitation that has expired.
		free := expression.AttributeNotExists(expression.Name(attrPK)).
			Or(expression.Name("holder").Equal(expression.Value(holderInvitation)).
				And(expression.Name("expiresAt").LessThanEqual(expression.Value(fmtTime(after.UpdatedAt)))))
		take, err := s.put(memberEmailItem(after), &free)
		if err != nil {
			return err
		}
		releaseAt = len(actions)
		actions = append(actions, release)
		takenAt, actions = len(actions), append(actions, take)
	case before.Status != after.Status:
		marker, err := s.put(memberEmailItem(after), &ours)
		if err != nil {
			return err
		}
		actions = append(actions, marker)
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, append(actions, auditPut))
	switch {
	case failedAt(err, 0):
		return fmt.Errorf("member %s changed meanwhile: %w", before.ID, org.ErrConflict)
	case countAt >= 0 && failedAt(err, countAt):
		return org.ErrLastAdmin
	case takenAt >= 0 && failedAt(err, takenAt):
		return s.whyTaken(ctx, org.Invitation{OrgID: after.OrgID, Email: after.Email})
	case releaseAt >= 0 && failedAt(err, releaseAt):
		return fmt.Errorf("address marker of member %s changed meanwhile: %w", before.ID, org.ErrConflict)
	}
	return err
}
