package org

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/oklog/ulid/v2"
)

// Service carries out every operation on organizations. It checks permissions and rules,
// then hands one atomic write to the Store.
type Service struct {
	store Store
	now   func() time.Time
	newID func() string
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service read the time from now; tests use it to move time.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithIDs makes the Service take sortable IDs from newID instead of fresh ULIDs.
func WithIDs(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{
		store: store,
		now:   time.Now,
		newID: func() string { return ulid.Make().String() },
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Ping reports whether the store answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// nowUTC is the current time in UTC, to the millisecond (what the store keeps).
func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// audit builds an audit entry for a change p makes.
func (s *Service) audit(p Principal, at time.Time, action, targetType, targetID string, details map[string]string) AuditEntry {
	return AuditEntry{
		ID:         s.newID(),
		OrgID:      p.OrgID,
		At:         at,
		Action:     action,
		Actor:      p.Actor,
		Source:     p.Source,
		TargetType: targetType,
		TargetID:   targetID,
		Details:    details,
	}
}

// Authenticate resolves an API token secret into the principal it acts as.
func (s *Service) Authenticate(ctx context.Context, secret string, source Source) (Principal, error) {
	if !LooksLikeAPIToken(secret) {
		return Principal{}, ErrUnauthenticated
	}
	t, err := s.store.TokenByHash(ctx, HashSecret(secret))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Principal{}, ErrUnauthenticated
		}
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	return Principal{
		OrgID:  t.OrgID,
		Role:   t.Role,
		Actor:  Actor{Type: "token", ID: t.ID, Name: t.Name},
		Source: source,
	}, nil
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
	if err := s.store.CreateOrg(ctx, o, admin, a); err != nil {
		return Org{}, fmt.Errorf("create organization %s: %w", o.ID, err)
	}
	return o, nil
}

// OrgName is an organization's display name, for pages shown to invited people.
func (s *Service) OrgName(ctx context.Context, orgID string) (string, error) {
	o, err := s.store.GetOrg(ctx, orgID)
	if err != nil {
		return "", fmt.Errorf("organization name: %w", err)
	}
	return o.Name, nil
}
