package org

import (
	"context"
	"errors"
	"fmt"
)

// This file is the one place that says what a refused write means. Stores report which
// parts of a write failed their conditions (*ConflictError); the service reads what changed
// meanwhile and answers with the reason a caller can act on.

// explainTaken turns the refused creates at rows of invs into who holds their addresses
// now, reading every holder at once: an *ExistingError, or ErrConflict when the address was
// let go again meanwhile.
func (s *Service) explainTaken(ctx context.Context, orgID string, invs []Invitation, rows []int, results []error) {
	if len(rows) == 0 {
		return
	}
	emails := make([]string, len(rows))
	for j, i := range rows {
		emails[j] = invs[i].Email
	}
	addrs, err := s.invitations.Addresses(ctx, orgID, emails, nil)
	for _, i := range rows {
		switch h := addrs[invs[i].Email].Holder; {
		case err != nil:
			results[i] = fmt.Errorf("read holder of %s: %w", invs[i].Email, err)
		case h == nil:
			results[i] = fmt.Errorf("address %s released during write: %w", invs[i].Email, ErrConflict)
		default:
			results[i] = h.Existing()
		}
	}
}

// whyTaken says who holds email in the organization now, for a write refused because the
// address was taken: an *ExistingError, or ErrConflict when nobody holds it any more.
func (s *Service) whyTaken(ctx context.Context, orgID, email string) error {
	errs := []error{nil}
	s.explainTaken(ctx, orgID, []Invitation{{Email: email}}, []int{0}, errs)
	return errs[0]
}

// explainPending turns a write refused because the invitation changed meanwhile into the
// reason it changed (accepted or revoked by someone else), reading it again; any other error
// is returned as it is.
func (s *Service) explainPending(ctx context.Context, inv Invitation, err error) error {
	if !Refused(err, PartInvitation) {
		return err
	}
	cur, rerr := s.invitations.GetInvitation(ctx, inv.OrgID, inv.ID)
	if rerr != nil {
		return err
	}
	if why := stillPending(cur); why != nil {
		return why
	}
	return err
}

// explainResend says why a resend was refused: the address was emailed meanwhile, the
// invitation changed, or its address is held by someone else now.
func (s *Service) explainResend(ctx context.Context, inv Invitation, err error) error {
	switch {
	case Refused(err, PartSends):
		return fmt.Errorf("address %s was emailed meanwhile: %w", inv.Email, ErrConflict)
	case Refused(err, PartInvitation):
		return s.explainPending(ctx, inv, err)
	case Refused(err, PartAddress):
		return s.whyTaken(ctx, inv.OrgID, inv.Email)
	}
	return err
}

// explainAccept says why accepting with token was refused: the invitation was accepted,
// revoked, resent or expired meanwhile, or its address went elsewhere.
func (s *Service) explainAccept(ctx context.Context, inv Invitation, token string, err error) error {
	switch {
	case Refused(err, PartInvitation):
		// Someone else accepted, revoked or resent it meanwhile: say which.
		if cur, rerr := s.invitations.GetInvitation(ctx, inv.OrgID, inv.ID); rerr == nil {
			if why := acceptable(cur, token, s.nowUTC()); why != nil {
				return why
			}
		}
	case Refused(err, PartAddress):
		return fmt.Errorf("address %s held elsewhere: %w", inv.Email, ErrConflict)
	}
	return err
}

// explainMember says why a change of member was refused: the member changed meanwhile, it
// would leave no active admin, or the new address is taken.
func (s *Service) explainMember(ctx context.Context, after Member, err error) error {
	switch {
	case Refused(err, PartMember):
		return fmt.Errorf("member %s changed meanwhile: %w", after.ID, ErrConflict)
	case Refused(err, PartAdmins):
		return ErrLastAdmin
	case Refused(err, PartAddress):
		return s.whyTaken(ctx, after.OrgID, after.Email)
	case Refused(err, PartOldAddress):
		return fmt.Errorf("address marker of member %s changed meanwhile: %w", after.ID, ErrConflict)
	}
	return err
}

// isRefused reports whether err is a write refused by a failed condition.
func isRefused(err error) bool {
	var c *ConflictError
	return errors.As(err, &c)
}
