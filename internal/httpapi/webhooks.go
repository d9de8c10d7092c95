package httpapi

import (
	"context"
	"net/http"
	"time"

	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
	"gatehouse/internal/view"
	"gatehouse/internal/webhook"
)

// Webhooks manages an organization's webhook endpoints and their deliveries (package hooks
// implements it).
type Webhooks interface {
	CreateEndpoint(ctx context.Context, p org.Principal, r hooks.EndpointRequest) (hooks.NewEndpoint, error)
	Endpoints(ctx context.Context, p org.Principal) ([]hooks.Endpoint, error)
	Endpoint(ctx context.Context, p org.Principal, id string) (hooks.Endpoint, error)
	UpdateEndpoint(ctx context.Context, p org.Principal, id string, r hooks.EndpointRequest) (hooks.Endpoint, error)
	DeleteEndpoint(ctx context.Context, p org.Principal, id string) error
	RotateSecret(ctx context.Context, p org.Principal, id string) (hooks.NewEndpoint, error)
	TestEndpoint(ctx context.Context, p org.Principal, id string) (hooks.Delivery, error)
	Deliveries(ctx context.Context, p org.Principal, id string, pr org.PageRequest) (org.Page[hooks.Delivery], error)
	RetryDelivery(ctx context.Context, p org.Principal, endpointID, id string) (hooks.Delivery, error)
}

var _ Webhooks = (*hooks.Service)(nil)

// endpointView is an endpoint as the API shows it; Secret only in the answers that make one.
type endpointView struct {
	ID             string    `json:"id"`
	URL            string    `json:"url"`
	Description    string    `json:"description,omitempty"`
	Events         []string  `json:"events"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabledReason,omitempty"`
	SecretHint     string    `json:"secretHint"`
	PreviousUntil  timeView  `json:"previousSecretUntil,omitzero"`
	FailingSince   timeView  `json:"failingSince,omitzero"`
	CreatedAt      timeView  `json:"createdAt"`
	UpdatedAt      timeView  `json:"updatedAt"`
	CreatedBy      actorView `json:"createdBy"`
	Secret         string    `json:"secret,omitempty"`
}

func toEndpointView(e hooks.Endpoint, now time.Time) endpointView {
	v := endpointView{ID: e.ID, URL: e.URL, Description: e.Description, Events: e.Events, Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, SecretHint: e.SecretHint, FailingSince: view.At(e.FailingSince),
		CreatedAt: view.At(e.CreatedAt), UpdatedAt: view.At(e.UpdatedAt), CreatedBy: actorView(e.CreatedBy)}
	if now.Before(e.PreviousUntil) {
		v.PreviousUntil = view.At(e.PreviousUntil)
	}
	return v
}

// webhookDeliveryView is one delivery as the API shows it: never its body's secrets (it
// has none) but not its body either, which the event's receiver has.
type webhookDeliveryView struct {
	ID            string   `json:"id"`
	EventType     string   `json:"eventType"`
	Status        string   `json:"status"`
	Attempts      int      `json:"attempts"`
	LastStatus    int      `json:"lastResponseStatus,omitempty"`
	LastBody      string   `json:"lastResponseBody,omitempty"`
	LastError     string   `json:"lastError,omitempty"`
	NextAttemptAt timeView `json:"nextAttemptAt,omitzero"`
	CreatedAt     timeView `json:"createdAt"`
	UpdatedAt     timeView `json:"updatedAt"`
}

func toWebhookDeliveryView(d hooks.Delivery) webhookDeliveryView {
	return webhookDeliveryView{ID: d.ID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts, LastStatus: d.LastStatus,
		LastBody: d.LastBody, LastError: d.LastError, NextAttemptAt: view.At(d.NextAt), CreatedAt: view.At(d.CreatedAt), UpdatedAt: view.At(d.UpdatedAt)}
}

// createWebhook serves POST /api/v1/webhooks: the secret is in this answer only.
func (a *api) createWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req hooks.EndpointRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		ne, err := a.webhooks.CreateEndpoint(r.Context(), principalFrom(r.Context()), req)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v := toEndpointView(ne.Endpoint, a.now())
		v.Secret = ne.Secret
		writeJSON(w, http.StatusCreated, v)
	})
}

func (a *api) listWebhooks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		eps, err := a.webhooks.Endpoints(r.Context(), principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		now := a.now()
		writeJSON(w, http.StatusOK, toListView(org.Page[hooks.Endpoint]{Items: eps}, func(e hooks.Endpoint) endpointView { return toEndpointView(e, now) }))
	})
}

// webhookEventTypes serves GET /api/v1/webhooks/event-types: every event type an endpoint
// may subscribe to, with what it announces, for any role (it is the documentation of the
// events, and holds nothing of the organization's).
func webhookEventTypes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, view.List[webhook.EventDoc]{Items: webhook.EventDocs()})
	})
}

func (a *api) getWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := a.webhooks.Endpoint(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toEndpointView(e, a.now()))
	})
}

func (a *api) updateWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req hooks.EndpointRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		e, err := a.webhooks.UpdateEndpoint(r.Context(), principalFrom(r.Context()), r.PathValue("id"), req)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toEndpointView(e, a.now()))
	})
}

func (a *api) deleteWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.webhooks.DeleteEndpoint(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
			a.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// rotateWebhookSecret serves POST /api/v1/webhooks/{id}/rotate-secret: the new secret is in
// this answer only; the old one signs alongside it for a day.
func (a *api) rotateWebhookSecret() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ne, err := a.webhooks.RotateSecret(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v := toEndpointView(ne.Endpoint, a.now())
		v.Secret = ne.Secret
		writeJSON(w, http.StatusOK, v)
	})
}

// testWebhook serves POST /api/v1/webhooks/{id}/test: a webhook.test event sent now, and
// what came of it.
func (a *api) testWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := a.webhooks.TestEndpoint(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toWebhookDeliveryView(d))
	})
}

func (a *api) listWebhookDeliveries() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, err := pageRequest(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		page, err := a.webhooks.Deliveries(r.Context(), principalFrom(r.Context()), r.PathValue("id"), pr)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toListView(page, toWebhookDeliveryView))
	})
}

func (a *api) retryWebhookDelivery() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := a.webhooks.RetryDelivery(r.Context(), principalFrom(r.Context()), r.PathValue("id"), r.PathValue("deliveryId"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusAccepted, toWebhookDeliveryView(d))
	})
}
