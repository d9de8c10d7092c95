package org

import (
	"context"
	"fmt"
)

// Invitation returns one of the caller's organization's invitations.
func (s *Service) Invitation(ctx context.Context, p Principal, id string) (Invitation, error) {
	if err := p.Require(RoleViewer, "reading invitations"); err != nil {
		return Invitation{}, err
	}
	inv, err := s.invitations.GetInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Invitation{}, fmt.Errorf("read invitation: %w", err)
	}
	return inv, nil
}

// Invitations lists the caller's organization's invitations, newest first.
func (s *Service) Invitations(ctx context.Context, p Principal, q InvitationQuery) (Page[Invitation], error) {
	if err := p.Require(RoleViewer, "listing invitations"); err != nil {
		return Page[Invitation]{}, err
	}
	if q.Status != "" && !q.Status.Valid() {
		return Page[Invitation]{}, Invalid("status", "invalid_status", "status must be one of pending, accepted, revoked, expired")
	}
	var err error
	if q.PageRequest, err = q.PageRequest.Normalize(); err != nil {
		return Page[Invitation]{}, err
	}
	if q.Search, err = NormalizeSearch("q", q.Search); err != nil {
		return Page[Invitation]{}, err
	}
	q.Now = s.nowUTC()
	page, err := s.invitations.ListInvitations(ctx, p.OrgID, q)
	if err != nil {
		return Page[Invitation]{}, fmt.Errorf("list invitations: %w", err)
	}
	return page, nil
}

// PendingInvitation finds the live invitation holding email in the caller's organization;
// ErrNotFound when none does (the address is free or held by a member).
func (s *Service) PendingInvitation(ctx context.Context, p Principal, rawEmail string) (Invitation, error) {
	if err := p.Require(RoleViewer, "reading invitations"); err != nil {
		return Invitation{}, err
	}
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return Invitation{}, err
	}
	addrs, err := s.invitations.Addresses(ctx, p.OrgID, []string{email}, nil)
	if err != nil {
		return Invitation{}, fmt.Errorf("find holder of %s: %w", email, err)
	}
	h := addrs[email].Holder
	if h == nil || h.Kind != HolderInvitation {
		return Invitation{}, fmt.Errorf("no pending invitation for %s: %w", email, ErrNotFound)
	}
	return s.Invitation(ctx, p, h.ID)
}

// Revoke withdraws a pending (or expired) invitation; its link stops working and its address
// may be invited again. Only admins revoke.
func (s *Service) Revoke(ctx context.Context, p Principal, id string) (Invitation, error) {
	if err := p.Require(RoleAdmin, "revoking invitations"); err != nil {
		return Invitation{}, err
	}
	inv, err := s.pendingInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Invitation{}, err
	}
	now := s.nowUTC()
	inv.Status, inv.RevokedAt, inv.UpdatedAt = StatusRevoked, now, now
	a := s.audit(p, now, ActionRevoked, "invitation", inv.ID, map[string]string{"email": inv.Email})
	if err := s.invitations.RevokeInvitation(ctx, inv, a); err != nil {
		return Invitation{}, s.explainPending(ctx, inv, fmt.Errorf("revoke invitation %s: %w", id, err))
	}
	return inv, nil
}

// pendingInvitation reads an invitation that has not been accepted or revoked.
func (s *Service) pendingInvitation(ctx context.Context, orgID, id string) (Invitation, error) {
	inv, err := s.invitations.GetInvitation(ctx, orgID, id)
	if err != nil {
		return Invitation{}, fmt.Errorf("read invitation: %w", err)
	}
	return inv, stillPending(inv)
}

// stillPending refuses invitations that were accepted or revoked.
func stillPending(inv Invitation) error {
	switch inv.Status {
	case StatusAccepted:
		return ErrInvitationAccepted
	case StatusRevoked:
		return ErrInvitationRevoked
	}
	return nil
}

// Resend gives a pending or expired invitation a fresh expiry (as long as the first) and a
// new link, and queues its email again; the old link stops working.
func (s *Service) Resend(ctx context.Context, p Principal, id string) (Created, error) {
	inv, err := s.pendingInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Created{}, err
	}
	if err := p.mayInvite(invite{role: inv.Role, sendEmail: inv.SendEmail}); err != nil {
		return Created{}, fmt.Errorf("resend invitation: %w", err)
	}
	now := s.nowUTC()
	if err := resendWait(inv, now); err != nil {
		return Created{}, err
	}
	r := Resend{Invitation: inv, PrevTokenHash: inv.TokenHash}
	inv.ExpiresAt, inv.UpdatedAt, inv.TokenHash = now.Add(inv.lifetime()), now, ""
	var emailed []string
	if inv.SendEmail {
		emailed = []string{inv.Email}
	}
	o, addrs, err := s.invitations.Prepare(ctx, inv.OrgID, nil, emailed)
	if err != nil {
		return Created{}, fmt.Errorf("resend invitation %s: read send history: %w", id, err)
	}
	if err := checkDomain(o, inv.Email); err != nil {
		return Created{}, err
	}
	var token string
	if inv.SendEmail {
		sends, err := AllowSend(inv.Email, addrs[inv.Email].Sends, now)
		if err != nil {
			return Created{}, err
		}
		inv.Delivery, _ = inv.Delivery.Next(EventQueue, now, "")
		r.Email = &QueuedEmail{Due: now, Sends: sends}
	} else {
		token = newInvitationToken(inv.OrgID, inv.ID)
		inv.TokenHash = HashSecret(token)
	}
	r.Invitation = inv
	r.Audit = s.audit(p, now, ActionResent, "invitation", inv.ID, map[string]string{"email": inv.Email})
	if err := s.invitations.ResendInvitation(ctx, r); err != nil {
		return Created{}, s.explainResend(ctx, inv, fmt.Errorf("resend invitation %s: %w", id, err))
	}
	return Created{Invitation: inv, Token: token}, nil
}

// RenameInvitation changes the name and identity-provider id on a pending invitation.
func (s *Service) RenameInvitation(ctx context.Context, p Principal, id, rawName, externalID string) (Invitation, error) {
	if err := p.Require(RoleAdmin, "renaming invitations"); err != nil {
		return Invitation{}, err
	}
	name, err := NormalizeName("name", rawName)
	if err != nil {
		return Invitation{}, err
	}
	inv, err := s.invitations.GetInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Invitation{}, fmt.Errorf("rename invitation: %w", err)
	}
	now := s.nowUTC()
	if inv.StatusAt(now) != StatusPending {
		return Invitation{}, fmt.Errorf("rename invitation %s: %w", id, ErrConflict)
	}
	inv.Name, inv.ExternalID, inv.UpdatedAt = name, externalID, now
	a := s.audit(p, now, ActionInvitationRenamed, "invitation", id, map[string]string{"email": inv.Email})
	if err := s.invitations.RenameInvitation(ctx, inv, a); err != nil {
		return Invitation{}, fmt.Errorf("rename invitation %s: %w", id, err)
	}
	return inv, nil
}

// HolderOf says who holds email in the caller's organization: a live invitation or a member,
// or ErrNotFound when the address is free.
func (s *Service) HolderOf(ctx context.Context, p Principal, rawEmail string) (Holder, error) {
	if err := p.Require(RoleViewer, "looking up addresses"); err != nil {
		return Holder{}, err
	}
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return Holder{}, err
	}
	addrs, err := s.invitations.Addresses(ctx, p.OrgID, []string{email}, nil)
	if err != nil {
		return Holder{}, fmt.Errorf("find holder of %s: %w", email, err)
	}
	h := addrs[email].Holder
	if h == nil || !h.Blocks(s.nowUTC()) {
		return Holder{}, fmt.Errorf("no holder of %s: %w", email, ErrNotFound)
	}
	return *h, nil
}

// SCIMPrincipal is the principal an identity provider's SCIM token acts as in its
// organization: it may do what an admin may with people, and is recorded as the token.
func SCIMPrincipal(orgID, tokenID string) Principal {
	return Principal{OrgID: orgID, Role: RoleAdmin, Actor: Actor{Type: "scim", ID: tokenID, Name: "SCIM provisioning"}, Source: SourceSCIM}
}
