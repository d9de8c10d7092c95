package org

import (
	"context"
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
	if p.unproven != nil {
		return s.inviteUnproven(ctx, p, req)
	}
	in, err := req.validate()
	if err != nil {
		return Created{}, err
	}
	if err := p.mayInvite(in); err != nil {
		return Created{}, err
	}
	inv, a, token := s.newInvitation(p, in, s.nowUTC())
	if err := s.create(ctx, p.OrgID, []Invitation{inv}, []AuditEntry{a})[0]; err != nil {
		return Created{}, fmt.Errorf("invite %s: %w", inv.ID, err)
	}
	s.countCreated(ctx, p, false, 1)
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
		inv.Delivery, _ = Delivery{}.Next(EventQueue, now, "")
	} else {
		// Only admins may create these (mayInvite), and they are shown the link.
		inv.Delivery = Delivery{State: DeliveryDisabled, UpdatedAt: now}
		token = newInvitationToken(inv.OrgID, inv.ID)
		inv.TokenHash = HashSecret(token)
	}
	a := s.audit(p, now, ActionInvited, "invitation", inv.ID, map[string]string{"email": inv.Email, "role": string(inv.Role)})
	return inv, a, token
}

// create writes invitations of one organization, each with its audit entry, and returns what
// became of each, index-aligned: nil, a *DomainError for an address outside the
// organization's allowed domains, an *ExistingError for an address already held, a
// *RateLimitError for an address emailed too often, or another error. The addresses must be
// distinct. It reads the organization and every address's holder and send history first, so
// refused, taken and flooded addresses cost no failed write, and explains any write refused
// meanwhile.
func (s *Service) create(ctx context.Context, orgID string, invs []Invitation, audits []AuditEntry) []error {
	holders := make([]string, len(invs))
	var emailed []string
	for i, inv := range invs {
		holders[i] = inv.Email
		if inv.SendEmail {
			emailed = append(emailed, inv.Email)
		}
	}
	o, addrs, err := s.invitations.Prepare(ctx, orgID, holders, emailed)
	if err != nil {
		results := make([]error, len(invs))
		for i := range results {
			results[i] = fmt.Errorf("read addresses: %w", err)
		}
		return results
	}
	return s.decide(ctx, orgID, o, addrs, invs, audits)
}

// decide is create once the organization and the addresses are read.
func (s *Service) decide(ctx context.Context, orgID string, o Org, addrs map[string]Address, invs []Invitation, audits []AuditEntry) []error {
	results := make([]error, len(invs))
	writes := make([]NewInvitation, 0, len(invs))
	rows := make([]int, 0, len(invs))
	for i, inv := range invs {
		if err := checkDomain(o, inv.Email); err != nil {
			results[i] = err
			continue
		}
		addr := addrs[inv.Email]
		if h := addr.Holder; h != nil && h.Blocks(inv.CreatedAt) {
			results[i] = h.Existing()
			continue
		}
		w := NewInvitation{Invitation: inv, Audit: audits[i]}
		if inv.SendEmail {
			sends, err := AllowSend(inv.Email, addr.Sends, inv.CreatedAt)
			if err != nil {
				results[i] = err
				continue
			}
			w.Email = &QueuedEmail{Due: inv.UpdatedAt, Sends: sends}
		}
		writes, rows = append(writes, w), append(rows, i)
	}
	if len(writes) == 0 {
		return results
	}
	var refused []int
	for j, err := range s.invitations.CreateInvitations(ctx, writes) {
		results[rows[j]] = err
		if isRefused(err) {
			refused = append(refused, rows[j])
		}
	}
	s.explainTaken(ctx, orgID, invs, refused, results)
	return results
}
