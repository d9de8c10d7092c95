package org

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// Org is an organization: the boundary of every other item.
type Org struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// orgIDPattern keeps organization IDs short, readable and free of the separators used in
// keys and tokens.
var orgIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

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
	if !orgIDPattern.MatchString(req.ID) {
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
	o := Org{ID: req.ID, Name: name, CreatedAt: now}
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
