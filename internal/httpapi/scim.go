package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"gatehouse/internal/org"
	"gatehouse/internal/provision"
	"gatehouse/internal/scim"
	"gatehouse/internal/view"
)

// Provisioning is what the SCIM routes need: the settings an admin manages, the tokens
// identity providers present, and the SCIM backend itself (*provision.Service).
type Provisioning interface {
	scim.Backend
	Settings(ctx context.Context, p org.Principal) (provision.Config, error)
	Configure(ctx context.Context, p org.Principal, r provision.ConfigRequest) (provision.Config, error)
	CreateToken(ctx context.Context, p org.Principal) (provision.NewToken, error)
	Disable(ctx context.Context, p org.Principal) error
	// Authorize checks a SCIM token and returns the context its requests are served in.
	Authorize(ctx context.Context, secret string) (context.Context, error)
}

// scimView is an organization's SCIM settings and status as the API shows them.
type scimView struct {
	BaseURL          string         `json:"baseUrl,omitempty"`
	Token            *scimTokenView `json:"token,omitempty"`
	DefaultRole      string         `json:"defaultRole"`
	SendEmail        bool           `json:"sendEmail"`
	RoleMappings     []mappingView  `json:"roleMappings"`
	DeactivationHold holdView       `json:"deactivationHold"`
	People           int            `json:"people"`
	LastRequestAt    timeView       `json:"lastRequestAt,omitzero"`
	HeldRun          string         `json:"heldRun,omitempty"`
	UpdatedAt        timeView       `json:"updatedAt"`
}

type scimTokenView struct {
	ID        string   `json:"id"`
	Hint      string   `json:"hint"`
	CreatedAt timeView `json:"createdAt"`
}

type mappingView struct {
	Group string `json:"group"`
	Role  string `json:"role"`
}

type holdView struct {
	Share         float64 `json:"share"`
	Floor         int     `json:"floor"`
	WindowMinutes int     `json:"windowMinutes"`
}

func (a *api) toSCIMView(c provision.Config) scimView {
	v := scimView{BaseURL: a.scimBase(), DefaultRole: string(c.DefaultRole), SendEmail: c.SendEmail, RoleMappings: []mappingView{},
		DeactivationHold: holdView{Share: c.Hold.Share, Floor: c.Hold.Floor, WindowMinutes: int(c.Hold.Window / time.Minute)},
		People:           c.People, LastRequestAt: view.At(c.LastRequestAt), HeldRun: c.HeldRun, UpdatedAt: view.At(c.UpdatedAt)}
	if c.TokenID != "" {
		v.Token = &scimTokenView{ID: c.TokenID, Hint: c.TokenHint, CreatedAt: view.At(c.TokenCreatedAt)}
	}
	for _, m := range c.RoleMappings {
		v.RoleMappings = append(v.RoleMappings, mappingView{Group: m.Group, Role: string(m.Role)})
	}
	return v
}

// scimBase is where identity providers reach SCIM: the public URL's /scim/v2.
func (a *api) scimBase() string {
	if a.publicURL == "" {
		return ""
	}
	return a.publicURL + "/scim/v2"
}

// createSCIMToken serves POST /api/v1/integrations/scim/token: a new token, shown once.
func (a *api) createSCIMToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nt, err := a.scim.CreateToken(r.Context(), principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"token": nt.Secret, "baseUrl": a.scimBase(), "settings": a.toSCIMView(nt.Config)})
	})
}

// getSCIM serves GET /api/v1/integrations/scim.
func (a *api) getSCIM() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := a.scim.Settings(r.Context(), principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, a.toSCIMView(c))
	})
}

// putSCIM serves PUT /api/v1/integrations/scim {"defaultRole", "sendEmail", "roleMappings",
// "deactivationHold"}.
func (a *api) putSCIM() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req provision.ConfigRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		c, err := a.scim.Configure(r.Context(), principalFrom(r.Context()), req)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, a.toSCIMView(c))
	})
}

// deleteSCIM serves DELETE /api/v1/integrations/scim: SCIM is off, the token dies, nobody
// is removed.
func (a *api) deleteSCIM() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.scim.Disable(r.Context(), principalFrom(r.Context())); err != nil {
			a.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// scimEndpoint serves /scim/v2/… (paths below it, the prefix stripped) for identity providers: a SCIM token, and only a SCIM
// token, of one organization (an API token is refused, as a SCIM token is on /api/v1). The
// scheme is compared without regard to case (RFC 7235), as on /api/v1.
func (a *api) scimEndpoint(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			scim.WriteUnauthorized(w)
			return
		}
		ctx, err := a.scim.Authorize(r.Context(), strings.TrimSpace(secret))
		switch {
		case errors.Is(err, org.ErrUnauthenticated):
			scim.WriteUnauthorized(w)
			return
		case err != nil:
			a.log.ErrorContext(r.Context(), "scim authentication failed", "requestId", requestIDFrom(r.Context()), "err", err)
			scim.WriteError(w, http.StatusServiceUnavailable, "the database cannot be reached just now; retry in a moment")
			return
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}
