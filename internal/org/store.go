package org

import (
	"context"
	"time"
)

// Store keeps an organization's items. Every write is conditional and atomic: each method
// that changes state writes its audit entry in the same transaction, and returns the
// domain errors of this package (wrapped) when a condition fails.
type Store interface {
	Ping(ctx context.Context) error

	CreateOrg(ctx context.Context, o Org, admin *Member, audit AuditEntry) error
	GetOrg(ctx context.Context, orgID string) (Org, error)

	// CreateInvitations writes each invitation with its email marker and audit entry. The
	// result is index-aligned with invs: nil, an *ExistingError when the address is taken at
	// inv.CreatedAt, or another error. Invitations are independent: one failing never
	// stops another.
	CreateInvitations(ctx context.Context, invs []Invitation, audits []AuditEntry) []error
	GetInvitation(ctx context.Context, orgID, id string) (Invitation, error)
	ListInvitations(ctx context.Context, orgID string, q InvitationQuery) (Page[Invitation], error)
	// RevokeInvitation stores inv (now revoked) if it was still pending, releasing its address.
	RevokeInvitation(ctx context.Context, inv Invitation, audit AuditEntry) error
	// ResendInvitation stores inv (with a fresh expiry and token) if it was still pending and
	// its address can be held again at inv.UpdatedAt.
	ResendInvitation(ctx context.Context, inv Invitation, prevTokenHash string, audit AuditEntry) error
	// AcceptInvitation turns the pending invitation into member m, once.
	AcceptInvitation(ctx context.Context, inv Invitation, m Member, audit AuditEntry) error

	GetMember(ctx context.Context, orgID, id string) (Member, error)
	ListMembers(ctx context.Context, orgID string, p PageRequest) (Page[Member], error)
	// UpdateMember replaces before with after if before is still current, keeping the count of
	// active admins and refusing to take it to zero (ErrLastAdmin).
	UpdateMember(ctx context.Context, before, after Member, audit AuditEntry) error

	CreateToken(ctx context.Context, t APIToken, audit AuditEntry) error
	TokenByHash(ctx context.Context, hash string) (APIToken, error)
	ListTokens(ctx context.Context, orgID string) ([]APIToken, error)
	DeleteToken(ctx context.Context, t APIToken, audit AuditEntry) error
	GetToken(ctx context.Context, orgID, id string) (APIToken, error)

	ListAudit(ctx context.Context, orgID string, p PageRequest) (Page[AuditEntry], error)

	// EmailHolder says who holds an address: an *ExistingError (ErrAlreadyInvited or
	// ErrAlreadyMember) naming the holder, or ErrNotFound when it is free.
	EmailHolder(ctx context.Context, orgID, email string) (*ExistingError, error)

	// PutSlack stores in as the organization's Slack connection in place of prev (zero when
	// there was none), and maps in's team to the organization; ErrSlackTeamTaken when the
	// team is connected to another organization.
	PutSlack(ctx context.Context, prev, in SlackIntegration, audit AuditEntry) error
	GetSlack(ctx context.Context, orgID string) (SlackIntegration, error)
	// SlackByTeam finds the connection of a Slack team.
	SlackByTeam(ctx context.Context, teamID string) (SlackIntegration, error)
	DeleteSlack(ctx context.Context, in SlackIntegration, audit AuditEntry) error

	// Accounts reads every member and every invitation still marked pending.
	Accounts(ctx context.Context, orgID string) ([]Member, []Invitation, error)
	// RenameInvitation stores inv's new name if it is still pending.
	RenameInvitation(ctx context.Context, inv Invitation, audit AuditEntry) error
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// PageRequest asks for one page of a list: at most Limit items after the opaque Cursor.
type PageRequest struct {
	Limit  int
	Cursor string
}

// Page is one page of a list; Next is empty on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// InvitationQuery filters a list of invitations by status as seen at Now.
type InvitationQuery struct {
	PageRequest
	Status InvitationStatus // empty: every status
	Now    time.Time
}

// Normalize applies the default page size and checks the bounds.
func (p PageRequest) Normalize() (PageRequest, error) {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageSize
	case p.Limit < 1 || p.Limit > MaxPageSize:
		return p, Invalid("limit", "invalid_limit", "limit must be between 1 and 100")
	}
	return p, nil
}
