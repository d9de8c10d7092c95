package org

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// APIToken is a credential that acts in one organization with one role. Only the SHA-256
// of its secret is kept.
type APIToken struct {
	ID        string
	OrgID     string
	Name      string
	Role      Role
	Hash      string // hex SHA-256 of the secret
	Hint      string // the secret's last four characters, to tell tokens apart
	CreatedAt time.Time
	CreatedBy Actor
	// ExpiresAt is when the token stops working; zero for never.
	ExpiresAt time.Time
	// OwnerID is the member the token acts for, if any: it never does more than the
	// member's role allows, and stops working when the member is deactivated.
	OwnerID string
	// LastUsedAt is about when the token last authenticated (kept to the minute).
	LastUsedAt time.Time
}

// ExpiredAt reports whether the token has expired at now.
func (t APIToken) ExpiredAt(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// MaxTokenDays bounds a token's lifetime when it has one.
const MaxTokenDays = 365

// TokenOption sets something of a token being created.
type TokenOption func(*tokenSpec)

type tokenSpec struct {
	expiresInDays *int
	ownerID       string
	// notAfter is the expiry of the token making this one: it never outlives its maker.
	notAfter time.Time
}

// ExpiresInDays makes the token stop working days days after it is created (1 to 365).
func ExpiresInDays(days int) TokenOption { return func(s *tokenSpec) { s.expiresInDays = &days } }

// OwnedBy makes the token act for member id: at most with the member's role, and only while
// the member is active.
func OwnedBy(id string) TokenOption { return func(s *tokenSpec) { s.ownerID = id } }

// Errors of tokens' lifecycles; both are ErrUnauthenticated too.
var (
	// ErrTokenExpired: the token's expiry has passed.
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenOwnerInactive: the member the token acts for is deactivated or gone.
	ErrTokenOwnerInactive = errors.New("token's owner is not an active member")
)

// apiTokenPrefix marks Gatehouse API tokens so secret scanners and people can recognise them.
const apiTokenPrefix = "ghk_"

// newAPISecret returns a fresh API token secret.
func newAPISecret() string { return apiTokenPrefix + newSecret() }

// LooksLikeAPIToken reports whether s has the shape of an API token secret, so obvious
// garbage is refused without a store lookup.
func LooksLikeAPIToken(s string) bool {
	return strings.HasPrefix(s, apiTokenPrefix) && len(s) == len(apiTokenPrefix)+43
}

// NewToken is a freshly created API token with its secret, which is shown once.
type NewToken struct {
	Token  APIToken
	Secret string
}

// CreateToken creates an API token for the caller's organization. Only admins create tokens,
// and they name the role: nobody gets an admin token by leaving it out.
// A token made by a token that acts for a member acts for that member too.
func (s *Service) CreateToken(ctx context.Context, p Principal, name, rawRole string, opts ...TokenOption) (NewToken, error) {
	if err := p.Require(RoleAdmin, "creating API tokens"); err != nil {
		return NewToken{}, err
	}
	if rawRole == "" {
		return NewToken{}, Invalid("role", "required", "role is required: admin, member or viewer")
	}
	spec := tokenSpec{ownerID: p.OwnerID, notAfter: p.ExpiresAt}
	for _, o := range opts {
		o(&spec)
	}
	if p.OwnerID != "" && spec.ownerID != p.OwnerID {
		return NewToken{}, Invalid("ownerId", "invalid_owner", "a token acting for a member makes tokens acting for the same member only")
	}
	return s.createToken(ctx, p, name, rawRole, spec)
}

// BootstrapToken creates an API token for orgID on behalf of an operator (the CLI and the
// local stack), where no token exists yet to authorize the call.
func (s *Service) BootstrapToken(ctx context.Context, orgID string, actor Actor, name, rawRole string) (NewToken, error) {
	p := Principal{OrgID: orgID, Role: RoleAdmin, Actor: actor, Source: SourceCLI}
	if _, err := s.orgs.GetOrg(ctx, orgID); err != nil {
		return NewToken{}, fmt.Errorf("bootstrap token for %s: %w", orgID, err)
	}
	return s.createToken(ctx, p, name, rawRole, tokenSpec{})
}

// createToken validates and stores a new token.
func (s *Service) createToken(ctx context.Context, p Principal, rawName, rawRole string, spec tokenSpec) (NewToken, error) {
	var verr ValidationError
	name, err := NormalizeName("name", rawName)
	verr.Merge(err)
	if err == nil && name == "" {
		verr.Add("name", "required", "name is required, so the token can be recognised later")
	}
	role, err := ParseRole("role", rawRole, RoleAdmin)
	verr.Merge(err)
	if d := spec.expiresInDays; d != nil && (*d < 1 || *d > MaxTokenDays) {
		verr.Add("expiresInDays", "invalid_expiry", fmt.Sprintf("expiresInDays must be between 1 and %d; leave it out for a token that does not expire", MaxTokenDays))
	} else if d != nil && !spec.notAfter.IsZero() && s.nowUTC().AddDate(0, 0, *d).After(spec.notAfter) {
		verr.Add("expiresInDays", "invalid_expiry", "your token expires at "+spec.notAfter.Format(time.RFC3339)+
			", and the tokens it makes expire no later; ask for fewer days or leave it out")
	}
	if err := verr.Err(); err != nil {
		return NewToken{}, err
	}
	if spec.ownerID != "" {
		m, err := s.members.GetMember(ctx, p.OrgID, spec.ownerID)
		switch {
		case errors.Is(err, ErrNotFound):
			return NewToken{}, Invalid("ownerId", "invalid_owner", "ownerId must name a member of the organization")
		case err != nil:
			return NewToken{}, fmt.Errorf("read owner %s: %w", spec.ownerID, err)
		case m.Status != MemberActive:
			return NewToken{}, Invalid("ownerId", "invalid_owner", "ownerId names a deactivated member")
		case role.rank() > m.Role.rank():
			return NewToken{}, Invalid("role", "invalid_role", "a token acting for a member may not have a higher role than the member ("+string(m.Role)+")")
		}
	}
	return s.storeToken(ctx, p, name, role, newAPISecret(), spec)
}

// storeToken saves a token with the given secret.
func (s *Service) storeToken(ctx context.Context, p Principal, name string, role Role, secret string, spec tokenSpec) (NewToken, error) {
	now := s.nowUTC()
	t := APIToken{
		ID: "tok_" + s.newID(), OrgID: p.OrgID, Name: name, Role: role,
		Hash: HashSecret(secret), Hint: secret[len(secret)-4:], CreatedAt: now, CreatedBy: p.Actor, OwnerID: spec.ownerID,
	}
	details := map[string]string{"name": name, "role": string(role)}
	switch d := spec.expiresInDays; {
	case d != nil:
		t.ExpiresAt = now.AddDate(0, 0, *d)
	case !spec.notAfter.IsZero():
		t.ExpiresAt = spec.notAfter // a token never outlives the token that made it
	}
	if !t.ExpiresAt.IsZero() {
		details["expiresAt"] = t.ExpiresAt.Format(time.RFC3339)
	}
	if t.OwnerID != "" {
		details["ownerId"] = t.OwnerID
	}
	a := s.audit(p, now, ActionTokenCreated, "token", t.ID, details)
	if err := s.tokens.CreateToken(ctx, t, a); err != nil {
		if errors.Is(err, ErrOutcomeUnknown) && s.stored(ctx, func(ctx context.Context) error {
			_, err := s.tokens.GetToken(ctx, t.OrgID, t.ID)
			return err
		}) {
			return NewToken{Token: t, Secret: secret}, nil // stored; its answer was lost
		}
		switch {
		case Refused(err, PartOrg):
			err = fmt.Errorf("organization %s: %w", t.OrgID, ErrNotFound)
		case Refused(err, PartToken):
			err = fmt.Errorf("token %s: %w", t.ID, ErrExists)
		}
		return NewToken{}, fmt.Errorf("create token: %w", err)
	}
	return NewToken{Token: t, Secret: secret}, nil
}

// DevToken stores a token with a caller-chosen secret, so local scripts can rely on a fixed
// value. The secret must have the shape of a generated one.
func (s *Service) DevToken(ctx context.Context, orgID, secret string) (NewToken, error) {
	if !LooksLikeAPIToken(secret) {
		return NewToken{}, Invalid("token", "invalid_token", "a token is ghk_ followed by 43 base64url characters")
	}
	if t, err := s.tokens.TokenByHash(ctx, HashSecret(secret)); err == nil {
		if t.OrgID != orgID {
			return NewToken{}, fmt.Errorf("this token already belongs to organization %s: %w", t.OrgID, ErrExists)
		}
		return NewToken{Token: t, Secret: secret}, nil
	}
	p := Principal{OrgID: orgID, Role: RoleAdmin, Actor: Actor{Type: "cli", ID: "dev"}, Source: SourceCLI}
	return s.storeToken(ctx, p, "Demo Admin", RoleAdmin, secret, tokenSpec{})
}

// Tokens lists the caller's organization's API tokens (never their secrets).
func (s *Service) Tokens(ctx context.Context, p Principal) ([]APIToken, error) {
	if err := p.Require(RoleAdmin, "listing API tokens"); err != nil {
		return nil, err
	}
	return s.tokens.ListTokens(ctx, p.OrgID)
}

// RevokeToken deletes an API token; it stops working at once.
func (s *Service) RevokeToken(ctx context.Context, p Principal, id string) error {
	if err := p.Require(RoleAdmin, "revoking API tokens"); err != nil {
		return err
	}
	t, err := s.tokens.GetToken(ctx, p.OrgID, id)
	if err != nil {
		return err
	}
	a := s.audit(p, s.nowUTC(), ActionTokenRevoked, "token", t.ID, map[string]string{"name": t.Name})
	if err := s.tokens.DeleteToken(ctx, t, a); err != nil {
		if Refused(err, PartToken) {
			err = fmt.Errorf("token %s: %w", t.ID, ErrNotFound)
		}
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	return nil
}

// TokenPrincipal is the principal API token tokenID of orgID acts as, read afresh: for a
// request that a token started and a browser finishes (Slack's install), so a token revoked
// meanwhile is refused with ErrUnauthenticated.
func (s *Service) TokenPrincipal(ctx context.Context, orgID, tokenID string, source Source) (Principal, error) {
	t, err := s.tokens.GetToken(ctx, orgID, tokenID)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("read token %s: %w", tokenID, err)
	}
	return s.principalOf(ctx, t, source)
}

// principalOf is the principal token t acts as now: refused once expired, and limited to
// its owner's role while its owner is active.
func (s *Service) principalOf(ctx context.Context, t APIToken, source Source) (Principal, error) {
	var owner *Member
	if t.OwnerID != "" {
		m, err := s.members.GetMember(ctx, t.OrgID, t.OwnerID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return Principal{}, fmt.Errorf("read the owner of token %s: %w", t.ID, err)
		default:
			owner = &m
		}
	}
	return s.principalRead(ctx, t, owner, source)
}

// principalRead is principalOf with the token's owner already read: nil when the token
// acts for nobody, or for a member that does not exist.
func (s *Service) principalRead(ctx context.Context, t APIToken, owner *Member, source Source) (Principal, error) {
	now := s.nowUTC()
	if t.ExpiredAt(now) {
		return Principal{}, fmt.Errorf("token %s expired at %s: %w: %w", t.ID, t.ExpiresAt.Format(time.RFC3339), ErrTokenExpired, ErrUnauthenticated)
	}
	p := principalFor(t, source)
	if t.OwnerID != "" {
		switch {
		case owner == nil || owner.ID != t.OwnerID || owner.Status != MemberActive:
			return Principal{}, fmt.Errorf("token %s: %w: %w", t.ID, ErrTokenOwnerInactive, ErrUnauthenticated)
		case owner.Role.rank() < p.Role.rank():
			p.Role = owner.Role
		}
	}
	s.seen.put(t.Hash, seen{orgID: t.OrgID, ownerID: t.OwnerID, at: now})
	s.touch(ctx, t, now)
	return p, nil
}

// principalFor is the principal token t acts as, before its owner's role limits it.
func principalFor(t APIToken, source Source) Principal {
	return Principal{OrgID: t.OrgID, Role: t.Role, Actor: Actor{Type: "token", ID: t.ID, Name: t.Name}, Source: source, OwnerID: t.OwnerID, ExpiresAt: t.ExpiresAt}
}

// touch records that token t was used, at most once a minute for each token and process.
func (s *Service) touch(ctx context.Context, t APIToken, now time.Time) {
	if now.Sub(t.LastUsedAt) >= time.Minute && s.touched(t.ID, now) {
		// A status, kept to the minute, never in the request's way.
		_ = s.tokens.TouchToken(ctx, t, now)
	}
}

// touched reports whether this process has not recorded token id's use in the last minute,
// and notes that it does now.
func (s *Service) touched(id string, now time.Time) bool {
	if last, ok := s.lastTouch.Load(id); ok && now.Sub(last.(time.Time)) < time.Minute {
		return false
	}
	s.lastTouch.Store(id, now)
	return true
}
