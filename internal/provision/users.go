package provision

import (
	"context"
	"errors"
	"fmt"

	"gatehouse/internal/org"
	"gatehouse/internal/scim"
)

var _ scim.Backend = (*Service)(nil)

// ListUsers answers a SCIM list: lookups by userName, externalId, address or id read only
// that person; a list without a filter reads the whole organization.
func (s *Service) ListUsers(ctx context.Context, q scim.UserQuery) ([]scim.User, int, error) {
	p, err := principalOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	var people []person
	f := q.Filter
	switch {
	case f.ID != "":
		people, err = s.one(s.find(ctx, p, f.ID))
	case f.UserName != "":
		people, err = s.one(s.byUserName(ctx, p, f.UserName))
	case f.ExternalID != "":
		people, err = s.one(s.byExternalID(ctx, p, f.ExternalID))
	case f.Email != "":
		people, err = s.one(s.byEmail(ctx, p, f.Email))
	default:
		people, err = s.everyone(ctx, p)
	}
	if err == nil {
		err = s.voidStaleHolds(ctx, p, people)
	}
	if err != nil {
		return nil, 0, toSCIM(err)
	}
	var match []scim.User
	now := s.nowUTC()
	for _, x := range people {
		if u := x.user(now); f.Matches(u) {
			match = append(match, u)
		}
	}
	from := min(q.Page.Offset, len(match))
	return match[from:min(from+q.Page.Count, len(match))], len(match), nil
}

// one makes a lookup's answer a list: empty when nobody matched.
func (s *Service) one(x person, err error) ([]person, error) {
	if errors.Is(err, scim.ErrNotFound) || errors.Is(err, org.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []person{x}, nil
}

// byUserName finds the person SCIM named userName, or, for people invited another way,
// the one whose address it is (so an identity provider's "match existing users" finds them).
func (s *Service) byUserName(ctx context.Context, p org.Principal, userName string) (person, error) {
	prof, err := s.store.ProfileByUserName(ctx, p.OrgID, userName)
	switch {
	case err == nil:
		x, err := s.resolve(ctx, p, prof.Ref)
		x.prof = &prof
		return x, err
	case !errors.Is(err, org.ErrNotFound):
		return person{}, err
	}
	return s.byEmail(ctx, p, userName)
}

// byExternalID finds the person of an identity-provider id.
func (s *Service) byExternalID(ctx context.Context, p org.Principal, ext string) (person, error) {
	prof, err := s.store.ProfileByExternalID(ctx, p.OrgID, ext)
	if err != nil {
		return person{}, err
	}
	x, err := s.resolve(ctx, p, prof.Ref)
	x.prof = &prof
	return x, err
}

// byEmail finds the person holding an address.
func (s *Service) byEmail(ctx context.Context, p org.Principal, email string) (person, error) {
	h, err := s.orgs.HolderOf(ctx, p, email)
	var verr *org.ValidationError
	if errors.As(err, &verr) {
		return person{}, org.ErrNotFound // not an address: nobody has it
	}
	if err != nil {
		return person{}, err
	}
	return s.find(ctx, p, h.ID)
}

// GetUser reads one person.
func (s *Service) GetUser(ctx context.Context, id string) (scim.User, error) {
	p, err := principalOf(ctx)
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
	if r := requestOf(ctx); r != nil {
		r.personID, r.person = id, &x
	}
	return x.user(s.nowUTC()), nil
}

// CreateUser invites a person, with the role their groups give (none yet: the default) and
// an email as configured. A taken userName, externalId or address is ErrUniqueness. A person
// created inactive (Entra creates disabled users) is created withdrawn: invited without an
// email and withdrawn at once, so nobody is told of an account they may not use, and
// active:true later invites them as configured.
func (s *Service) CreateUser(ctx context.Context, u scim.User) (scim.User, error) {
	p, err := principalOf(ctx)
	if err != nil {
		return scim.User{}, err
	}
	c, err := s.config(ctx, p.OrgID)
	if err != nil {
		return scim.User{}, err
	}
	if _, err := s.store.ProfileByUserName(ctx, p.OrgID, u.UserName); err == nil {
		return scim.User{}, scim.WithDetail(scim.ErrUniqueness, "userName "+u.UserName+" is taken")
	}
	if u.ExternalID != "" {
		if _, err := s.store.ProfileByExternalID(ctx, p.OrgID, u.ExternalID); err == nil {
			return scim.User{}, scim.WithDetail(scim.ErrUniqueness, "externalId "+u.ExternalID+" is taken")
		}
	}
	send := c.SendEmail && u.Active
	creator := p
	if u.Active {
		creator = p.Announcing(org.AnnounceProvisioned)
	}
	created, err := s.orgs.Invite(ctx, creator, org.InviteRequest{Email: u.Email, Name: fullName(u.DisplayName, u.GivenName, u.FamilyName),
		Role: string(org.RoleFromGroups(nil, c.RoleMappings, c.DefaultRole)), SendEmail: &send, ExternalID: u.ExternalID})
	if err != nil {
		return scim.User{}, toSCIM(err)
	}
	inv := created.Invitation
	now := s.nowUTC()
	prof := Profile{OrgID: p.OrgID, ID: inv.ID, Ref: inv.ID, UserName: u.UserName, ExternalID: u.ExternalID,
		GivenName: u.GivenName, FamilyName: u.FamilyName, DisplayName: u.DisplayName, Withdrawn: !u.Active, Created: now, LastModified: now}
	if err := s.store.PutProfile(ctx, nil, prof); err != nil {
		if org.Refused(err, org.PartAddress) {
			// Another request took the userName or externalId meanwhile: the invitation
			// just made would be a second person.
			if _, rerr := s.orgs.Revoke(ctx, p, inv.ID); rerr != nil {
				s.log.WarnContext(ctx, "invitation of a refused create not withdrawn", "org", p.OrgID, "invitation", inv.ID, "err", rerr)
			}
		}
		return scim.User{}, toSCIM(err)
	}
	if !u.Active {
		// Withdrawn after the profile is stored: should this fail, the identity provider's
		// retry finds the person (409, then its lookup) and deactivates them.
		if inv, err = s.orgs.Revoke(ctx, p, inv.ID); err != nil {
			return scim.User{}, toSCIM(fmt.Errorf("withdraw the invitation of a person created inactive: %w", err))
		}
	}
	if err := s.store.TouchConfig(ctx, p.OrgID, now, 1); err != nil {
		s.log.WarnContext(ctx, "scim people count not raised", "org", p.OrgID, "err", err)
	}
	return person{prof: &prof, inv: &inv}.user(now), nil
}

// config reads the organization's configuration for a SCIM request.
func (s *Service) config(ctx context.Context, orgID string) (Config, error) {
	if r := requestOf(ctx); r != nil && r.cfg != nil && r.cfg.OrgID == orgID {
		c := *r.cfg
		r.cfg = nil
		return c, nil
	}
	c, err := s.store.GetConfig(ctx, orgID)
	if err != nil {
		return Config{}, fmt.Errorf("read scim settings: %w", err)
	}
	return c, nil
}

// toSCIM turns the domain's refusals into the SCIM errors that say them.
func toSCIM(err error) error {
	var existing *org.ExistingError
	var verr *org.ValidationError
	var outside *org.DomainError
	var limited *org.RateLimitError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, scim.ErrNotFound), errors.Is(err, scim.ErrUniqueness), errors.Is(err, scim.ErrMutability),
		errors.Is(err, scim.ErrInvalidValue), errors.Is(err, scim.ErrUnavailable), errors.Is(err, scim.ErrTooMany):
		return err
	case errors.As(err, &existing):
		return scim.WithDetail(scim.ErrUniqueness, "the address belongs to "+existing.ID+" already")
	case errors.As(err, &outside):
		return scim.WithDetail(scim.ErrInvalidValue, outside.Error())
	case errors.As(err, &verr):
		return scim.WithDetail(scim.ErrInvalidValue, org.Messages(verr.Fields))
	case errors.Is(err, org.ErrLastAdmin):
		return scim.WithDetail(scim.ErrMutability, "the organization must keep an active admin: this person is its last one")
	case errors.As(err, &limited):
		return scim.WithDetail(scim.ErrUnavailable, limited.Reason)
	case errors.Is(err, org.ErrNotFound):
		return fmt.Errorf("%w: %w", scim.ErrNotFound, err)
	case org.Refused(err, org.PartAddress):
		return scim.WithDetail(scim.ErrUniqueness, "the userName or externalId is taken")
	case errors.Is(err, org.ErrConflict), errors.Is(err, org.ErrUnavailable):
		return fmt.Errorf("%w: %w", scim.ErrUnavailable, err)
	}
	return err
}
