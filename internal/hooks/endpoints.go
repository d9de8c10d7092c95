package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gatehouse/internal/org"
	"gatehouse/internal/seal"
	"gatehouse/internal/webhook"
)

// EndpointRequest is what an admin sends to create an endpoint, or, with nil fields left
// alone, to change one.
type EndpointRequest struct {
	URL         *string   `json:"url"`
	Events      *[]string `json:"events"`
	Description *string   `json:"description"`
	Enabled     *bool     `json:"enabled"`
}

// NewEndpoint is a freshly made endpoint with its signing secret, shown once.
type NewEndpoint struct {
	Endpoint Endpoint
	Secret   string
}

// maxDescription bounds an endpoint's description.
const maxDescription = 200

// check validates the fields r sets onto e, reporting every problem at once.
func (s *Service) check(ctx context.Context, e *Endpoint, r EndpointRequest, creating bool) error {
	var verr org.ValidationError
	switch {
	case r.URL != nil:
		u := strings.TrimSpace(*r.URL)
		if err := webhook.CheckURL(ctx, u, s.local); err != nil {
			if errors.Is(err, webhook.ErrLookup) {
				return fmt.Errorf("check endpoint url: %w: %w", err, org.ErrUnavailable)
			}
			verr.Merge(err)
		}
		e.URL = u
	case creating:
		verr.Add("url", "required", "url is required: the https address Gatehouse posts events to, such as https://hooks.acme.com/gatehouse")
	}
	switch {
	case r.Events != nil:
		if err := webhook.ValidEvents(*r.Events); err != nil {
			verr.Merge(err)
		}
		e.Events = *r.Events
	case creating:
		verr.Add("events", "required", `events is required: the event types to send, such as ["invitation.accepted", "member.deactivated"], or ["*"] for all`)
	}
	if r.Description != nil {
		d := strings.TrimSpace(*r.Description)
		if len(d) > maxDescription || strings.ContainsFunc(d, func(r rune) bool { return r < ' ' }) {
			verr.Add("description", "invalid_description", fmt.Sprintf("description must be one line of at most %d characters", maxDescription))
		}
		e.Description = d
	}
	if r.Enabled != nil {
		if *r.Enabled && !e.Enabled { // turned on again: a fresh start
			e.DisabledReason, e.FailingSince = "", time.Time{}
		}
		e.Enabled = *r.Enabled
	}
	return verr.Err()
}

// CreateEndpoint makes an endpoint of p's organization, with its first signing secret. The
// store refuses one past MaxEndpoints (ErrTooManyEndpoints), counting in the same write.
func (s *Service) CreateEndpoint(ctx context.Context, p org.Principal, r EndpointRequest) (NewEndpoint, error) {
	if !p.Lasting() {
		if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
			return NewEndpoint{}, err
		}
		return NewEndpoint{}, fmt.Errorf("create webhook: %w", org.ErrLimitedToken)
	}
	if s.sealer == nil {
		return NewEndpoint{}, ErrNoSealer
	}
	now := s.nowUTC()
	e := Endpoint{ID: "whk_" + s.newID(), OrgID: p.OrgID, Enabled: true, CreatedAt: now, UpdatedAt: now, CreatedBy: p.Actor}
	if r.Enabled != nil {
		e.Enabled = *r.Enabled
	}
	if err := s.check(ctx, &e, r, true); err != nil {
		return NewEndpoint{}, err
	}
	secret := webhook.NewSecret()
	if err := s.seal(ctx, &e, []string{secret}); err != nil {
		return NewEndpoint{}, err
	}
	a := s.audit(p, now, ActionEndpointCreated, e.ID, map[string]string{"url": redactedURL(e.URL), "events": strings.Join(e.Events, ",")})
	if err := s.store.CreateEndpoint(ctx, e, a); err != nil {
		if org.Refused(err, PartEndpointCount) {
			return NewEndpoint{}, ErrTooManyEndpoints
		}
		return NewEndpoint{}, fmt.Errorf("store webhook: %w", err)
	}
	return NewEndpoint{Endpoint: e, Secret: secret}, nil
}

// seal seals secrets (the current one first) onto e.
func (s *Service) seal(ctx context.Context, e *Endpoint, secrets []string) error {
	b, err := json.Marshal(secrets)
	if err != nil {
		return err
	}
	sealed, err := s.sealer.Seal(ctx, e.OrgID, b)
	clear(b)
	if err != nil {
		return fmt.Errorf("seal webhook secret: %w", err)
	}
	e.Sealed, e.SecretHint = sealed, secrets[0][len(secrets[0])-4:]
	return nil
}

// secrets are e's signing secrets at now: the current one, and the one a rotation replaced
// while it still signs.
func (s *Service) secrets(ctx context.Context, e Endpoint) ([]string, error) {
	all, err := s.openSecrets(ctx, e)
	if err != nil {
		return nil, err
	}
	return s.liveSecrets(e, all), nil
}

// openSecrets is every secret sealed with e, the current one first.
func (s *Service) openSecrets(ctx context.Context, e Endpoint) ([]string, error) {
	if s.sealer == nil {
		return nil, ErrNoSealer
	}
	b, err := s.sealer.Open(ctx, e.OrgID, e.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open the secret of webhook %s: %w", e.ID, err)
	}
	defer clear(b)
	var secrets []string
	if err := json.Unmarshal(b, &secrets); err != nil || len(secrets) == 0 {
		return nil, fmt.Errorf("decode the secret of webhook %s: %w", e.ID, errors.Join(err, seal.ErrCorrupt))
	}
	return secrets, nil
}

// liveSecrets is those of all that sign now: the previous one only until e.PreviousUntil.
func (s *Service) liveSecrets(e Endpoint, all []string) []string {
	if len(all) > 1 && !s.nowUTC().Before(e.PreviousUntil) {
		return all[:1]
	}
	return all
}

// Endpoints lists p's organization's endpoints.
func (s *Service) Endpoints(ctx context.Context, p org.Principal) ([]Endpoint, error) {
	if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
		return nil, err
	}
	return s.store.ListEndpoints(ctx, p.OrgID)
}

// Endpoint reads one of p's organization's endpoints.
func (s *Service) Endpoint(ctx context.Context, p org.Principal, id string) (Endpoint, error) {
	if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
		return Endpoint{}, err
	}
	return s.store.GetEndpoint(ctx, p.OrgID, id)
}

// UpdateEndpoint changes what r sets. Pointing the endpoint at another URL or turning it on
// again sends events on after the token that did it is gone, as creating one does: only a
// Lasting principal may.
func (s *Service) UpdateEndpoint(ctx context.Context, p org.Principal, id string, r EndpointRequest) (Endpoint, error) {
	if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
		return Endpoint{}, err
	}
	prev, err := s.store.GetEndpoint(ctx, p.OrgID, id)
	if err != nil {
		return Endpoint{}, err
	}
	moved := r.URL != nil && strings.TrimSpace(*r.URL) != prev.URL
	enabling := r.Enabled != nil && *r.Enabled && !prev.Enabled
	if (moved || enabling) && !p.Lasting() {
		what := "change the url of"
		if !moved {
			what = "enable"
		}
		return Endpoint{}, fmt.Errorf("%s webhook %s: %w", what, id, org.ErrLimitedToken)
	}
	next := prev
	next.Events = append([]string(nil), prev.Events...)
	if err := s.check(ctx, &next, r, false); err != nil {
		return Endpoint{}, err
	}
	next.UpdatedAt = s.nowUTC()
	a := s.audit(p, next.UpdatedAt, ActionEndpointUpdated, id, map[string]string{"url": redactedURL(next.URL), "events": strings.Join(next.Events, ","),
		"enabled": fmt.Sprint(next.Enabled)})
	if err := s.store.UpdateEndpoint(ctx, prev, next, &a); err != nil {
		return Endpoint{}, conflicted(err)
	}
	return next, nil
}

// DeleteEndpoint removes an endpoint; its deliveries not yet made are dropped when due.
func (s *Service) DeleteEndpoint(ctx context.Context, p org.Principal, id string) error {
	if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
		return err
	}
	e, err := s.store.GetEndpoint(ctx, p.OrgID, id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteEndpoint(ctx, e, s.audit(p, s.nowUTC(), ActionEndpointDeleted, id, map[string]string{"url": redactedURL(e.URL)})); err != nil {
		return conflicted(err)
	}
	return nil
}

// RotateSecret gives an endpoint a new signing secret, shown once; the old one keeps
// signing alongside it for RotationOverlap, so a receiver can roll over.
func (s *Service) RotateSecret(ctx context.Context, p org.Principal, id string) (NewEndpoint, error) {
	if !p.Lasting() {
		if err := p.Require(org.RoleAdmin, "managing webhooks"); err != nil {
			return NewEndpoint{}, err
		}
		return NewEndpoint{}, fmt.Errorf("rotate webhook secret: %w", org.ErrLimitedToken)
	}
	prev, err := s.store.GetEndpoint(ctx, p.OrgID, id)
	if err != nil {
		return NewEndpoint{}, err
	}
	old, err := s.secrets(ctx, prev)
	if err != nil {
		return NewEndpoint{}, err
	}
	secret := webhook.NewSecret()
	next := prev
	now := s.nowUTC()
	if err := s.seal(ctx, &next, []string{secret, old[0]}); err != nil {
		return NewEndpoint{}, err
	}
	next.PreviousUntil, next.UpdatedAt = now.Add(RotationOverlap), now
	a := s.audit(p, now, ActionSecretRotated, id, nil)
	if err := s.store.UpdateEndpoint(ctx, prev, next, &a); err != nil {
		return NewEndpoint{}, conflicted(err)
	}
	return NewEndpoint{Endpoint: next, Secret: secret}, nil
}

// conflicted says a write was refused because the endpoint changed or went meanwhile.
func conflicted(err error) error {
	if org.Refused(err, org.PartRecord) {
		return fmt.Errorf("the webhook changed meanwhile: %w", org.ErrConflict)
	}
	return err
}

// audit builds an audit entry about endpoint id. Details name an endpoint's URL by its origin
// only (redactedURL): every role reads the audit log, and a URL's path or query often holds
// the receiver's secret.
func (s *Service) audit(p org.Principal, at time.Time, action, id string, details map[string]string) org.AuditEntry {
	return org.AuditEntry{ID: s.newID(), OrgID: p.OrgID, At: at, Action: action, Actor: p.Actor, Source: p.Source,
		TargetType: "webhook", TargetID: id, Details: details}
}
