// Package provision keeps an organization's people and groups as its identity provider
// pushes them over SCIM: it implements the scim package's Backend on the organization
// service's own operations (so every rule of package org holds: addresses, allowed domains,
// the last admin, the audit log), maps groups to roles by org.RoleFromGroups, and holds
// deactivations beyond the configured window for an admin instead of applying them.
package provision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/org"
)

// Orgs is what provisioning needs of the organization service.
type Orgs interface {
	Invite(ctx context.Context, p org.Principal, req org.InviteRequest) (org.Created, error)
	Invitation(ctx context.Context, p org.Principal, id string) (org.Invitation, error)
	Member(ctx context.Context, p org.Principal, id string) (org.Member, error)
	Accounts(ctx context.Context, p org.Principal) ([]org.Member, []org.Invitation, error)
	HolderOf(ctx context.Context, p org.Principal, email string) (org.Holder, error)
	Revoke(ctx context.Context, p org.Principal, id string) (org.Invitation, error)
	Deactivate(ctx context.Context, p org.Principal, id string) (org.Member, error)
	Reactivate(ctx context.Context, p org.Principal, id string) (org.Member, error)
	ChangeRole(ctx context.Context, p org.Principal, id, role string) (org.Member, error)
	UpdateProfile(ctx context.Context, p org.Principal, id string, u org.Profile) (org.Member, error)
	RenameInvitation(ctx context.Context, p org.Principal, id, name, externalID string) (org.Invitation, error)
	SetInvitationRole(ctx context.Context, p org.Principal, id string, role org.Role) (org.Invitation, error)
}

// Runs is where held deactivations are collected: the organization's sync runs, which
// Store.HoldRun writes.
type Runs interface {
	GetRun(ctx context.Context, orgID, id string) (dirsync.Run, error)
}

// Service provisions people and groups over SCIM.
type Service struct {
	store Store
	runs  Runs
	orgs  Orgs
	log   *slog.Logger
	now   func() time.Time
	newID func() string
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service read the time from now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns a Service.
func New(store Store, runs Runs, orgs Orgs, log *slog.Logger, opts ...Option) *Service {
	s := &Service{store: store, runs: runs, orgs: orgs, log: log, now: time.Now, newID: func() string { return ulid.Make().String() }}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// The audit actions of SCIM's own settings.
const (
	ActionConfigured   = "scim.configured"
	ActionTokenCreated = "scim.token_created"
	ActionDisabled     = "scim.disabled"
)

// ErrNotConfigured means the organization has not turned SCIM on.
var ErrNotConfigured = errors.New("SCIM provisioning is not set up")

// ctxKey carries a SCIM request's state to the backend.
type ctxKey struct{}

// request is one SCIM request as the backend sees it: the principal its token acts as, and
// what it has just read, which the next read of the same thing takes instead of asking the
// store again, once. A PATCH reads the person to work out the change, then changes them: the
// second read would return the same item a millisecond later. Every write is conditional on
// what was read, so a copy that went stale meanwhile is refused, never applied.
type request struct {
	p        org.Principal
	cfg      *Config
	personID string
	person   *person
}

// Authorize checks a SCIM bearer token and returns ctx carrying the
// principal it acts as, with the settings it read; the backend serves only that
// principal's organization.
func (s *Service) Authorize(ctx context.Context, secret string) (context.Context, error) {
	c, err := s.authenticate(ctx, secret)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, ctxKey{}, &request{p: org.SCIMPrincipal(c.OrgID, c.TokenID), cfg: &c}), nil
}

// principalOf is the principal Authorize put in ctx.
func principalOf(ctx context.Context) (org.Principal, error) {
	r, ok := ctx.Value(ctxKey{}).(*request)
	if !ok || r.p.OrgID == "" {
		return org.Principal{}, fmt.Errorf("scim request without a principal: %w", org.ErrUnauthenticated)
	}
	return r.p, nil
}

// requestOf is ctx's request, nil outside one.
func requestOf(ctx context.Context) *request {
	r, _ := ctx.Value(ctxKey{}).(*request)
	return r
}

// audit builds an audit entry for a change p makes.
func (s *Service) audit(p org.Principal, at time.Time, action, targetType, targetID string, details map[string]string) org.AuditEntry {
	return org.AuditEntry{ID: s.newID(), OrgID: p.OrgID, At: at, Action: action, Actor: p.Actor, Source: p.Source,
		TargetType: targetType, TargetID: targetID, Details: details}
}
