package org

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Org is an organization: the boundary of every other item.
type Org struct {
	ID   string
	Name string
	// AllowedDomains, when set, are the only domains its people's addresses may have: an
	// entry such as "acme.com" allows that domain, "*.acme.com" any domain under it. Empty
	// allows every domain.
	AllowedDomains []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Allows reports whether the normalized address email may belong to a person of o.
func (o Org) Allows(email string) bool {
	if len(o.AllowedDomains) == 0 {
		return true
	}
	domain := DomainOf(email)
	for _, d := range o.AllowedDomains {
		if d == domain || (strings.HasPrefix(d, "*.") && strings.HasSuffix(domain, d[1:])) {
			return true
		}
	}
	return false
}

// DomainError refuses an address outside the organization's allowed domains; it wraps
// ErrDomainNotAllowed.
type DomainError struct {
	Email string
}

func (e *DomainError) Error() string {
	return "the domain of " + e.Email + " is not one of the organization's allowed domains"
}

// Unwrap lets errors.Is see ErrDomainNotAllowed.
func (e *DomainError) Unwrap() error { return ErrDomainNotAllowed }

// checkDomain refuses email if o does not allow it.
func checkDomain(o Org, email string) error {
	if o.Allows(email) {
		return nil
	}
	return &DomainError{Email: email}
}

// orgIDPattern keeps organization IDs short, readable and free of the separators used in
// keys and tokens. It is compiled on first use: its counted repetition makes a large program,
// which every cold start would pay for.
var orgIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`) })

// NewOrg is what an operator asks for when creating an organization.
type NewOrg struct {
	ID         string
	Name       string
	AdminEmail string // optional: the first admin member
	AdminName  string
}

// CreateOrg creates an organization, and its first admin member when one is named.
func (s *Service) CreateOrg(ctx context.Context, actor Actor, source Source, req NewOrg) (Org, error) {
	var verr ValidationError
	if !orgIDPattern().MatchString(req.ID) {
		verr.Add("id", "invalid_org_id", "organization id must be 1 to 63 lower-case letters, digits or hyphens")
	}
	name, err := NormalizeName("name", req.Name)
	verr.Merge(err)
	if name == "" {
		name = req.ID
	}
	var admin *Member
	now := s.nowUTC()
	if req.AdminEmail != "" {
		email, err := NormalizeEmail("adminEmail", req.AdminEmail)
		verr.Merge(err)
		adminName, err := NormalizeName("adminName", req.AdminName)
		verr.Merge(err)
		admin = &Member{
			ID: "usr_" + s.newID(), OrgID: req.ID, Email: email, Name: adminName,
			Role: RoleAdmin, Status: MemberActive, Source: source, JoinedAt: now, UpdatedAt: now,
		}
	}
	if err := verr.Err(); err != nil {
		return Org{}, err
	}
	o := Org{ID: req.ID, Name: name, CreatedAt: now, UpdatedAt: now}
	p := Principal{OrgID: o.ID, Role: RoleAdmin, Actor: actor, Source: source}
	a := s.audit(p, now, ActionOrganizationCreate, "organization", o.ID, map[string]string{"name": name})
	if err := s.orgs.CreateOrg(ctx, o, admin, a); err != nil {
		if Refused(err, PartOrg) {
			err = ErrExists
		}
		return Org{}, fmt.Errorf("create organization %s: %w", o.ID, err)
	}
	return o, nil
}

// OrgName is an organization's display name, for pages shown to invited people.
func (s *Service) OrgName(ctx context.Context, orgID string) (string, error) {
	o, err := s.orgs.GetOrg(ctx, orgID)
	if err != nil {
		return "", fmt.Errorf("organization name: %w", err)
	}
	return o.Name, nil
}

// Organization returns the caller's organization.
func (s *Service) Organization(ctx context.Context, p Principal) (Org, error) {
	if err := p.Require(RoleViewer, "reading the organization"); err != nil {
		return Org{}, err
	}
	o, err := s.orgs.GetOrg(ctx, p.OrgID)
	if err != nil {
		return Org{}, fmt.Errorf("read organization: %w", err)
	}
	return o, nil
}

// MaxAllowedDomains bounds an organization's list of allowed domains.
const MaxAllowedDomains = 50

// OrgPatch is what an admin changes of the organization; nil fields stay as they are.
type OrgPatch struct {
	Name           *string   `json:"name"`
	AllowedDomains *[]string `json:"allowedDomains"`
}

// OrgUpdate is an organization as an admin changed it, with the members whose addresses its
// allowed domains no longer cover: they stay, and are listed so an admin can decide.
type OrgUpdate struct {
	Org Org
	// Outside counts the active members outside the allowed domains; Sample lists up to 20.
	Outside int
	Sample  []Member
}

// ActionOrganizationUpdated is the audit action of a change to the organization.
const ActionOrganizationUpdated = "organization.updated"

// UpdateOrganization changes the caller's organization's name or allowed domains. Members
// outside newly allowed domains are reported, never removed; invitations outside them can no
// longer be accepted.
func (s *Service) UpdateOrganization(ctx context.Context, p Principal, patch OrgPatch) (OrgUpdate, error) {
	if err := p.Require(RoleAdmin, "changing the organization"); err != nil {
		return OrgUpdate{}, err
	}
	var verr ValidationError
	var name string
	var domains []string
	if patch.Name != nil {
		var err error
		name, err = NormalizeName("name", *patch.Name)
		verr.Merge(err)
		if err == nil && name == "" {
			verr.Add("name", "required", "name must not be empty")
		}
	}
	if patch.AllowedDomains != nil {
		domains = normalizeDomains(*patch.AllowedDomains, &verr)
	}
	if err := verr.Err(); err != nil {
		return OrgUpdate{}, err
	}
	before, err := s.orgs.GetOrg(ctx, p.OrgID)
	if err != nil {
		return OrgUpdate{}, fmt.Errorf("update organization: %w", err)
	}
	after := before
	if patch.Name != nil {
		after.Name = name
	}
	if patch.AllowedDomains != nil {
		after.AllowedDomains = domains
	}
	after.UpdatedAt = s.nowUTC()
	a := s.audit(p, after.UpdatedAt, ActionOrganizationUpdated, "organization", p.OrgID,
		map[string]string{"name": after.Name, "allowedDomains": strings.Join(after.AllowedDomains, " ")})
	if err := s.orgs.UpdateOrg(ctx, before, after, a); err != nil {
		return OrgUpdate{}, fmt.Errorf("update organization: %w", err)
	}
	return s.outside(ctx, after)
}

// outside lists the active members of o its allowed domains do not cover.
func (s *Service) outside(ctx context.Context, o Org) (OrgUpdate, error) {
	u := OrgUpdate{Org: o}
	if len(o.AllowedDomains) == 0 {
		return u, nil
	}
	members, _, err := s.members.Accounts(ctx, o.ID)
	if err != nil {
		return OrgUpdate{}, fmt.Errorf("read members: %w", err)
	}
	for _, m := range members {
		if m.Status == MemberActive && !o.Allows(m.Email) {
			u.Outside++
			if len(u.Sample) < 20 {
				u.Sample = append(u.Sample, m)
			}
		}
	}
	return u, nil
}

// normalizeDomains checks and normalizes a list of allowed domains, dropping repeats.
func normalizeDomains(raw []string, verr *ValidationError) []string {
	if len(raw) > MaxAllowedDomains {
		verr.Add("allowedDomains", "too_many", fmt.Sprintf("allowedDomains may list at most %d domains", MaxAllowedDomains))
		return nil
	}
	out := make([]string, 0, len(raw))
	for i, d := range raw {
		field := fmt.Sprintf("allowedDomains[%d]", i)
		wild := strings.HasPrefix(strings.TrimSpace(d), "*.")
		n, err := NormalizeDomain(field, strings.TrimPrefix(strings.TrimSpace(d), "*."))
		if err != nil {
			verr.Merge(err)
			continue
		}
		if wild {
			n = "*." + n
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
