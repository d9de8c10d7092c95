package org

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Service carries out every operation on organizations. It checks permissions and rules,
// decides what to write, then hands one atomic write to its stores.
type Service struct {
	orgs        OrgStore
	invitations InvitationStore
	members     MemberStore
	tokens      TokenStore
	auditLog    AuditStore
	slack       SlackStore
	now         func() time.Time
	newID       func() string
	// manualSlack lets admins connect a Slack workspace by typing its team id (the local
	// stack only: elsewhere only Slack's install proves a workspace is theirs).
	manualSlack bool
	// lastTouch is when this process last recorded each token's use, by token id.
	lastTouch sync.Map
	// seen says what to read with the tokens this process authenticated (trust.go).
	seen    seenTokens
	metrics Metrics
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service read the time from now; tests use it to move time.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithManualSlack lets admins connect a Slack workspace by its team id, with no proof it is
// theirs: for the local stack, which has no Slack app to install.
func WithManualSlack() Option { return func(s *Service) { s.manualSlack = true } }

// WithIDs makes the Service take sortable IDs from newID instead of fresh ULIDs.
func WithIDs(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// NewService returns a Service over stores.
func NewService(stores Stores, opts ...Option) *Service {
	s := &Service{
		orgs:        stores.Orgs,
		invitations: stores.Invitations,
		members:     stores.Members,
		tokens:      stores.Tokens,
		auditLog:    stores.Audit,
		slack:       stores.Slack,
		now:         time.Now,
		newID:       func() string { return ulid.Make().String() },
		metrics:     nopMetrics{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Ping reports whether the store answers.
func (s *Service) Ping(ctx context.Context) error { return s.orgs.Ping(ctx) }

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
		Also:       p.Announce,
	}
}

// Authenticate resolves an API token secret into the principal it acts as.
func (s *Service) Authenticate(ctx context.Context, secret string, source Source) (Principal, error) {
	if !LooksLikeAPIToken(secret) {
		return Principal{}, ErrUnauthenticated
	}
	t, err := s.tokens.TokenByHash(ctx, HashSecret(secret))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Principal{}, ErrUnauthenticated
		}
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	return s.principalOf(ctx, t, source)
}

// stored settles a write whose outcome is unknown by reading back what it wrote (read
// answers ErrNotFound when it was not), even once ctx has ended: true when it was stored.
func (s *Service) stored(ctx context.Context, read func(context.Context) error) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return read(ctx) == nil
}
