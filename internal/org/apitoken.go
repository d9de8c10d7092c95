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
}

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
func (s *Service) CreateToken(ctx context.Context, p Principal, name, rawRole string) (NewToken, error) {
	if !p.isAdmin() {
		return NewToken{}, fmt.Errorf("create token: %w", ErrForbidden)
	}
	if rawRole == "" {
		return NewToken{}, Invalid("role", "required", "role is required: admin, member or viewer")
	}
	return s.createToken(ctx, p, name, rawRole)
}

// BootstrapToken creates an API token for orgID on behalf of an operator (the CLI and the
// local stack), where no token exists yet to authorize the call.
func (s *Service) BootstrapToken(ctx context.Context, orgID string, actor Actor, name, rawRole string) (NewToken, error) {
	p := Principal{OrgID: orgID, Role: RoleAdmin, Actor: actor, Source: SourceCLI}
	if _, err := s.orgs.GetOrg(ctx, orgID); err != nil {
		return NewToken{}, fmt.Errorf("bootstrap token for %s: %w", orgID, err)
	}
	return s.createToken(ctx, p, name, rawRole)
}

// createToken validates and stores a new token.
func (s *Service) createToken(ctx context.Context, p Principal, rawName, rawRole string) (NewToken, error) {
	var verr ValidationError
	name, err := NormalizeName("name", rawName)
	verr.Merge(err)
	if err == nil && name == "" {
		verr.Add("name", "required", "name is required, so the token can be recognised later")
	}
	role, err := ParseRole("role", rawRole, RoleAdmin)
	verr.Merge(err)
	if err := verr.Err(); err != nil {
		return NewToken{}, err
	}
	return s.storeToken(ctx, p, name, role, newAPISecret())
}

// storeToken saves a token with the given secret.
func (s *Service) storeToken(ctx context.Context, p Principal, name string, role Role, secret string) (NewToken, error) {
	now := s.nowUTC()
	t := APIToken{
		ID: "tok_" + s.newID(), OrgID: p.OrgID, Name: name, Role: role,
		Hash: HashSecret(secret), Hint: secret[len(secret)-4:], CreatedAt: now, CreatedBy: p.Actor,
	}
	a := s.audit(p, now, ActionTokenCreated, "token", t.ID, map[string]string{"name": name, "role": string(role)})
	if err := s.tokens.CreateToken(ctx, t, a); err != nil {
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
	return s.storeToken(ctx, p, "Demo Admin", RoleAdmin, secret)
}

// Tokens lists the caller's organization's API tokens (never their secrets).
func (s *Service) Tokens(ctx context.Context, p Principal) ([]APIToken, error) {
	if !p.isAdmin() {
		return nil, fmt.Errorf("list tokens: %w", ErrForbidden)
	}
	return s.tokens.ListTokens(ctx, p.OrgID)
}

// RevokeToken deletes an API token; it stops working at once.
func (s *Service) RevokeToken(ctx context.Context, p Principal, id string) error {
	if !p.isAdmin() {
		return fmt.Errorf("revoke token: %w", ErrForbidden)
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
	return Principal{OrgID: t.OrgID, Role: t.Role, Actor: Actor{Type: "token", ID: t.ID, Name: t.Name}, Source: source}, nil
}
