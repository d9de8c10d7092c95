package org

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

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

// rank orders roles by power: admin above member above viewer.
func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleMember:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// RoleMapping gives the people of an identity-provider group a role.
type RoleMapping struct {
	Group string // the group's name (SCIM displayName) or id (directory sync), as configured
	Role  Role
}

// RoleFromGroups is the one rule for a person's role from their identity-provider groups,
// shared by directory sync and SCIM: the most powerful role any of their groups maps to
// (admin > member > viewer), or def when none of their groups is mapped. Group names compare
// without regard to case.
func RoleFromGroups(groups []string, mappings []RoleMapping, def Role) Role {
	best := Role("")
	for _, m := range mappings {
		for _, g := range groups {
			if strings.EqualFold(g, m.Group) && m.Role.rank() > best.rank() {
				best = m.Role
			}
		}
	}
	if best == "" {
		return def
	}
	return best
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
	// SourceSCIM is an identity provider pushing people through SCIM.
	SourceSCIM Source = "scim"
	// SourceMailer is the mailer recording what became of an invitation's email.
	SourceMailer Source = "mailer"
	// SourceSystem is Gatehouse itself otherwise: the expiry of invitations, webhooks.
	SourceSystem Source = "system"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	switch s {
	case SourceAPI, SourceWeb, SourceSlack, SourceSync, SourceCLI, SourceSCIM, SourceMailer, SourceSystem:
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
	// Via names the call within Source that acts, where operators count it apart from the
	// source's others (ViaLegacy); empty for most. Only metrics read it.
	Via string
	// Announce is what the change also announces, besides its own event (AuditEntry.Also):
	// SCIM provisioning marks the changes that provision or deprovision a person.
	Announce string
	// OwnerID is the member an API token acts for, if it does.
	OwnerID string
	// ExpiresAt is when the API token expires; zero for never.
	ExpiresAt time.Time
	// unproven is set when the token is yet to be read (AuthenticateToInvite).
	unproven *unproven
}

// Lasting reports whether p may set up what outlives it (a SCIM token, a Slack workspace, a
// token without expiry): an admin whose token neither expires nor acts for a member.
func (p Principal) Lasting() bool { return p.isAdmin() && p.OwnerID == "" && p.ExpiresAt.IsZero() }

// ErrLimitedToken refuses setting up with a token that expires or acts for a member
// something that would outlive it.
var ErrLimitedToken = errors.New("a token that expires or acts for a member cannot set this up")

// RoleError refuses an action the caller's role does not allow, naming the least role that
// may. It wraps ErrForbidden.
type RoleError struct {
	Action string // what was refused, such as "revoking invitations"
	Need   Role   // the least role that may do it
	Have   Role   // the caller's role
}

func (e *RoleError) Error() string {
	return fmt.Sprintf("%s needs the %s role; the caller's role is %s", e.Action, e.Need, e.Have)
}

// Unwrap lets errors.Is see ErrForbidden.
func (e *RoleError) Unwrap() error { return ErrForbidden }

// Require refuses p action, with a *RoleError, unless its role is need or above. Reading
// needs RoleViewer, which every valid role has.
func (p Principal) Require(need Role, action string) error {
	if p.unproven != nil {
		// Only Invite and Verify read its token (AuthenticateToInvite); nothing else may
		// take it, and it has no role until then.
		return fmt.Errorf("%s with a token not yet read: %w", action, ErrUnauthenticated)
	}
	if p.Role.rank() >= need.rank() {
		return nil
	}
	return &RoleError{Action: action, Need: need, Have: p.Role}
}

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
		need := RoleMember
		if in.role == RoleAdmin {
			need = RoleAdmin
		}
		return &RoleError{Action: "inviting with the role " + string(in.role), Need: need, Have: p.Role}
	}
	if !in.sendEmail {
		// Only admins are shown the link, which is the credential.
		return p.Require(RoleAdmin, "inviting without email")
	}
	return nil
}

// isAdmin reports whether p may manage members, tokens and revocations.
func (p Principal) isAdmin() bool { return p.Role == RoleAdmin }
