package org

import (
	"context"
	"fmt"
)

// The audit actions of changes directory sync makes beyond inviting, deactivating and
// reactivating.
const (
	ActionMemberUpdated     = "member.updated"
	ActionInvitationRenamed = "invitation.renamed"
	ActionInvitationRole    = "invitation.role_changed"
)

// SyncActor is who directory sync's changes are recorded as.
var SyncActor = Actor{Type: "sync", ID: "directory-sync", Name: "Directory sync"}

// SyncPrincipal is the principal directory sync acts as in an organization: it may do what an
// admin may, and the store and the sync planner keep it to the members and invitations it
// created.
func SyncPrincipal(orgID string) Principal {
	return Principal{OrgID: orgID, Role: RoleAdmin, Actor: SyncActor, Source: SourceSync}
}

// Accounts returns every member and every live (pending, unexpired) invitation of the
// caller's organization: what directory sync plans against.
func (s *Service) Accounts(ctx context.Context, p Principal) ([]Member, []Invitation, error) {
	if err := p.Require(RoleAdmin, "reading the accounts directory sync manages"); err != nil {
		return nil, nil, err
	}
	members, invs, err := s.members.Accounts(ctx, p.OrgID)
	if err != nil {
		return nil, nil, fmt.Errorf("read accounts of %s: %w", p.OrgID, err)
	}
	now := s.nowUTC()
	live := invs[:0]
	for _, inv := range invs {
		if inv.StatusAt(now) == StatusPending {
			live = append(live, inv)
		}
	}
	return members, live, nil
}

// Profile is what the identity provider says of a person.
type Profile struct {
	Name, Email, ExternalID string
}

// UpdateProfile changes a member's name, address and identity-provider id to what the
// identity provider now has. The new address must be free in the organization.
func (s *Service) UpdateProfile(ctx context.Context, p Principal, id string, u Profile) (Member, error) {
	rawName, rawEmail := u.Name, u.Email
	var verr ValidationError
	name, err := NormalizeName("name", rawName)
	verr.Merge(err)
	email, err := NormalizeEmail("email", rawEmail)
	verr.Merge(err)
	if err := verr.Err(); err != nil {
		return Member{}, err
	}
	o, err := s.orgs.GetOrg(ctx, p.OrgID)
	if err != nil {
		return Member{}, fmt.Errorf("update profile: %w", err)
	}
	return s.updateMember(ctx, p, id, ActionMemberUpdated, func(m *Member) error {
		if email != m.Email {
			if err := checkDomain(o, email); err != nil {
				return err
			}
		}
		m.Name, m.Email, m.ExternalID = name, email, u.ExternalID
		return nil
	})
}

// SetInvitationRole changes the role a pending invitation will join with, as the identity
// provider's groups now say.
func (s *Service) SetInvitationRole(ctx context.Context, p Principal, id string, role Role) (Invitation, error) {
	if err := p.Require(RoleAdmin, "changing an invitation's role"); err != nil {
		return Invitation{}, err
	}
	if !role.Valid() {
		return Invitation{}, Invalid("role", "invalid_role", "role must be one of admin, member, viewer")
	}
	inv, err := s.invitations.GetInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Invitation{}, fmt.Errorf("set invitation role: %w", err)
	}
	now := s.nowUTC()
	if inv.StatusAt(now) != StatusPending {
		return Invitation{}, fmt.Errorf("set role of invitation %s: %w", id, ErrConflict)
	}
	if inv.Role == role {
		return inv, nil
	}
	from := inv.Role
	inv.Role, inv.UpdatedAt = role, now
	a := s.audit(p, now, ActionInvitationRole, "invitation", id, map[string]string{"email": inv.Email, "from": string(from), "to": string(role)})
	if err := s.invitations.RenameInvitation(ctx, inv, a); err != nil {
		return Invitation{}, fmt.Errorf("set role of invitation %s: %w", id, err)
	}
	return inv, nil
}
