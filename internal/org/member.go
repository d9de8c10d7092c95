package org

import (
	"context"
	"fmt"
	"time"
)

// MemberStatus says whether a member may use the portal.
type MemberStatus string

// The member statuses.
const (
	MemberActive      MemberStatus = "active"
	MemberDeactivated MemberStatus = "deactivated"
)

// Member is a person who belongs to an organization.
type Member struct {
	ID            string
	OrgID         string
	Email         string
	Name          string
	Role          Role
	Status        MemberStatus
	Source        Source
	InvitationID  string
	JoinedAt      time.Time
	UpdatedAt     time.Time
	DeactivatedAt time.Time
	// DeactivatedVia is the door the deactivation came through; sync reactivates only the
	// members it deactivated itself.
	DeactivatedVia Source
	// ExternalID is the identity provider's id of the person, for members who came by sync.
	ExternalID string
}

// IsActiveAdmin reports whether m counts towards the organization's active admins, of which
// there must always be at least one once an organization has any.
func (m Member) IsActiveAdmin() bool {
	return m.Status == MemberActive && m.Role == RoleAdmin
}

// Member returns one of the caller's organization's members.
func (s *Service) Member(ctx context.Context, p Principal, id string) (Member, error) {
	if err := p.Require(RoleViewer, "reading members"); err != nil {
		return Member{}, err
	}
	m, err := s.members.GetMember(ctx, p.OrgID, id)
	if err != nil {
		return Member{}, fmt.Errorf("read member: %w", err)
	}
	return m, nil
}

// Members lists the caller's organization's members, oldest first.
func (s *Service) Members(ctx context.Context, p Principal, pr PageRequest) (Page[Member], error) {
	if err := p.Require(RoleViewer, "listing members"); err != nil {
		return Page[Member]{}, err
	}
	pr, err := pr.Normalize()
	if err != nil {
		return Page[Member]{}, err
	}
	return s.members.ListMembers(ctx, p.OrgID, pr)
}

// ChangeRole gives a member another role. The last active admin keeps theirs.
func (s *Service) ChangeRole(ctx context.Context, p Principal, id, rawRole string) (Member, error) {
	role, err := ParseRole("role", rawRole, "")
	if err != nil {
		return Member{}, err
	}
	if role == "" {
		return Member{}, Invalid("role", "required", "role is required")
	}
	return s.updateMember(ctx, p, id, ActionRoleChanged, func(m *Member) error {
		m.Role = role
		return nil
	})
}

// Deactivate stops a member from using the portal; the last active admin stays.
func (s *Service) Deactivate(ctx context.Context, p Principal, id string) (Member, error) {
	return s.updateMember(ctx, p, id, ActionDeactivated, func(m *Member) error {
		if m.Status != MemberActive {
			return ErrMemberInactive
		}
		m.Status, m.DeactivatedAt, m.DeactivatedVia = MemberDeactivated, s.nowUTC(), p.Source
		return nil
	})
}

// Reactivate lets a deactivated member back in, with the role they had.
func (s *Service) Reactivate(ctx context.Context, p Principal, id string) (Member, error) {
	return s.updateMember(ctx, p, id, ActionReactivated, func(m *Member) error {
		if m.Status == MemberActive {
			return ErrMemberActive
		}
		m.Status, m.DeactivatedAt, m.DeactivatedVia = MemberActive, time.Time{}, ""
		return nil
	})
}

// updateMember applies change to a member as one conditional write, audited as action.
func (s *Service) updateMember(ctx context.Context, p Principal, id, action string, change func(*Member) error) (Member, error) {
	if err := p.Require(RoleAdmin, "managing members"); err != nil {
		return Member{}, err
	}
	before, err := s.members.GetMember(ctx, p.OrgID, id)
	if err != nil {
		return Member{}, fmt.Errorf("%s: %w", action, err)
	}
	after := before
	if err := change(&after); err != nil {
		return Member{}, err
	}
	now := s.nowUTC()
	after.UpdatedAt = now
	details := map[string]string{"email": after.Email}
	if before.Role != after.Role {
		details["from"], details["to"] = string(before.Role), string(after.Role)
	}
	if before.Email != after.Email {
		details["fromEmail"] = before.Email
	}
	if before.Name != after.Name {
		details["fromName"], details["name"] = before.Name, after.Name
	}
	a := s.audit(p, now, action, "member", id, details)
	if err := s.members.UpdateMember(ctx, before, after, a); err != nil {
		return Member{}, fmt.Errorf("%s %s: %w", action, id, s.explainMember(ctx, after, err))
	}
	return after, nil
}

// MaxNotified bounds how many admins a notice about an organization is sent to.
const MaxNotified = 20

// AdminAddresses is the addresses of orgID's active admins (at most MaxNotified), whom
// Gatehouse tells about what needs an admin, such as a webhook endpoint it disabled.
func (s *Service) AdminAddresses(ctx context.Context, orgID string) ([]string, error) {
	var out []string
	pr := PageRequest{Limit: MaxPageSize}
	for {
		page, err := s.members.ListMembers(ctx, orgID, pr)
		if err != nil {
			return nil, fmt.Errorf("list the admins of %s: %w", orgID, err)
		}
		for _, m := range page.Items {
			if m.IsActiveAdmin() {
				out = append(out, m.Email)
				if len(out) == MaxNotified {
					return out, nil
				}
			}
		}
		if page.Next == "" {
			return out, nil
		}
		pr.Cursor = page.Next
	}
}
