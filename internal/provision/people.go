package provision

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gatehouse/internal/org"
	"gatehouse/internal/scim"
)

// person is one SCIM user as the organization has them: their profile, if SCIM made or
// touched them, and their account now (an invitation or a member).
type person struct {
	prof *Profile
	inv  *org.Invitation // the invitation, when the account has not been accepted
	mem  *org.Member
}

// id is the person's SCIM id: the profile's, or the account's as it began (the invitation
// a member came from).
func (x person) id() string {
	switch {
	case x.prof != nil:
		return x.prof.ID
	case x.mem != nil && x.mem.InvitationID != "":
		return x.mem.InvitationID
	case x.mem != nil:
		return x.mem.ID
	}
	return x.inv.ID
}

// email is the person's address now.
func (x person) email() string {
	if x.mem != nil {
		return x.mem.Email
	}
	return x.inv.Email
}

// user is the person as SCIM shows them at now: an invitation past its expiry is inactive,
// as it is to everyone else (org.Invitation.StatusAt).
func (x person) user(now time.Time) scim.User {
	u := scim.User{ID: x.id(), Email: x.email()}
	name := ""
	if x.mem != nil {
		u.Active = x.mem.Status == org.MemberActive
		u.ExternalID, name, u.Created, u.LastModified = x.mem.ExternalID, x.mem.Name, x.mem.JoinedAt, x.mem.UpdatedAt
	} else {
		u.Active = x.inv.StatusAt(now) == org.StatusPending
		u.ExternalID, name, u.Created, u.LastModified = x.inv.ExternalID, x.inv.Name, x.inv.CreatedAt, x.inv.UpdatedAt
	}
	u.UserName, u.DisplayName = u.Email, name
	if p := x.prof; p != nil {
		u.UserName, u.ExternalID, u.GivenName, u.FamilyName, u.DisplayName = p.UserName, p.ExternalID, p.GivenName, p.FamilyName, p.DisplayName
		u.Created = p.Created
		if p.LastModified.After(u.LastModified) {
			u.LastModified = p.LastModified
		}
		if p.Email != "" && x.mem == nil && !u.Active {
			u.Email = p.Email // asked for while withdrawn: invited when they are asked for again
		}
		if p.HeldInactive {
			u.Active = false // as the identity provider asked, while an admin decides
		}
	}
	return u
}

// fullName is the name an account gets from SCIM's name parts.
func fullName(display, given, family string) string {
	if d := strings.TrimSpace(display); d != "" {
		return d
	}
	return strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family))
}

// resolve reads the account ref names now: an invitation, or the member it became, or a member.
func (s *Service) resolve(ctx context.Context, p org.Principal, ref string) (person, error) {
	switch {
	case strings.HasPrefix(ref, "inv_"):
		inv, err := s.orgs.Invitation(ctx, p, ref)
		if err != nil {
			return person{}, notFound(err)
		}
		if inv.Status == org.StatusAccepted && inv.MemberID != "" {
			m, err := s.orgs.Member(ctx, p, inv.MemberID)
			if err != nil {
				return person{}, notFound(err)
			}
			return person{mem: &m}, nil
		}
		return person{inv: &inv}, nil
	case strings.HasPrefix(ref, "usr_"):
		m, err := s.orgs.Member(ctx, p, ref)
		if err != nil {
			return person{}, notFound(err)
		}
		return person{mem: &m}, nil
	}
	return person{}, fmt.Errorf("user %s: %w", ref, scim.ErrNotFound)
}

// find reads the person whose SCIM id is id.
func (s *Service) find(ctx context.Context, p org.Principal, id string) (person, error) {
	if r := requestOf(ctx); r != nil && r.person != nil && r.personID == id {
		x := *r.person
		r.personID, r.person = "", nil
		return x, nil
	}
	prof, err := s.store.GetProfile(ctx, p.OrgID, id)
	switch {
	case err == nil:
		x, err := s.resolve(ctx, p, prof.Ref)
		x.prof = &prof
		return x, err
	case !errors.Is(err, org.ErrNotFound):
		return person{}, fmt.Errorf("read scim profile %s: %w", id, err)
	}
	x, err := s.resolve(ctx, p, id)
	if err != nil {
		return person{}, err
	}
	// id names an account, not a profile: the member an invitation became, or an account
	// SCIM made later for a profile (a re-invitation after a withdrawal, a new address).
	// The person is known by their profile's id whichever account they are asked for by.
	prof, err = s.profileOfAccount(ctx, p.OrgID, x, id)
	switch {
	case err == nil:
		if prof.Ref == refOf(x) {
			x.prof = &prof
			return x, nil
		}
		x, err := s.resolve(ctx, p, prof.Ref)
		x.prof = &prof
		return x, err
	case !errors.Is(err, org.ErrNotFound):
		return person{}, fmt.Errorf("read the scim profile of %s: %w", id, err)
	}
	return x, nil
}

// profileOfAccount finds the profile of the person whose account x is (asked for as id),
// ErrNotFound when SCIM has none for them.
func (s *Service) profileOfAccount(ctx context.Context, orgID string, x person, id string) (Profile, error) {
	// A member who came by invitation is known by that invitation's id.
	if canon := x.id(); canon != id {
		if prof, err := s.store.GetProfile(ctx, orgID, canon); !errors.Is(err, org.ErrNotFound) {
			return prof, err
		}
	}
	accounts := []string{refOf(x)}
	if x.mem != nil && x.mem.InvitationID != "" {
		accounts = append(accounts, x.mem.InvitationID)
	}
	for _, a := range accounts {
		if prof, err := s.store.ProfileByRef(ctx, orgID, a); !errors.Is(err, org.ErrNotFound) {
			return prof, err
		}
	}
	return Profile{}, fmt.Errorf("scim profile of %s: %w", id, org.ErrNotFound)
}

// everyone reads every person of the organization: each member and live invitation, with
// their profiles, and the people SCIM withdrew (whose invitations are no longer live).
func (s *Service) everyone(ctx context.Context, p org.Principal) ([]person, error) {
	members, invs, err := s.orgs.Accounts(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	profiles, err := s.store.ListProfiles(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("read scim profiles: %w", err)
	}
	byRef := make(map[string]*Profile, len(profiles))
	for i := range profiles {
		byRef[profiles[i].Ref] = &profiles[i]
	}
	seen := make(map[string]bool, len(members)+len(invs))
	var out []person
	for i := range members {
		m := &members[i]
		x := person{mem: m, prof: byRef[m.InvitationID]}
		if x.prof == nil {
			x.prof = byRef[m.ID]
		}
		out = append(out, x)
		seen[x.id()] = true
	}
	for i := range invs {
		x := person{inv: &invs[i], prof: byRef[invs[i].ID]}
		if !seen[x.id()] {
			out = append(out, x)
			seen[x.id()] = true
		}
	}
	for i := range profiles {
		if seen[profiles[i].ID] {
			continue
		}
		x, err := s.resolve(ctx, p, profiles[i].Ref)
		if errors.Is(err, scim.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		x.prof = &profiles[i]
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id() < out[j].id() })
	return out, nil
}

// notFound maps the domain's not-found to SCIM's.
func notFound(err error) error {
	if errors.Is(err, org.ErrNotFound) {
		return fmt.Errorf("%w: %w", scim.ErrNotFound, err)
	}
	return err
}
