package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// Members keeps members. It implements org.MemberStore.
type Members struct{ t *table }

var _ org.MemberStore = (*Members)(nil)

// GetMember reads one member.
func (s *Members) GetMember(ctx context.Context, orgID, id string) (org.Member, error) {
	var it memberItem
	if err := s.t.get(ctx, orgPK(orgID), memberSK(id), &it); err != nil {
		return org.Member{}, err
	}
	return it.domain(), nil
}

// ListMembers lists members in the order they joined.
func (s *Members) ListMembers(ctx context.Context, orgID string, p org.PageRequest) (org.Page[org.Member], error) {
	items, next, err := s.t.queryPage(ctx, query{orgID: orgID, prefix: prefixMember, forward: true, page: p})
	if err != nil {
		return org.Page[org.Member]{}, err
	}
	return decodePage(items, next, memberItem.domain)
}

// countAdmins adds to x the Update of an organization's count of active admins by delta.
// Lowering it is conditional on another active admin remaining.
func countAdmins(x *tx, orgID string, delta int) {
	count := expression.Name("activeAdmins")
	// ADD creates the count when it is missing.
	upd := expression.Add(count, expression.Value(delta))
	cond := expression.AttributeExists(expression.Name(attrPK))
	if delta < 0 {
		cond = cond.And(count.GreaterThan(expression.Value(-delta)))
	}
	x.update(org.PartAdmins, orgPK(orgID), skOrg, upd, cond)
}

// UpdateMember writes after over before if before is still current. The email marker
// follows the member's status and address, and the count of active admins follows its role
// and status.
func (s *Members) UpdateMember(ctx context.Context, before, after org.Member, audit org.AuditEntry) error {
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
	x := s.t.newTx().update(org.PartMember, pk, memberSK(before.ID), upd, current)
	switch {
	case before.IsActiveAdmin() && !after.IsActiveAdmin():
		countAdmins(x, before.OrgID, -1)
	case !before.IsActiveAdmin() && after.IsActiveAdmin():
		countAdmins(x, before.OrgID, +1)
	}
	ours := heldBy(holderMember, before.ID)
	switch {
	case before.Email != after.Email:
		// The member moves to a new address: let the old one go, take the new one, which
		// must be free or held only by an invitation that has expired.
		x.del(org.PartOldAddress, pk, emailSK(before.Email), ours)
		free := notExists().Or(heldByExpiredInvitation(after.UpdatedAt))
		x.put(org.PartAddress, memberEmailItem(after), &free)
	case before.Status != after.Status:
		x.put(org.PartRecord, memberEmailItem(after), &ours)
	}
	audit.Subject = after
	return x.audit(audit).commit(ctx)
}

// Accounts reads every member and every pending invitation of an organization, a full page
// (1 MB) per request: what directory sync plans against.
func (s *Members) Accounts(ctx context.Context, orgID string) ([]org.Member, []org.Invitation, error) {
	var members []org.Member
	err := s.t.queryAll(ctx, orgID, prefixMember, nil, func(item map[string]types.AttributeValue) error {
		var it memberItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		members = append(members, it.domain())
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	pending := statusIs(org.StatusPending)
	var invs []org.Invitation
	err = s.t.queryAll(ctx, orgID, prefixInvitation, &pending, func(item map[string]types.AttributeValue) error {
		var it invitationItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		invs = append(invs, it.domain())
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return members, invs, nil
}
