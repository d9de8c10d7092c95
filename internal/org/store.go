package org

import (
	"context"
	"time"
)

// Stores are what the Service keeps its items in, one small interface per concern. Every
// write is conditional and atomic and carries its audit entry; a write refused because a
// condition failed returns a *ConflictError naming the parts (Part) whose conditions failed,
// and the Service says what that means. Reads return ErrNotFound (wrapped) for a missing item.
type Stores struct {
	Orgs        OrgStore
	Invitations InvitationStore
	Members     MemberStore
	Tokens      TokenStore
	Audit       AuditStore
	Slack       SlackStore
}

// OrgStore keeps organizations.
type OrgStore interface {
	Ping(ctx context.Context) error
	// CreateOrg writes o (PartOrg: it exists already), with its first admin and that admin's
	// address when admin is set, and the count of active admins.
	CreateOrg(ctx context.Context, o Org, admin *Member, audit AuditEntry) error
	GetOrg(ctx context.Context, orgID string) (Org, error)
	// UpdateOrg stores after's name and allowed domains over before if the organization is
	// still as before was read (PartOrg).
	UpdateOrg(ctx context.Context, before, after Org, audit AuditEntry) error
}

// NewInvitation is one invitation to create: the invitation, the marker that holds its
// address (PartAddress: the address must be free or held only by an invitation expired at
// its CreatedAt), its audit entry and, when Email is set, the email it queues (PartSends).
type NewInvitation struct {
	Invitation Invitation
	Audit      AuditEntry
	Email      *QueuedEmail
}

// Caller names the API token a request comes with, by the hash of its secret, and the
// member it acts for ("" for none).
type Caller struct {
	TokenHash string
	OwnerID   string
}

// Prepared is what PrepareAs read: the organization, the addresses and the caller.
type Prepared struct {
	Org       Org
	Addresses map[string]Address
	Token     *APIToken
	Owner     *Member
}

// Resend is a pending invitation given a fresh expiry and link: it is stored if it is still
// pending with link PrevTokenHash (PartInvitation), makes the invitation hold its address
// again (PartAddress: free, its own, or held by an expired invitation) and, when Email is
// set, queues the email (PartSends).
type Resend struct {
	Invitation    Invitation
	PrevTokenHash string
	Audit         AuditEntry
	Email         *QueuedEmail
}

// InvitationStore keeps invitations and the markers that hold their addresses.
type InvitationStore interface {
	// Addresses reads who holds each of holders and the send history of each of sends.
	// Addresses nobody holds and nobody emailed are absent from the map.
	Addresses(ctx context.Context, orgID string, holders, sends []string) (map[string]Address, error)
	// Prepare reads what deciding on invitations needs, in as few requests as Addresses: the
	// organization (ErrNotFound when it does not exist) and the addresses.
	Prepare(ctx context.Context, orgID string, holders, sends []string) (Org, map[string]Address, error)
	// PrepareAs reads what Prepare does and, in the same request, the caller c: its API
	// token by hash and the member it acts for (absent from Prepared when not found).
	PrepareAs(ctx context.Context, orgID string, c Caller, holders, sends []string) (Prepared, error)
	// CreateInvitations writes each invitation as NewInvitation says. The result is
	// index-aligned with invs: nil, a *ConflictError, or another error. Invitations are
	// independent: one failing never stops another.
	CreateInvitations(ctx context.Context, invs []NewInvitation) []error
	GetInvitation(ctx context.Context, orgID, id string) (Invitation, error)
	ListInvitations(ctx context.Context, orgID string, q InvitationQuery) (Page[Invitation], error)
	// RevokeInvitation stores inv (now revoked) if it is still pending (PartInvitation),
	// releasing its address if it still holds it.
	RevokeInvitation(ctx context.Context, inv Invitation, audit AuditEntry) error
	// ResendInvitation stores r as Resend says.
	ResendInvitation(ctx context.Context, r Resend) error
	// AcceptInvitation turns inv, if still pending with the same link and unexpired
	// (PartInvitation), into member m, handing m the address the invitation held
	// (PartAddress) and counting m among the active admins when m is one.
	AcceptInvitation(ctx context.Context, inv Invitation, m Member, audit AuditEntry) error
	// RenameInvitation stores inv's name, external id and role if it is still pending
	// (PartInvitation).
	RenameInvitation(ctx context.Context, inv Invitation, audit AuditEntry) error
	// DueExpiries lists up to limit invitations whose expiry, at or before now, has not been
	// announced. Creating and resending an invitation make it due at its expiry; accepting
	// and revoking it, and EndExpiry, make it due no more.
	DueExpiries(ctx context.Context, now time.Time, limit int) ([]Invitation, error)
	// EndExpiry makes inv due no more, if it is still as read: the same status and expiry
	// (PartInvitation). With audit, the expiry is announced: audit and its event are written
	// with it.
	EndExpiry(ctx context.Context, inv Invitation, audit *AuditEntry) error
}

// MemberStore keeps members.
type MemberStore interface {
	GetMember(ctx context.Context, orgID, id string) (Member, error)
	ListMembers(ctx context.Context, orgID string, p PageRequest) (Page[Member], error)
	// UpdateMember replaces before with after if before is still current (PartMember). The
	// count of active admins follows (PartAdmins: it may not fall to zero), and so does the
	// address marker: on a new address the old one is let go (PartOldAddress) and the new one
	// taken (PartAddress: free, or held by an expired invitation).
	UpdateMember(ctx context.Context, before, after Member, audit AuditEntry) error
	// Accounts reads every member and every invitation still marked pending.
	Accounts(ctx context.Context, orgID string) ([]Member, []Invitation, error)
}

// TokenStore keeps API tokens, found by the hash of their secret.
type TokenStore interface {
	// CreateToken writes t if its organization exists (PartOrg) and its id and hash are new
	// (PartToken).
	CreateToken(ctx context.Context, t APIToken, audit AuditEntry) error
	TokenByHash(ctx context.Context, hash string) (APIToken, error)
	ListTokens(ctx context.Context, orgID string) ([]APIToken, error)
	// DeleteToken removes t if it still exists (PartToken).
	DeleteToken(ctx context.Context, t APIToken, audit AuditEntry) error
	GetToken(ctx context.Context, orgID, id string) (APIToken, error)
	// TouchToken records that t was used at at, if it was not within the last minute.
	TouchToken(ctx context.Context, t APIToken, at time.Time) error
}

// AuditStore reads the audit log; entries are written with the changes they record.
type AuditStore interface {
	// ListAudit lists entries newest first, filtered by q (whose filters are checked).
	ListAudit(ctx context.Context, orgID string, q AuditQuery) (Page[AuditEntry], error)
}

// SlackStore keeps Slack connections, found by organization and by team.
type SlackStore interface {
	// PutSlack stores in as the organization's connection in place of prev (zero when there
	// was none; PartSlack: it must still be prev), and maps in's team to the organization
	// (PartSlackTeam: the team must be free or already this organization's).
	PutSlack(ctx context.Context, prev, in SlackIntegration, audit AuditEntry) error
	GetSlack(ctx context.Context, orgID string) (SlackIntegration, error)
	SlackByTeam(ctx context.Context, teamID string) (SlackIntegration, error)
	// DeleteSlack removes the organization's connection and its team lookup (PartSlack).
	DeleteSlack(ctx context.Context, in SlackIntegration, audit AuditEntry) error
}

// HolderKind says what holds an address.
type HolderKind string

// The holders of an address.
const (
	HolderInvitation HolderKind = "invitation"
	HolderMember     HolderKind = "member"
)

// Holder is what holds an address of an organization: a live invitation, until it expires,
// or a member, for good.
type Holder struct {
	Kind   HolderKind
	ID     string
	Active bool      // for members: whether the member is active
	Until  time.Time // for invitations: the invitation's expiry, when the address is free again
}

// Blocks reports whether the holder still holds the address at at.
func (h Holder) Blocks(at time.Time) bool {
	return h.Kind == HolderMember || at.Before(h.Until)
}

// Existing is the error for an address held by h.
func (h Holder) Existing() *ExistingError {
	if h.Kind == HolderMember {
		return &ExistingError{Err: ErrAlreadyMember, ID: h.ID, Active: h.Active}
	}
	return &ExistingError{Err: ErrAlreadyInvited, ID: h.ID}
}

// Address is what is known of one address of an organization: who holds it (nil: nobody)
// and when it was emailed lately.
type Address struct {
	Holder *Holder
	Sends  SendHistory
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

// InvitationQuery filters a list of invitations by status as seen at Now, and by a search of
// their addresses and names.
type InvitationQuery struct {
	PageRequest
	Status InvitationStatus // empty: every status
	// Search, when set, keeps the invitations whose address or name holds it, compared in
	// Fold's form: "ada" finds Ada Lovelace and ada@example.com.
	Search string
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
