package org

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Created is a newly created or resent invitation. Token is the raw accept token, set only
// when the caller is to hand the link out itself (email disabled, admin caller); it is shown
// once and never stored.
type Created struct {
	Invitation Invitation
	Token      string
}

// Invite invites one person.
func (s *Service) Invite(ctx context.Context, p Principal, req InviteRequest) (Created, error) {
	in, err := req.validate()
	if err != nil {
		return Created{}, err
	}
	if err := p.mayInvite(in); err != nil {
		return Created{}, err
	}
	inv, a, token := s.newInvitation(p, in, s.nowUTC())
	if err := s.store.CreateInvitations(ctx, []Invitation{inv}, []AuditEntry{a})[0]; err != nil {
		return Created{}, fmt.Errorf("invite %s: %w", inv.ID, err)
	}
	return Created{Invitation: inv, Token: token}, nil
}

// newInvitation builds a pending invitation and its audit entry. The accept token is minted
// now only when the caller hands the link out itself (no email); otherwise the mailer mints it
// at send time, so no raw token ever waits in storage.
func (s *Service) newInvitation(p Principal, in invite, now time.Time) (Invitation, AuditEntry, string) {
	inv := Invitation{
		ID:            "inv_" + s.newID(),
		OrgID:         p.OrgID,
		Email:         in.email,
		Name:          in.name,
		Role:          in.role,
		Status:        StatusPending,
		Source:        p.Source,
		InvitedBy:     p.Actor,
		SendEmail:     in.sendEmail,
		CreatedAt:     now,
		UpdatedAt:     now,
		ExpiresInDays: in.expiryDays,
		ExternalID:    in.externalID,
	}
	inv.ExpiresAt = now.Add(inv.lifetime())
	var token string
	if in.sendEmail {
		inv.Delivery = Delivery{State: DeliveryQueued, UpdatedAt: now}
	} else {
		// Only admins may create these (mayInvite), and they are shown the link.
		inv.Delivery = Delivery{State: DeliveryDisabled, UpdatedAt: now}
		token = newInvitationToken(inv.OrgID, inv.ID)
		inv.TokenHash = HashSecret(token)
	}
	a := s.audit(p, now, ActionInvited, "invitation", inv.ID, map[string]string{"email": inv.Email, "role": string(inv.Role)})
	return inv, a, token
}

// Invitation returns one of the caller's organization's invitations.
func (s *Service) Invitation(ctx context.Context, p Principal, id string) (Invitation, error) {
	if !p.canRead() {
		return Invitation{}, ErrForbidden
	}
	inv, err := s.store.GetInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Invitation{}, fmt.Errorf("read invitation: %w", err)
	}
	return inv, nil
}

// Invitations lists the caller's organization's invitations, newest first.
func (s *Service) Invitations(ctx context.Context, p Principal, q InvitationQuery) (Page[Invitation], error) {
	if !p.canRead() {
		return Page[Invitation]{}, ErrForbidden
	}
	if q.Status != "" && !q.Status.Valid() {
		return Page[Invitation]{}, Invalid("status", "invalid_status", "status must be one of pending, accepted, revoked, expired")
	}
	var err error
	if q.PageRequest, err = q.PageRequest.Normalize(); err != nil {
		return Page[Invitation]{}, err
	}
	q.Now = s.nowUTC()
	page, err := s.store.ListInvitations(ctx, p.OrgID, q)
	if err != nil {
		return Page[Invitation]{}, fmt.Errorf("list invitations: %w", err)
	}
	return page, nil
}

// Revoke withdraws a pending (or expired) invitation; its link stops working and its address
// may be invited again. Only admins revoke.
func (s *Service) Revoke(ctx context.Context, p Principal, id string) (Invitation, error) {
	if !p.isAdmin() {
		return Invitation{}, fmt.Errorf("revoke invitation: %w", ErrForbidden)
	}
	inv, err := s.pendingInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Invitation{}, err
	}
	now := s.nowUTC()
	inv.Status, inv.RevokedAt, inv.UpdatedAt = StatusRevoked, now, now
	a := s.audit(p, now, ActionRevoked, "invitation", inv.ID, map[string]string{"email": inv.Email})
	if err := s.store.RevokeInvitation(ctx, inv, a); err != nil {
		return Invitation{}, s.explain(ctx, inv, fmt.Errorf("revoke invitation %s: %w", id, err))
	}
	return inv, nil
}

// pendingInvitation reads an invitation that has not been accepted or revoked.
func (s *Service) pendingInvitation(ctx context.Context, orgID, id string) (Invitation, error) {
	inv, err := s.store.GetInvitation(ctx, orgID, id)
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

// explain turns a write refused because the invitation changed meanwhile into the reason it
// changed (accepted or revoked by someone else), reading it again.
func (s *Service) explain(ctx context.Context, inv Invitation, err error) error {
	if !errors.Is(err, ErrConflict) {
		return err
	}
	cur, rerr := s.store.GetInvitation(ctx, inv.OrgID, inv.ID)
	if rerr != nil {
		return err
	}
	if why := stillPending(cur); why != nil {
		return why
	}
	return err
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
	last := inv.UpdatedAt // when it was last queued
	if inv.Delivery.State == DeliverySent && inv.Delivery.UpdatedAt.After(last) {
		last = inv.Delivery.UpdatedAt // when it actually went out
	}
	if since := now.Sub(last); inv.SendEmail && since < MinResendInterval {
		return Created{}, &RateLimitError{RetryAfter: MinResendInterval - since,
			Reason: "this invitation was sent less than a minute ago; wait before resending"}
	}
	prevHash := inv.TokenHash
	inv.ExpiresAt, inv.UpdatedAt, inv.TokenHash = now.Add(inv.lifetime()), now, ""
	var token string
	if inv.SendEmail {
		inv.Delivery = Delivery{State: DeliveryQueued, UpdatedAt: now}
	} else {
		token = newInvitationToken(inv.OrgID, inv.ID)
		inv.TokenHash = HashSecret(token)
	}
	a := s.audit(p, now, ActionResent, "invitation", inv.ID, map[string]string{"email": inv.Email})
	if err := s.store.ResendInvitation(ctx, inv, prevHash, a); err != nil {
		return Created{}, s.explain(ctx, inv, fmt.Errorf("resend invitation %s: %w", id, err))
	}
	return Created{Invitation: inv, Token: token}, nil
}

// Accept turns the invitation named by token into a member. The token is the credential; it
// works once. name, when given, replaces the name the inviter typed.
func (s *Service) Accept(ctx context.Context, source Source, token, name string) (Member, error) {
	orgID, invID, ok := parseInvitationToken(token)
	if !ok {
		return Member{}, ErrInvalidToken
	}
	name, err := NormalizeName("name", name)
	if err != nil {
		return Member{}, err
	}
	inv, err := s.store.GetInvitation(ctx, orgID, invID)
	if errors.Is(err, ErrNotFound) {
		return Member{}, ErrInvalidToken
	}
	if err != nil {
		return Member{}, fmt.Errorf("accept: %w", err)
	}
	now := s.nowUTC()
	if err := acceptable(inv, token, now); err != nil {
		return Member{}, err
	}
	if name == "" {
		name = inv.Name
	}
	m := Member{
		ID: "usr_" + s.newID(), OrgID: inv.OrgID, Email: inv.Email, Name: name, Role: inv.Role,
		Status: MemberActive, Source: inv.Source, InvitationID: inv.ID, JoinedAt: now, UpdatedAt: now,
		ExternalID: inv.ExternalID,
	}
	accepted := inv
	accepted.Status, accepted.AcceptedAt, accepted.UpdatedAt, accepted.MemberID = StatusAccepted, now, now, m.ID
	p := Principal{OrgID: inv.OrgID, Actor: Actor{Type: "invitee", ID: m.ID, Name: m.Name}, Source: source}
	a := s.audit(p, now, ActionAccepted, "invitation", inv.ID, map[string]string{"email": inv.Email, "memberId": m.ID, "role": string(m.Role)})
	if err := s.store.AcceptInvitation(ctx, accepted, m, a); err != nil {
		err = fmt.Errorf("accept invitation %s: %w", inv.ID, err)
		if errors.Is(err, ErrConflict) {
			// Someone else accepted, revoked or resent it meanwhile: say which.
			if cur, rerr := s.store.GetInvitation(ctx, orgID, invID); rerr == nil {
				if why := acceptable(cur, token, now); why != nil {
					return Member{}, why
				}
			}
		}
		return Member{}, err
	}
	return m, nil
}

// acceptable says why token cannot accept inv at now, or nil if it can. A used or withdrawn
// link is told apart from a wrong one, since an accepted or revoked invitation keeps its
// hash; a link replaced by a resend is simply invalid.
func acceptable(inv Invitation, token string, now time.Time) error {
	if !tokenMatches(token, inv.TokenHash) {
		return ErrInvalidToken
	}
	switch inv.StatusAt(now) {
	case StatusAccepted:
		return ErrInvitationAccepted
	case StatusRevoked:
		return ErrInvitationRevoked
	case StatusExpired:
		return ErrInvitationExpired
	}
	return nil
}

// Preview is what the accept page shows before the person accepts.
type Preview struct {
	Invitation Invitation
	OrgName    string
}

// PreviewLink looks up the invitation a link names without consuming it (mail scanners open
// links too), or says why it cannot be accepted.
func (s *Service) PreviewLink(ctx context.Context, token string) (Preview, error) {
	orgID, invID, ok := parseInvitationToken(token)
	if !ok {
		return Preview{}, ErrInvalidToken
	}
	inv, err := s.store.GetInvitation(ctx, orgID, invID)
	if errors.Is(err, ErrNotFound) {
		return Preview{}, ErrInvalidToken
	}
	if err != nil {
		return Preview{}, fmt.Errorf("preview link: %w", err)
	}
	if err := acceptable(inv, token, s.nowUTC()); err != nil {
		return Preview{Invitation: inv}, err
	}
	o, err := s.store.GetOrg(ctx, orgID)
	if err != nil {
		return Preview{}, fmt.Errorf("preview link: %w", err)
	}
	return Preview{Invitation: inv, OrgName: o.Name}, nil
}
