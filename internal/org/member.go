package org

import "time"

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

// Org is an organization: the boundary of every other item.
type Org struct {
	ID        string
	Name      string
	CreatedAt time.Time
}
