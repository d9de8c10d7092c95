package provision

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gatehouse/internal/org"
)

// Config is an organization's SCIM provisioning: the token its identity provider uses, what
// the people it brings in get, and the guardrail on deactivations.
type Config struct {
	OrgID          string
	TokenID        string
	TokenHash      string // SHA-256 of the token; the token itself is shown once
	TokenHint      string // the token's last four characters
	TokenCreatedAt time.Time
	DefaultRole    org.Role
	SendEmail      bool
	RoleMappings   []org.RoleMapping
	Hold           Hold
	// HeldRun is the sync run collecting the deactivations held now, if any.
	HeldRun string
	// People counts the people SCIM created; LastRequestAt is its last request (a status).
	People        int
	LastRequestAt time.Time
	UpdatedAt     time.Time
	UpdatedBy     org.Actor
}

// Hold is the guardrail on deactivations: within Window, more than max(Share × people under
// SCIM, Floor) are held for an admin instead of applied.
type Hold struct {
	Share  float64
	Floor  int
	Window time.Duration
}

// limit is how many deactivations a window may apply, for people under SCIM.
func (h Hold) limit(people int) int {
	return max(int(math.Floor(h.Share*float64(people)+1e-9)), h.Floor)
}

// Defaults of a configuration.
const (
	DefaultHoldShare  = 0.10
	DefaultHoldFloor  = 5
	DefaultHoldWindow = 60 * time.Minute
	// MaxRoleMappings bounds the groups that map to roles.
	MaxRoleMappings = 50
)

// ConfigRequest is what an admin sends to set SCIM up; absent fields keep their values (the
// defaults the first time).
type ConfigRequest struct {
	DefaultRole      string          `json:"defaultRole"`
	SendEmail        *bool           `json:"sendEmail"`
	RoleMappings     *[]mappingInput `json:"roleMappings"`
	DeactivationHold *holdInput      `json:"deactivationHold"`
}

type mappingInput struct {
	Group string `json:"group"`
	Role  string `json:"role"`
}

type holdInput struct {
	Share         *float64 `json:"share"`
	Floor         *int     `json:"floor"`
	WindowMinutes *int     `json:"windowMinutes"`
}

// apply checks r and applies it to c, reporting every field problem at once.
func (r ConfigRequest) apply(c *Config) error {
	var verr org.ValidationError
	if r.DefaultRole != "" {
		role, err := org.ParseRole("defaultRole", r.DefaultRole, org.RoleMember)
		verr.Merge(err)
		c.DefaultRole = role
	}
	if r.SendEmail != nil {
		c.SendEmail = *r.SendEmail
	}
	if r.RoleMappings != nil {
		c.RoleMappings = nil
		if len(*r.RoleMappings) > MaxRoleMappings {
			verr.Add("roleMappings", "too_many", fmt.Sprintf("roleMappings may list at most %d groups", MaxRoleMappings))
		}
		for i, m := range *r.RoleMappings {
			group := strings.TrimSpace(m.Group)
			if group == "" {
				verr.Add(fmt.Sprintf("roleMappings[%d].group", i), "required", "group must name a group, as its displayName in the identity provider")
			}
			role, err := org.ParseRole(fmt.Sprintf("roleMappings[%d].role", i), m.Role, "")
			verr.Merge(err)
			if err == nil && role == "" {
				verr.Add(fmt.Sprintf("roleMappings[%d].role", i), "required", "role is required: admin, member or viewer")
			}
			c.RoleMappings = append(c.RoleMappings, org.RoleMapping{Group: group, Role: role})
		}
	}
	if h := r.DeactivationHold; h != nil {
		if h.Share != nil {
			if v := *h.Share; math.IsNaN(v) || v <= 0 || v > 1 {
				verr.Add("deactivationHold.share", "invalid_share", "share must be more than 0 and at most 1, such as 0.1 for 10%")
			}
			c.Hold.Share = *h.Share
		}
		if h.Floor != nil {
			if v := *h.Floor; v < 1 || v > 100000 {
				verr.Add("deactivationHold.floor", "invalid_floor", "floor must be between 1 and 100000")
			}
			c.Hold.Floor = *h.Floor
		}
		if h.WindowMinutes != nil {
			if v := *h.WindowMinutes; v < 1 || v > 7*24*60 {
				verr.Add("deactivationHold.windowMinutes", "invalid_window", "windowMinutes must be between 1 and 10080 (a week)")
			}
			c.Hold.Window = time.Duration(*h.WindowMinutes) * time.Minute
		}
	}
	return verr.Err()
}

// defaults is a configuration before an admin has said anything.
func defaults(orgID string) Config {
	return Config{OrgID: orgID, DefaultRole: org.RoleMember, SendEmail: true,
		Hold: Hold{Share: DefaultHoldShare, Floor: DefaultHoldFloor, Window: DefaultHoldWindow}}
}

// Settings returns the caller's organization's SCIM configuration and status.
func (s *Service) Settings(ctx context.Context, p org.Principal) (Config, error) {
	if err := p.Require(org.RoleAdmin, "reading the SCIM settings"); err != nil {
		return Config{}, err
	}
	c, err := s.store.GetConfig(ctx, p.OrgID)
	if errors.Is(err, org.ErrNotFound) {
		return Config{}, ErrNotConfigured
	}
	if err != nil {
		return Config{}, fmt.Errorf("read scim settings: %w", err)
	}
	return c, nil
}

// Configure changes the caller's organization's SCIM settings, turning SCIM on (without a
// token until one is created) if it was off.
func (s *Service) Configure(ctx context.Context, p org.Principal, r ConfigRequest) (Config, error) {
	if err := p.Require(org.RoleAdmin, "configuring SCIM"); err != nil {
		return Config{}, err
	}
	prev, c, err := s.current(ctx, p.OrgID)
	if err != nil {
		return Config{}, err
	}
	if err := r.apply(&c); err != nil {
		return Config{}, err
	}
	c.UpdatedAt, c.UpdatedBy = s.nowUTC(), p.Actor
	a := s.audit(p, c.UpdatedAt, ActionConfigured, "scim", p.OrgID, map[string]string{"defaultRole": string(c.DefaultRole), "mappings": fmt.Sprint(len(c.RoleMappings))})
	if err := s.store.PutConfig(ctx, prev, c, a); err != nil {
		return Config{}, fmt.Errorf("store scim settings: %w", refusedAsConflict(err))
	}
	if prev != nil && (prev.DefaultRole != c.DefaultRole || !slices.Equal(prev.RoleMappings, c.RoleMappings)) {
		// The people under SCIM take the roles the new rule gives them.
		if err := s.reassign(ctx, org.SCIMPrincipal(p.OrgID, c.TokenID)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// current reads the organization's configuration, or the defaults when there is none (prev nil).
func (s *Service) current(ctx context.Context, orgID string) (*Config, Config, error) {
	c, err := s.store.GetConfig(ctx, orgID)
	switch {
	case errors.Is(err, org.ErrNotFound):
		return nil, defaults(orgID), nil
	case err != nil:
		return nil, Config{}, fmt.Errorf("read scim settings: %w", err)
	}
	prev := c
	return &prev, c, nil
}

// NewToken is a freshly created SCIM token with its secret, which is shown once.
type NewToken struct {
	Config Config
	Secret string
}

// tokenPrefix marks Gatehouse SCIM tokens: never taken for API tokens, and the other way round.
const tokenPrefix = "ghs_"

// CreateToken creates the organization's SCIM token, turning SCIM on; posting again rotates
// it, and the old token stops working at once.
func (s *Service) CreateToken(ctx context.Context, p org.Principal) (NewToken, error) {
	if err := p.Require(org.RoleAdmin, "making the SCIM token"); err != nil {
		return NewToken{}, err
	}
	if !p.Lasting() {
		return NewToken{}, fmt.Errorf("create scim token: %w", org.ErrLimitedToken)
	}
	prev, c, err := s.current(ctx, p.OrgID)
	if err != nil {
		return NewToken{}, err
	}
	secret := tokenPrefix + org.NewSecret()
	now := s.nowUTC()
	c.TokenID, c.TokenHash, c.TokenHint, c.TokenCreatedAt = "stk_"+s.newID(), org.HashSecret(secret), secret[len(secret)-4:], now
	c.UpdatedAt, c.UpdatedBy = now, p.Actor
	a := s.audit(p, now, ActionTokenCreated, "scim", c.TokenID, map[string]string{"rotated": fmt.Sprint(prev != nil && prev.TokenID != "")})
	if err := s.store.PutConfig(ctx, prev, c, a); err != nil {
		return NewToken{}, fmt.Errorf("store scim token: %w", refusedAsConflict(err))
	}
	return NewToken{Config: c, Secret: secret}, nil
}

// Disable turns SCIM off for the caller's organization: the token stops working; nobody is
// removed, and the people and groups it brought in stay.
func (s *Service) Disable(ctx context.Context, p org.Principal) error {
	c, err := s.Settings(ctx, p)
	if err != nil {
		return err
	}
	a := s.audit(p, s.nowUTC(), ActionDisabled, "scim", p.OrgID, nil)
	if err := s.store.DeleteConfig(ctx, c, a); err != nil {
		if org.Refused(err, org.PartRecord) {
			return ErrNotConfigured
		}
		return fmt.Errorf("turn scim off: %w", err)
	}
	return nil
}

// LooksLikeToken reports whether s has the shape of a SCIM token.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(s, tokenPrefix) && len(s) == len(tokenPrefix)+43
}

// authenticate resolves a SCIM token into its organization's settings; anything else (an
// API token included) is org.ErrUnauthenticated.
func (s *Service) authenticate(ctx context.Context, secret string) (Config, error) {
	if !LooksLikeToken(secret) {
		return Config{}, org.ErrUnauthenticated
	}
	c, err := s.store.ConfigByTokenHash(ctx, org.HashSecret(secret))
	if errors.Is(err, org.ErrNotFound) {
		return Config{}, org.ErrUnauthenticated
	}
	if err != nil {
		return Config{}, fmt.Errorf("authenticate scim token: %w", err)
	}
	if now := s.nowUTC(); now.Sub(c.LastRequestAt) >= time.Minute {
		// A status, written at most once a minute and never in the request's way.
		if err := s.store.TouchConfig(ctx, c.OrgID, now, 0); err != nil {
			s.log.WarnContext(ctx, "scim last request not recorded", "org", c.OrgID, "err", err)
		}
	}
	return c, nil
}

// refusedAsConflict says a configuration write refused because another changed it meanwhile.
func refusedAsConflict(err error) error {
	if org.Refused(err, org.PartRecord) {
		return fmt.Errorf("the scim settings changed meanwhile: %w", org.ErrConflict)
	}
	return err
}
