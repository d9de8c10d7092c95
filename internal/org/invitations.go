package org

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// MaxBulkInvitations is the most invitations one bulk call may carry.
const MaxBulkInvitations = 1000

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
	if !p.canInvite(in.role) {
		return Created{}, fmt.Errorf("invite as %s: %w", in.role, ErrForbidden)
	}
	inv, a, token := s.newInvitation(p, in, s.nowUTC())
	if err := s.store.CreateInvitations(ctx, []Invitation{inv}, []AuditEntry{a})[0]; err != nil {
		return Created{}, fmt.Errorf("invite %s: %w", inv.ID, err)
	}
	return Created{Invitation: inv, Token: token}, nil
}

// newInvitation builds a pending invitation and its audit entry. The accept token is minted
// now only when the caller hands the link out itself; otherwise the mailer mints it at send
// time, so no raw token ever waits in storage.
func (s *Service) newInvitation(p Principal, in invite, now time.Time) (Invitation, AuditEntry, string) {
	inv := Invitation{
		ID:        "inv_" + s.newID(),
		OrgID:     p.OrgID,
		Email:     in.email,
		Name:      in.name,
		Role:      in.role,
		Status:    StatusPending,
		Source:    p.Source,
		InvitedBy: p.Actor,
		SendEmail: in.sendEmail,
		CreatedAt: now,
		UpdatedAt: now,
		ExpiresAt: now.Add(in.expiry),
	}
	var token string
	if in.sendEmail {
		inv.Delivery = Delivery{State: DeliveryQueued, UpdatedAt: now}
	} else {
		inv.Delivery = Delivery{State: DeliveryDisabled, UpdatedAt: now}
		if p.isAdmin() {
			token = newInvitationToken(inv.OrgID, inv.ID)
			inv.TokenHash = HashSecret(token)
		}
	}
	a := s.audit(p, now, ActionInvited, "invitation", inv.ID, map[string]string{"email": inv.Email, "role": string(inv.Role)})
	return inv, a, token
}

// The outcomes of one row of a bulk invitation.
const (
	BulkCreated        = "created"
	BulkAlreadyInvited = "already_invited"
	BulkAlreadyMember  = "already_member"
	BulkInvalid        = "invalid"
)

// BulkResult is the outcome of one row of a bulk invitation, in input order.
type BulkResult struct {
	Index       int
	Email       string
	Status      string
	Created     Created      // when Status is created
	ExistingID  string       // the live invitation or member holding the address
	Errors      []FieldError // when Status is invalid
	DuplicateOf *int         // the earlier row of this request with the same address
}

// InviteMany invites up to MaxBulkInvitations people. Each row succeeds or fails on its own;
// rows repeating an earlier row's address share its outcome instead of inviting twice.
func (s *Service) InviteMany(ctx context.Context, p Principal, reqs []InviteRequest) ([]BulkResult, error) {
	switch {
	case len(reqs) == 0:
		return nil, Invalid("invitations", "required", "invitations must hold at least one invitation")
	case len(reqs) > MaxBulkInvitations:
		return nil, Invalid("invitations", "too_many", "invitations must hold at most 1000 invitations")
	case !p.canInvite(RoleViewer):
		return nil, fmt.Errorf("bulk invite: %w", ErrForbidden)
	}
	now := s.nowUTC()
	results := make([]BulkResult, len(reqs))
	firstRow := make(map[string]int, len(reqs))
	var invs []Invitation
	var audits []AuditEntry
	var rows []int
	var tokens []string
	for i, req := range reqs {
		results[i] = BulkResult{Index: i, Email: req.Email}
		in, err := req.validate()
		if err == nil && !p.canInvite(in.role) {
			err = Invalid("role", "forbidden_role", "your token may not invite with role "+string(in.role))
		}
		if err != nil {
			var verr *ValidationError
			errors.As(err, &verr)
			results[i].Status, results[i].Errors = BulkInvalid, prefixFields(i, verr.Fields)
			continue
		}
		results[i].Email = in.email
		if first, dup := firstRow[in.email]; dup {
			results[i].DuplicateOf = &first
			continue
		}
		firstRow[in.email] = i
		inv, a, token := s.newInvitation(p, in, now)
		invs, audits, rows, tokens = append(invs, inv), append(audits, a), append(rows, i), append(tokens, token)
	}
	if len(invs) > 0 {
		for j, err := range s.store.CreateInvitations(ctx, invs, audits) {
			r := &results[rows[j]]
			var existing *ExistingError
			switch {
			case err == nil:
				r.Status, r.Created = BulkCreated, Created{Invitation: invs[j], Token: tokens[j]}
			case errors.As(err, &existing) && errors.Is(err, ErrAlreadyInvited):
				r.Status, r.ExistingID = BulkAlreadyInvited, existing.ID
			case errors.As(err, &existing) && errors.Is(err, ErrAlreadyMember):
				r.Status, r.ExistingID = BulkAlreadyMember, existing.ID
			default:
				return nil, fmt.Errorf("bulk invite row %d: %w", rows[j], err)
			}
		}
	}
	for i := range results {
		if first := results[i].DuplicateOf; first != nil {
			results[i].Status, results[i].ExistingID = duplicateOutcome(results[*first])
		}
	}
	return results, nil
}

// duplicateOutcome is what a repeated row reports given the first row's result: the address
// is now invited (or a member) either way, so it is never created twice.
func duplicateOutcome(first BulkResult) (string, string) {
	switch first.Status {
	case BulkCreated:
		return BulkAlreadyInvited, first.Created.Invitation.ID
	default:
		return first.Status, first.ExistingID
	}
}

// prefixFields names bulk field errors by row, as in "invitations[3].email".
func prefixFields(row int, fields []FieldError) []FieldError {
	out := make([]FieldError, len(fields))
	for i, f := range fields {
		f.Field = "invitations[" + strconv.Itoa(row) + "]." + f.Field
		out[i] = f
	}
	return out
}

// Invitation returns one of the caller's organization's invitations.
func (s *Service) Invitation(ctx context.Context, p Principal, id string) (Invitation, error) {
	if !p.canRead() {
		return Invitation{}, ErrForbidden
	}
	return s.store.GetInvitation(ctx, p.OrgID, id)
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
	if q.PageRequest, err = q.PageRequest.normalize(); err != nil {
		return Page[Invitation]{}, err
	}
	q.Now = s.nowUTC()
	return s.store.ListInvitations(ctx, p.OrgID, q)
}

// Revoke withdraws a pending (or expired) invitation; its link stops working and its address
// may be invited again. Only admins revoke.
func (s *Service) Revoke(ctx context.Context, p Principal, id string) (Invitation, error) {
	if !p.isAdmin() {
		return Invitation{}, fmt.Errorf("revoke invitation: %w", ErrForbidden)
	}
	inv, err := s.store.GetInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Invitation{}, err
	}
	if err := stillPending(inv); err != nil {
		return Invitation{}, err
	}
	now := s.nowUTC()
	inv.Status, inv.RevokedAt, inv.UpdatedAt = StatusRevoked, now, now
	a := s.audit(p, now, ActionRevoked, "invitation", inv.ID, map[string]string{"email": inv.Email})
	if err := s.store.RevokeInvitation(ctx, inv, a); err != nil {
		return Invitation{}, fmt.Errorf("revoke invitation %s: %w", id, err)
	}
	return inv, nil
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

// Resend gives a pending or expired invitation a new token and a fresh expiry and queues its
// email again; the old link stops working.
func (s *Service) Resend(ctx context.Context, p Principal, id string) (Created, error) {
	inv, err := s.store.GetInvitation(ctx, p.OrgID, id)
	if err != nil {
		return Created{}, err
	}
	// Resending an invitation without email replaces the only link to it, which only an
	// admin is shown; anyone else would leave the invitation unreachable.
	if !p.canInvite(inv.Role) || (!inv.SendEmail && !p.isAdmin()) {
		return Created{}, fmt.Errorf("resend invitation: %w", ErrForbidden)
	}
	if err := stillPending(inv); err != nil {
		return Created{}, err
	}
	now := s.nowUTC()
	prevHash := inv.TokenHash
	lifetime := inv.ExpiresAt.Sub(inv.CreatedAt)
	if lifetime <= 0 {
		lifetime = DefaultExpiryDays * 24 * time.Hour
	}
	inv.ExpiresAt, inv.UpdatedAt, inv.TokenHash = now.Add(lifetime), now, ""
	var token string
	if inv.SendEmail {
		inv.Delivery = Delivery{State: DeliveryQueued, UpdatedAt: now}
	} else if p.isAdmin() {
		token = newInvitationToken(inv.OrgID, inv.ID)
		inv.TokenHash = HashSecret(token)
	}
	a := s.audit(p, now, ActionResent, "invitation", inv.ID, map[string]string{"email": inv.Email})
	if err := s.store.ResendInvitation(ctx, inv, prevHash, a); err != nil {
		return Created{}, fmt.Errorf("resend invitation %s: %w", id, err)
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
	if !tokenMatches(token, inv.TokenHash) {
		// An accepted or revoked invitation keeps its hash, so a used link is told apart
		// from a wrong one; a replaced (resent) link is simply invalid.
		return Member{}, ErrInvalidToken
	}
	now := s.nowUTC()
	switch inv.StatusAt(now) {
	case StatusAccepted:
		return Member{}, ErrInvitationAccepted
	case StatusRevoked:
		return Member{}, ErrInvitationRevoked
	case StatusExpired:
		return Member{}, ErrInvitationExpired
	}
	if name == "" {
		name = inv.Name
	}
	m := Member{
		ID: "usr_" + s.newID(), OrgID: inv.OrgID, Email: inv.Email, Name: name, Role: inv.Role,
		Status: MemberActive, Source: inv.Source, InvitationID: inv.ID, JoinedAt: now, UpdatedAt: now,
	}
	inv.Status, inv.AcceptedAt, inv.UpdatedAt, inv.MemberID = StatusAccepted, now, now, m.ID
	p := Principal{OrgID: inv.OrgID, Actor: Actor{Type: "invitee", ID: m.ID, Name: m.Name}, Source: source}
	a := s.audit(p, now, ActionAccepted, "invitation", inv.ID, map[string]string{"email": inv.Email, "memberId": m.ID, "role": string(m.Role)})
	if err := s.store.AcceptInvitation(ctx, inv, m, a); err != nil {
		return Member{}, fmt.Errorf("accept invitation %s: %w", inv.ID, err)
	}
	return m, nil
}
