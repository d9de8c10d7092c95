package org

import "fmt"

// Role is what a member or an API token may do in an organization.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleMember || r == RoleViewer
}

// Source says through which door a change came in.
type Source string

// The sources recorded on invitations and audit entries.
const (
	SourceAPI   Source = "api"
	SourceWeb   Source = "web"
	SourceSlack Source = "slack"
	SourceSync  Source = "sync"
	SourceCLI   Source = "cli"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	switch s {
	case SourceAPI, SourceWeb, SourceSlack, SourceSync, SourceCLI:
		return true
	}
	return false
}

// Actor is who did something: an API token, a Slack user, the sync job, an operator, or an
// invited person accepting.
type Actor struct {
	Type string `json:"type"` // "token", "slack_user", "sync", "cli", "invitee"
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Principal is an authenticated caller acting inside one organization.
type Principal struct {
	OrgID  string
	Role   Role
	Actor  Actor
	Source Source
}

// canRead reports whether p may read the organization's data. Every role may.
func (p Principal) canRead() bool { return p.Role.Valid() }

// canInvite reports whether p may invite someone with the given role: admins any role,
// members only members and viewers, viewers nobody.
func (p Principal) canInvite(r Role) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleMember:
		return r == RoleMember || r == RoleViewer
	}
	return false
}

// mayInvite checks that p may create the invitation in: invite with its role, and, for an
// invitation without email, receive its link (admins only, since the link is the credential).
func (p Principal) mayInvite(in invite) error {
	if !p.canInvite(in.role) {
		return fmt.Errorf("invite as %s: %w", in.role, ErrForbidden)
	}
	if !in.sendEmail && !p.isAdmin() {
		return fmt.Errorf("invite without email (only admins are shown the link): %w", ErrForbidden)
	}
	return nil
}

// isAdmin reports whether p may manage members, tokens and revocations.
func (p Principal) isAdmin() bool { return p.Role == RoleAdmin }
