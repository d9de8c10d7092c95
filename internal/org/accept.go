package org

import (
	"context"
	"errors"
	"fmt"
	"time"
)

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
	inv, err := s.invitations.GetInvitation(ctx, orgID, invID)
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
	// The allowed domains may have changed since the invitation was made.
	o, err := s.orgs.GetOrg(ctx, orgID)
	if err != nil {
		return Member{}, fmt.Errorf("accept: %w", err)
	}
	if err := checkDomain(o, inv.Email); err != nil {
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
	if err := s.invitations.AcceptInvitation(ctx, accepted, m, a); err != nil {
		if errors.Is(err, ErrOutcomeUnknown) && s.stored(ctx, func(ctx context.Context) error {
			_, err := s.members.GetMember(ctx, orgID, m.ID)
			return err
		}) {
			return m, nil // the acceptance was applied; its answer was lost
		}
		return Member{}, s.explainAccept(ctx, inv, token, fmt.Errorf("accept invitation %s: %w", inv.ID, err))
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
	inv, err := s.invitations.GetInvitation(ctx, orgID, invID)
	if errors.Is(err, ErrNotFound) {
		return Preview{}, ErrInvalidToken
	}
	if err != nil {
		return Preview{}, fmt.Errorf("preview link: %w", err)
	}
	if err := acceptable(inv, token, s.nowUTC()); err != nil {
		return Preview{Invitation: inv}, err
	}
	o, err := s.orgs.GetOrg(ctx, orgID)
	if err != nil {
		return Preview{}, fmt.Errorf("preview link: %w", err)
	}
	if err := checkDomain(o, inv.Email); err != nil {
		return Preview{Invitation: inv, OrgName: o.Name}, err
	}
	return Preview{Invitation: inv, OrgName: o.Name}, nil
}
