// Package httpapi is Gatehouse's REST API as a plain net/http handler: routes, bearer-token
// authentication, idempotent POSTs, JSON in and out, and RFC 9457 problem responses. The
// same handler serves Lambda (through the API Gateway proxy adapter), the local stack and
// tests.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gatehouse/internal/idempotency"
	"gatehouse/internal/org"
	"gatehouse/internal/scim"
	"gatehouse/internal/web"
)

// Config is what the API is built from.
type Config struct {
	Service     Service
	Idempotency idempotency.Store
	Logger      *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// RequestID extracts the platform's request id (API Gateway's in Lambda); when it
	// returns "" a safe X-Request-Id header or a fresh id is used.
	RequestID func(*http.Request) string
	// AllowedOrigins are the browser origins (such as https://portal.example.com) allowed
	// to call the API across origins; none by default.
	AllowedOrigins []string
	// AppURL is where the accept page sends people once they have joined; empty for nowhere.
	AppURL string
	// PublicURL is the API's public base URL: accept links handed to admins start with it.
	// Without it the answer holds only the token.
	PublicURL string
	// Sync runs directory syncs; without it the /api/v1/sync routes are not served.
	Sync SyncService
	// SlackInstall runs Slack's install of the app; without it workspaces are connected only
	// where the service allows typing a team id (the local stack).
	SlackInstall SlackInstaller
	// SCIM provisions people pushed by identity providers at /scim/v2 (with PublicURL, its
	// base); without it the SCIM routes are not served.
	SCIM Provisioning
	// Webhooks manages webhook endpoints; without it the /api/v1/webhooks routes are not
	// served.
	Webhooks Webhooks
	// Metrics receives each request's status class and latency by route, and SCIM's
	// requests by resource; nothing is recorded when nil.
	Metrics Metrics
}

// New returns the API handler. It fails only if the embedded pages do not parse.
func New(c Config) (http.Handler, error) {
	h, _, err := newAPI(c)
	return h, err
}

// newAPI builds the API handler and lists the routes it serves (see router.patterns).
func newAPI(c Config) (http.Handler, []string, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RequestID == nil {
		c.RequestID = func(*http.Request) string { return "" }
	}
	if c.Metrics == nil {
		c.Metrics = nopMetrics{}
	}
	a := &api{
		slackInstall: c.SlackInstall, scim: c.SCIM, store: c.Service, orgs: c.Service, invitations: c.Service, members: c.Service, tokens: c.Service, slack: c.Service, sync: c.Sync, webhooks: c.Webhooks,
		log: c.Logger, now: c.Now, publicURL: strings.TrimRight(c.PublicURL, "/"),
	}
	p, err := newPages(c.AppURL)
	if err != nil {
		return nil, nil, fmt.Errorf("parse pages: %w", err)
	}
	mux := &router{ServeMux: http.NewServeMux()}
	mux.Handle("GET /invitations/accept", a.acceptPage(p))
	mux.Handle("POST /invitations/accept", a.acceptForm(p))
	mux.Handle("GET /assets/gatehouse.css", stylesheet(p))
	mux.Handle("GET /settings", settingsRedirect())
	mux.Handle("GET /settings/", web.Handler())
	mux.Handle("GET /slack/oauth/callback", a.slackCallback(p))
	private := func(h http.Handler) http.Handler {
		return authenticate(c.Service, c.Logger, idempotent(c.Idempotency, c.Now, c.Logger, h))
	}
	mux.Handle("GET /healthz", a.health())
	mux.Handle("GET /api/v1/openapi.json", openAPI())
	// Accepting needs no API token (the invitation token is the credential) and no
	// idempotency record: a repeated accept is refused by the invitation's own state.
	mux.Handle("POST /api/v1/invitations/accept", a.accept())

	// The routes that only invite one person read a token this process authenticated a
	// moment ago with the organization and the address, in one request (two round trips
	// instead of three; org.Service.AuthenticateToInvite). Not with an Idempotency-Key,
	// whose stored answer is read first, under a token that must be read before it.
	inviting := func(h http.Handler) http.Handler {
		strict, trusting := private(h), authenticateBy(c.Service.AuthenticateToInvite, c.Logger, h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Idempotency-Key") != "" {
				strict.ServeHTTP(w, r)
				return
			}
			trusting.ServeHTTP(w, r)
		})
	}
	mux.Handle("POST /api/v1/legacy/users/invite", inviting(a.legacyInvite()))
	mux.Handle("POST /api/v1/invitations", inviting(a.invite()))
	mux.Handle("POST /api/v1/invitations/bulk", private(a.bulkInvite()))
	mux.Handle("GET /api/v1/invitations", private(a.listInvitations()))
	mux.Handle("GET /api/v1/invitations/{id}", private(a.getInvitation()))
	mux.Handle("DELETE /api/v1/invitations/{id}", private(a.revokeInvitation()))
	mux.Handle("POST /api/v1/invitations/{id}/resend", private(a.resendInvitation()))

	mux.Handle("GET /api/v1/users", private(a.listMembers()))
	mux.Handle("GET /api/v1/users/{id}", private(a.getMember()))
	mux.Handle("PATCH /api/v1/users/{id}", private(a.changeRole()))
	mux.Handle("DELETE /api/v1/users/{id}", private(a.deactivate()))
	mux.Handle("POST /api/v1/users/{id}/reactivate", private(a.reactivate()))

	mux.Handle("POST /api/v1/tokens", private(a.createToken()))
	mux.Handle("GET /api/v1/tokens", private(a.listTokens()))
	mux.Handle("DELETE /api/v1/tokens/{id}", private(a.revokeToken()))

	mux.Handle("GET /api/v1/audit-logs", private(a.auditLog()))

	mux.Handle("GET /api/v1/organization", private(a.getOrganization()))
	mux.Handle("PATCH /api/v1/organization", private(a.patchOrganization()))

	mux.Handle("PUT /api/v1/integrations/slack", private(a.connectSlack()))
	mux.Handle("GET /api/v1/integrations/slack", private(a.getSlack()))
	mux.Handle("DELETE /api/v1/integrations/slack", private(a.disconnectSlack()))
	mux.Handle("POST /api/v1/integrations/slack/install", private(a.installSlack()))
	mux.Handle("POST /api/v1/integrations/slack/install/complete", private(a.completeSlackInstall()))

	if c.Webhooks != nil {
		mux.Handle("POST /api/v1/webhooks", private(a.createWebhook()))
		mux.Handle("GET /api/v1/webhooks", private(a.listWebhooks()))
		mux.Handle("GET /api/v1/webhooks/event-types", private(webhookEventTypes()))
		mux.Handle("GET /api/v1/webhooks/{id}", private(a.getWebhook()))
		mux.Handle("PATCH /api/v1/webhooks/{id}", private(a.updateWebhook()))
		mux.Handle("DELETE /api/v1/webhooks/{id}", private(a.deleteWebhook()))
		mux.Handle("POST /api/v1/webhooks/{id}/rotate-secret", private(a.rotateWebhookSecret()))
		mux.Handle("POST /api/v1/webhooks/{id}/test", private(a.testWebhook()))
		mux.Handle("GET /api/v1/webhooks/{id}/deliveries", private(a.listWebhookDeliveries()))
		mux.Handle("POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/retry", private(a.retryWebhookDelivery()))
	}
	if c.SCIM != nil && a.publicURL != "" {
		h, err := scim.New(scim.Config{Backend: c.SCIM, BaseURL: a.scimBase(), Logger: c.Logger})
		if err != nil {
			return nil, nil, fmt.Errorf("build the scim endpoint: %w", err)
		}
		mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.Measure(c.Metrics, a.scimEndpoint(h))))
		mux.below("/scim/v2", h)
		mux.Handle("POST /api/v1/integrations/scim/token", private(a.createSCIMToken()))
		mux.Handle("GET /api/v1/integrations/scim", private(a.getSCIM()))
		mux.Handle("PUT /api/v1/integrations/scim", private(a.putSCIM()))
		mux.Handle("DELETE /api/v1/integrations/scim", private(a.deleteSCIM()))
	}
	if c.Sync != nil {
		mux.Handle("GET /api/v1/sync/config", private(a.getSyncConfig()))
		mux.Handle("PUT /api/v1/sync/config", private(a.putSyncConfig()))
		mux.Handle("POST /api/v1/sync/config/test", private(a.testDirectory()))
		// A preview changes nothing, so it needs no idempotency record (and its body, the
		// export, may be larger than idempotent requests may be).
		mux.Handle("POST /api/v1/sync/preview", authenticate(c.Service, c.Logger, a.previewSync()))
		mux.Handle("POST /api/v1/sync/runs", private(a.runSync()))
		mux.Handle("GET /api/v1/sync/runs", private(a.listSyncRuns()))
		mux.Handle("GET /api/v1/sync/runs/{id}", private(a.getSyncRun()))
		mux.Handle("POST /api/v1/sync/runs/{id}/approve", private(a.approveSyncRun()))
		mux.Handle("POST /api/v1/sync/runs/{id}/discard", private(a.discardSyncRun()))
	}
	return observe(c.Logger, c.RequestID, requestMetrics{c.Metrics, routeOf(mux.ServeMux)}, cors(c.AllowedOrigins, budgeted(problemRouting(mux.ServeMux)))), mux.patterns, nil
}

// router is the API's ServeMux, remembering every pattern it serves so that the tests can
// hold the OpenAPI description to the routes the code serves, rather than to a list kept
// beside them.
type router struct {
	*http.ServeMux
	// patterns are the ServeMux patterns in the order they were registered, and for a
	// handler mounted below a subtree pattern (SCIM's) its own routes under that prefix.
	patterns []string
}

// Handle registers h for pattern, as http.ServeMux does, and remembers the pattern. It is
// never inlined: ServeMux records where each pattern was registered (runtime.Caller), and
// finding a line inside newAPI, a long function, took three times as long as all the rest
// of building the API, at every cold start; inside this one it is quick.
//
//go:noinline
func (r *router) Handle(pattern string, h http.Handler) {
	r.patterns = append(r.patterns, pattern)
	r.ServeMux.Handle(pattern, h)
}

// below remembers the routes h serves below prefix, when h lists them (as the SCIM
// handler does, relative to its mount point: "GET /Users/{id}").
func (r *router) below(prefix string, h http.Handler) {
	lister, ok := h.(interface{ Routes() []string })
	if !ok {
		return
	}
	for _, route := range lister.Routes() {
		method, path, _ := strings.Cut(route, " ")
		r.patterns = append(r.patterns, method+" "+prefix+path)
	}
}

// RequestBudget bounds the work of one request, well inside API Gateway's 29 seconds: what
// is left is room for a write whose answer was lost to be settled and for the answer to
// go out, so a DynamoDB that does not answer gives a 503 with Retry-After, never a gateway
// timeout.
const RequestBudget = 20 * time.Second

// budgeted runs next within RequestBudget.
func budgeted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), RequestBudget)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// settingsRedirect sends /settings on to settings/ with a relative Location, which the
// browser resolves against the URL it sees: behind an API Gateway stage that is
// /<stage>/settings/, where an absolute /settings/ would leave the stage.
func settingsRedirect() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "settings/")
		w.WriteHeader(http.StatusMovedPermanently)
	})
}

// api holds what the handlers share.
type api struct {
	store        Pinger
	slackInstall SlackInstaller
	scim         Provisioning
	webhooks     Webhooks
	orgs         OrgService
	invitations  InvitationService
	members      MemberService
	tokens       TokenService
	slack        SlackService
	sync         SyncService
	log          *slog.Logger
	now          func() time.Time
	publicURL    string
}

// created is the answer of a create or resend: with the accept link when the caller is to
// hand it out.
func (a *api) created(c org.Created) invitationView {
	v := toInvitationView(c.Invitation, a.now())
	v.AcceptToken = c.Token
	if c.Token != "" && a.publicURL != "" {
		v.AcceptURL = a.publicURL + "/invitations/accept?token=" + url.QueryEscape(c.Token)
	}
	return v
}

// fail sends err as a problem.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) { writeError(w, r, a.log, err) }

// health answers 200 when the store can be reached.
func (a *api) health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.store.Ping(r.Context()); err != nil {
			a.log.ErrorContext(r.Context(), "health check failed", "err", err)
			writeProblem(w, r, newProblem(http.StatusServiceUnavailable, "store_unreachable", "the database cannot be reached"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// routingMethods are the methods the API serves, tried to tell a 405 from a 404 and to list
// in Allow. HEAD is served wherever GET is (the ServeMux matches it to GET patterns).
var routingMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// problemRouting answers unknown paths and methods with problem JSON rather than the
// router's plain text.
func problemRouting(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		var allowed []string
		for _, m := range routingMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) == 0 {
			writeProblem(w, r, newProblem(http.StatusNotFound, "route_not_found", "no such endpoint: "+r.Method+" "+r.URL.Path))
			return
		}
		// One header listing them all (RFC 9110 §10.2.1): some clients read only the first.
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeProblem(w, r, newProblem(http.StatusMethodNotAllowed, "method_not_allowed",
			r.Method+" is not supported on "+r.URL.Path+"; it serves "+strings.Join(allowed, ", ")))
	})
}
