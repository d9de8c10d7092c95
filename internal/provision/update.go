package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gatehouse/internal/org"
	"gatehouse/internal/scim"
)

// UpdateUser changes a person as c says: their profile's attributes, their address and name
// on the account, and whether they are active (a deactivation may be held, see hold.go).
func (s *Service) UpdateUser(ctx context.Context, id string, c scim.UserChange) (scim.User, error) {
	p, err := principalOf(ctx)
	if err != nil {
		return scim.User{}, err
	}
	cfg, err := s.config(ctx, p.OrgID)
	if err != nil {
		return scim.User{}, err
	}
	x, err := s.find(ctx, p, id)
	if err == nil {
		err = s.voidStaleHolds(ctx, p, []person{x})
	}
	if err != nil {
		return scim.User{}, toSCIM(err)
	}
	before := x.user(s.nowUTC())
	after := c.Apply(before)
	prof := s.profileOf(p, x, before)
	prev, base := x.prof, prof
	prof.UserName, prof.ExternalID, prof.GivenName, prof.FamilyName, prof.DisplayName =
		after.UserName, after.ExternalID, after.GivenName, after.FamilyName, after.DisplayName
	// A userName or externalId someone else holds is refused before the account is touched;
	// the profile's write below holds them in one transaction, so a request that takes one
	// meanwhile is still refused, however late.
	if err := s.checkUnique(ctx, p, prof.ID, before, after); err != nil {
		return scim.User{}, err
	}
	if c.Active != nil && *c.Active && !before.Active {
		if err := s.mayReactivate(x, prof); err != nil {
			return scim.User{}, err
		}
	}

	// The account follows the address and the name; a pending invitation cannot change its
	// address, so the new address is invited in its place. A deactivation comes first: the
	// last admin's is refused before anything else changed, and a pending invitation being
	// withdrawn keeps a new address sent with it for when the person is invited again,
	// rather than inviting it now to withdraw it at once.
	applied := base // the profile with only what the account has been changed to
	active := c.Active != nil && *c.Active != before.Active
	if active && !*c.Active {
		if x, err = s.setActive(ctx, p, cfg, x, &prof, false); err != nil {
			return scim.User{}, toSCIM(err)
		}
		prof.Ref, active = refOf(x), false
		applied.Ref, applied.HeldInactive, applied.Withdrawn = prof.Ref, prof.HeldInactive, prof.Withdrawn
	}
	if after.Email != before.Email || fullName(after.DisplayName, after.GivenName, after.FamilyName) != fullName(before.DisplayName, before.GivenName, before.FamilyName) || after.ExternalID != before.ExternalID {
		if x, err = s.readdress(ctx, p, cfg, x, &prof, after); err != nil {
			s.keepApplied(ctx, prev, base, applied)
			return scim.User{}, toSCIM(err)
		}
		prof.Ref = refOf(x)
		applied = prof // the account has the new address and name: so may the profile
	}
	if active {
		if x, err = s.setActive(ctx, p, cfg, x, &prof, *c.Active); err != nil {
			s.keepApplied(ctx, prev, base, applied)
			return scim.User{}, toSCIM(err)
		}
		prof.Ref = refOf(x)
	}
	prof.LastModified = s.nowUTC()
	if err := s.store.PutProfile(ctx, prev, prof); err != nil {
		return scim.User{}, toSCIM(err)
	}
	x.prof = &prof
	return x.user(s.nowUTC()), nil
}

// keepApplied stores applied, the profile as it was but for what a request had already
// changed on the account when a later step failed, so that the profile still names the
// account and says what it is (a held deactivation marked, the new name kept). Best effort:
// the request fails anyway.
func (s *Service) keepApplied(ctx context.Context, prev *Profile, base, applied Profile) {
	if base == applied {
		return // nothing was changed yet
	}
	applied.LastModified = s.nowUTC()
	if err := s.store.PutProfile(ctx, prev, applied); err != nil {
		s.log.WarnContext(ctx, "scim profile not kept after a failed change", "org", applied.OrgID, "person", applied.ID, "err", err)
	}
}

// checkUnique refuses with ErrUniqueness a userName or externalId, changed from before to
// after, that another profile than id holds.
func (s *Service) checkUnique(ctx context.Context, p org.Principal, id string, before, after scim.User) error {
	if !strings.EqualFold(after.UserName, before.UserName) {
		if other, err := s.store.ProfileByUserName(ctx, p.OrgID, after.UserName); err == nil && other.ID != id {
			return scim.WithDetail(scim.ErrUniqueness, "userName "+after.UserName+" is taken by another user")
		} else if err != nil && !errors.Is(err, org.ErrNotFound) {
			return toSCIM(fmt.Errorf("read the holder of userName %s: %w", after.UserName, err))
		}
	}
	if after.ExternalID != "" && after.ExternalID != before.ExternalID {
		if other, err := s.store.ProfileByExternalID(ctx, p.OrgID, after.ExternalID); err == nil && other.ID != id {
			return scim.WithDetail(scim.ErrUniqueness, "externalId "+after.ExternalID+" is taken by another user")
		} else if err != nil && !errors.Is(err, org.ErrNotFound) {
			return toSCIM(fmt.Errorf("read the holder of externalId %s: %w", after.ExternalID, err))
		}
	}
	return nil
}

// profileOf is x's profile, or a new one made from what SCIM shows of them now.
func (s *Service) profileOf(p org.Principal, x person, u scim.User) Profile {
	if x.prof != nil {
		return *x.prof
	}
	return Profile{OrgID: p.OrgID, ID: u.ID, Ref: refOf(x), UserName: u.UserName, ExternalID: u.ExternalID,
		DisplayName: u.DisplayName, Created: u.Created}
}

// refOf is the account x stands for: the member, else the invitation.
func refOf(x person) string {
	if x.mem != nil {
		return x.mem.ID
	}
	return x.inv.ID
}

// readdress gives x's account the address, name and identity-provider id of u. A person
// without a live invitation (withdrawn, or past its expiry) has no account to change: a new
// address is kept in prof, and invited when the person is asked for again (setActive).
func (s *Service) readdress(ctx context.Context, p org.Principal, cfg Config, x person, prof *Profile, u scim.User) (person, error) {
	name := fullName(u.DisplayName, u.GivenName, u.FamilyName)
	if x.mem != nil {
		m, err := s.orgs.UpdateProfile(ctx, p, x.mem.ID, org.Profile{Name: name, Email: u.Email, ExternalID: u.ExternalID})
		if err != nil {
			return x, err
		}
		return person{mem: &m, prof: x.prof}, nil
	}
	inv := *x.inv
	email, err := org.NormalizeEmail("email", u.Email)
	if err != nil {
		return x, err
	}
	if inv.StatusAt(s.nowUTC()) != org.StatusPending {
		prof.Email = ""
		if email != inv.Email {
			prof.Email = email
		}
		return x, nil
	}
	if email == inv.Email {
		renamed, err := s.orgs.RenameInvitation(ctx, p, inv.ID, name, u.ExternalID)
		if err != nil {
			return x, err
		}
		return person{inv: &renamed, prof: x.prof}, nil
	}
	// The new address is invited first: refused (taken, outside the allowed domains), it
	// changes nothing, and the person keeps their invitation. Only then is the old one
	// withdrawn; should that fail, the new one is, so the person still has exactly one.
	next, err := s.invite(ctx, p, cfg, inv.Role, u.Email, name, u.ExternalID)
	if err != nil {
		return x, err
	}
	if _, err := s.orgs.Revoke(ctx, p, inv.ID); err != nil {
		if _, rerr := s.orgs.Revoke(ctx, p, next.ID); rerr != nil {
			s.log.WarnContext(ctx, "invitation of a failed address change not withdrawn", "org", p.OrgID, "invitation", next.ID, "err", rerr)
		}
		if errors.Is(err, org.ErrInvitationRevoked) || errors.Is(err, org.ErrInvitationAccepted) {
			// Accepted or withdrawn meanwhile: the identity provider's retry sees which.
			err = fmt.Errorf("invitation %s changed meanwhile (%w): %w", inv.ID, err, org.ErrConflict)
		}
		return x, fmt.Errorf("withdraw invitation %s for its new address: %w", inv.ID, err)
	}
	return person{inv: &next, prof: x.prof}, nil
}

// invite invites email as SCIM's person, as configured.
func (s *Service) invite(ctx context.Context, p org.Principal, cfg Config, role org.Role, email, name, ext string) (org.Invitation, error) {
	send := cfg.SendEmail
	c, err := s.orgs.Invite(ctx, p, org.InviteRequest{Email: email, Name: name, Role: string(role), SendEmail: &send, ExternalID: ext})
	if err != nil {
		return org.Invitation{}, err
	}
	return c.Invitation, nil
}

// setActive deactivates or reactivates x as SCIM asked. A deactivation beyond the window's
// limit is held (prof is marked, the account stays); a reactivation first takes back a held
// deactivation; a withdrawn invitation is invited again.
func (s *Service) setActive(ctx context.Context, p org.Principal, cfg Config, x person, prof *Profile, active bool) (person, error) {
	if !active {
		held, slot, err := s.hold(ctx, p, cfg, x, prof)
		if err != nil || held {
			return x, err
		}
		next, applied, err := s.deactivate(ctx, p, x, prof)
		if !applied {
			// Refused (the last admin) or done already: it used up nothing of the window.
			s.uncount(ctx, p.OrgID, slot)
		}
		return next, err
	}
	if prof.HeldInactive {
		// The deactivation was held, so the account is still active: take it back.
		prof.HeldInactive = false
		if err := s.unhold(ctx, p, cfg, prof.ID); err != nil {
			return x, err
		}
	}
	if x.mem != nil {
		if x.mem.Status == org.MemberActive {
			return x, nil
		}
		m, err := s.orgs.Reactivate(ctx, p.Announcing(org.AnnounceProvisioned), x.mem.ID)
		if err != nil {
			return x, err
		}
		return person{mem: &m, prof: x.prof}, nil
	}
	status := x.inv.StatusAt(s.nowUTC())
	if status == org.StatusPending {
		return x, nil
	}
	role, err := s.roleOf(ctx, p, cfg, prof.ID)
	if err != nil {
		return x, err
	}
	// Invited as the identity provider has them now: the address it asked for meanwhile,
	// the name and id the profile keeps.
	email, name, ext := x.inv.Email, x.inv.Name, prof.ExternalID
	if prof.Email != "" {
		email = prof.Email
	}
	if n := fullName(prof.DisplayName, prof.GivenName, prof.FamilyName); n != "" {
		name = n
	}
	next, err := s.invite(ctx, p.Announcing(org.AnnounceProvisioned), cfg, role, email, name, ext)
	if err != nil {
		return x, err
	}
	prof.Email, prof.Withdrawn = "", false
	if status == org.StatusExpired {
		// The expired invitation holds no address, but an admin could still resend it:
		// withdrawn, the person has one invitation to answer.
		if _, err := s.orgs.Revoke(ctx, p, x.inv.ID); err != nil && !errors.Is(err, org.ErrInvitationRevoked) && !errors.Is(err, org.ErrInvitationAccepted) {
			s.log.WarnContext(ctx, "expired invitation not withdrawn", "org", p.OrgID, "invitation", x.inv.ID, "err", err)
		}
	}
	return person{inv: &next, prof: x.prof}, nil
}

// deactivate withdraws x's invitation or deactivates x's member, applied at once, and
// reports whether it changed the account (false: refused, or nothing to do). A withdrawal
// is marked in prof: SCIM invites again only the people it withdrew itself.
func (s *Service) deactivate(ctx context.Context, p org.Principal, x person, prof *Profile) (person, bool, error) {
	if x.mem != nil {
		if x.mem.Status != org.MemberActive {
			return x, false, nil
		}
		m, err := s.orgs.Deactivate(ctx, p.Announcing(org.AnnounceDeprovisioned), x.mem.ID)
		if errors.Is(err, org.ErrMemberInactive) {
			return s.unchanged(ctx, p, x.mem.ID)
		}
		if err != nil {
			return x, false, err
		}
		return person{mem: &m, prof: x.prof}, true, nil
	}
	if x.inv.StatusAt(s.nowUTC()) != org.StatusPending {
		return x, false, nil // expired or withdrawn already: nobody can use it
	}
	inv, err := s.orgs.Revoke(ctx, p.Announcing(org.AnnounceDeprovisioned), x.inv.ID)
	if errors.Is(err, org.ErrInvitationRevoked) || errors.Is(err, org.ErrInvitationAccepted) {
		// Withdrawn meanwhile, most likely by this request's retry: as asked.
		if errors.Is(err, org.ErrInvitationRevoked) {
			prof.Withdrawn = true
		}
		return s.unchanged(ctx, p, x.inv.ID)
	}
	if err != nil {
		return x, false, fmt.Errorf("withdraw invitation %s: %w", x.inv.ID, err)
	}
	prof.Withdrawn = true
	return person{inv: &inv, prof: x.prof}, true, nil
}

// unchanged reads the account ref names now, for a deactivation that found it changed
// meanwhile and so applied nothing.
func (s *Service) unchanged(ctx context.Context, p org.Principal, ref string) (person, bool, error) {
	x, err := s.resolve(ctx, p, ref)
	return x, false, err
}

// mayReactivate refuses with ErrMutability to make x active again when someone other than
// SCIM deactivated them: a member an admin (or directory sync) deactivated, an invitation an
// admin withdrew. Directory sync keeps the same rule: an admin's lock-out of a compromised
// account must not be undone by the identity provider's next cycle.
func (s *Service) mayReactivate(x person, prof Profile) error {
	switch {
	case x.mem != nil && x.mem.Status != org.MemberActive && x.mem.DeactivatedVia != org.SourceSCIM:
		by := "an admin"
		if x.mem.DeactivatedVia == org.SourceSync {
			by = "directory sync"
		}
		return scim.WithDetail(scim.ErrMutability, fmt.Sprintf("%s was deactivated in Gatehouse by %s, not by SCIM; SCIM reactivates only the people it deactivated, so an admin must reactivate them", x.mem.Email, by))
	case x.mem == nil && x.inv.StatusAt(s.nowUTC()) == org.StatusRevoked && !prof.Withdrawn:
		return scim.WithDetail(scim.ErrMutability, fmt.Sprintf("the invitation of %s was withdrawn in Gatehouse by an admin, not by SCIM; SCIM invites again only the people it withdrew, so an admin must invite them", x.inv.Email))
	}
	return nil
}
