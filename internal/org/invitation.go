package org

import (
	"strings"
	"time"
)

// InvitationStatus is where an invitation stands. Pending, accepted and revoked are stored;
// expired is derived from a pending invitation's expiry.
type InvitationStatus string

// The invitation statuses.
const (
	StatusPending  InvitationStatus = "pending"
	StatusAccepted InvitationStatus = "accepted"
	StatusRevoked  InvitationStatus = "revoked"
	StatusExpired  InvitationStatus = "expired"
)

// Valid reports whether s is a status a caller may filter on.
func (s InvitationStatus) Valid() bool {
	switch s {
	case StatusPending, StatusAccepted, StatusRevoked, StatusExpired:
		return true
	}
	return false
}

// Expiry bounds, in days.
const (
	DefaultExpiryDays = 7
	MinExpiryDays     = 1
	MaxExpiryDays     = 30
)

// Invitation is an offer to join an organization, sent to one email address.
type Invitation struct {
	ID        string
	OrgID     string
	Email     string // normalized
	Name      string
	Role      Role
	Status    InvitationStatus // as stored: pending, accepted or revoked
	TokenHash string           // SHA-256 of the accept token; empty until a link is minted
	Source    Source
	InvitedBy Actor
	SendEmail bool
	Delivery  Delivery
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time
	// ExpiresInDays is how long each link lives: a resend gives a fresh link this long.
	ExpiresInDays int
	// ExternalID is the identity provider's id of the person, for invitations made by sync.
	ExternalID string
	AcceptedAt time.Time
	RevokedAt  time.Time
	MemberID   string // set once accepted
}

// StatusAt is the status as a person sees it at now: a pending invitation past its expiry
// is expired.
func (inv Invitation) StatusAt(now time.Time) InvitationStatus {
	if inv.Status == StatusPending && !now.Before(inv.ExpiresAt) {
		return StatusExpired
	}
	return inv.Status
}

// lifetime is how long a link to the invitation lives.
func (inv Invitation) lifetime() time.Duration {
	days := inv.ExpiresInDays
	if days < MinExpiryDays || days > MaxExpiryDays {
		days = DefaultExpiryDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// InviteRequest is what a caller asks for when inviting one person.
type InviteRequest struct {
	Email         string `json:"email"`
	Name          string `json:"name"`
	Role          string `json:"role"`
	ExpiresInDays *int   `json:"expiresInDays"`
	SendEmail     *bool  `json:"sendEmail"`
	// ExternalID is set by directory sync only: the identity provider's id of the person.
	ExternalID string `json:"-"`
}

// invite is a validated InviteRequest.
type invite struct {
	email      string
	name       string
	role       Role
	expiryDays int
	sendEmail  bool
	externalID string
}

// Normalize checks r by the rules every invitation is made with and returns it with its
// address, name and role in normal form (the role defaulted), so that a client can check a
// whole import before sending any of it. The error is a *ValidationError naming every field
// at fault.
func (r InviteRequest) Normalize() (InviteRequest, error) {
	in, err := r.validate()
	if err != nil {
		return InviteRequest{}, err
	}
	r.Email, r.Name, r.Role = in.email, in.name, string(in.role)
	return r, nil
}

// validate normalizes r, reporting every field problem at once.
func (r InviteRequest) validate() (invite, error) {
	var verr ValidationError
	out := invite{expiryDays: DefaultExpiryDays, sendEmail: true, externalID: r.ExternalID}
	var err error
	out.email, err = NormalizeEmail("email", r.Email)
	verr.Merge(err)
	out.name, err = NormalizeName("name", r.Name)
	verr.Merge(err)
	out.role, err = ParseRole("role", r.Role, RoleMember)
	verr.Merge(err)
	if r.ExpiresInDays != nil {
		d := *r.ExpiresInDays
		if d < MinExpiryDays || d > MaxExpiryDays {
			verr.Add("expiresInDays", "invalid_expiry", "expiresInDays must be between 1 and 30")
		}
		out.expiryDays = d
	}
	if r.SendEmail != nil {
		out.sendEmail = *r.SendEmail
	}
	if out.sendEmail && out.email != "" && !isASCII(out.email[:strings.LastIndexByte(out.email, '@')]) {
		// Amazon SES, which sends every invitation, delivers only to ASCII local parts
		// (it has no SMTPUTF8): refused now rather than failed for good later.
		verr.Add("email", "undeliverable_email", "invitation emails can be sent only to addresses whose part before the @ is ASCII; invite without email and share the link instead")
	}
	return out, verr.Err()
}
