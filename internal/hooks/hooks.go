// Package hooks tells downstream systems what changed in an organization, through signed
// webhooks (package webhook signs and sends them). Every change that writes an audit entry
// writes an event in the same transaction (the store does, see EventType); Fanout turns each
// event into one delivery per subscribed endpoint, with its body rendered once, so every
// retry sends the same bytes under the same webhook-id; Deliver sends what is due, at least
// once, retrying with backoff for three days. Admins manage endpoints through the Service.
package hooks

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse/internal/org"
	"gatehouse/internal/webhook"
)

// Endpoint is where an organization's webhooks go.
type Endpoint struct {
	ID          string
	OrgID       string
	URL         string
	Description string
	Events      []string // event types, or "*" for every one
	Enabled     bool
	// DisabledReason says why Gatehouse disabled the endpoint (a 410, three days of
	// failures); "" when an admin did, or when it is enabled.
	DisabledReason string
	// Sealed holds the signing secrets (the current one first), sealed for the
	// organization; SecretHint is the current one's last four characters.
	Sealed     []byte
	SecretHint string
	// PreviousUntil is when the secret a rotation replaced stops signing; zero when none does.
	PreviousUntil time.Time
	// FailingSince is when deliveries to the endpoint began failing; zero while they succeed.
	FailingSince time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CreatedBy    org.Actor
}

// Event is a change of an organization, as its audit entry records it, with the resource
// it changed as it was right after.
type Event struct {
	org.AuditEntry
	Type       string          // the webhook event type, such as invitation.created
	Invitation *org.Invitation // the invitation changed, for invitation events
	Member     *org.Member     // the member changed, for member events
}

// The statuses of a delivery.
const (
	DeliveryPending   = "pending"   // not attempted yet
	DeliveryDelivered = "delivered" // the endpoint answered 2xx
	DeliveryFailing   = "failing"   // attempts failed; another is due
	DeliveryFailed    = "failed"    // given up on: three days of failures, a 410, a refused address
)

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	ID         string // the webhook-id: the same on every attempt
	OrgID      string
	EndpointID string
	EventType  string
	Body       []byte // the payload, rendered once
	Status     string
	Attempts   int
	CreatedAt  time.Time // when the event happened
	TriesSince time.Time // the start of its three days of retries: CreatedAt, or an admin's retry
	NextAt     time.Time // when the next attempt is due; zero once final
	// LastStatus is the HTTP status of the last attempt (0 when none came); LastBody the
	// first 200 bytes of its answer; LastError what went wrong, in words.
	LastStatus int
	LastBody   string
	LastError  string
	UpdatedAt  time.Time
	// LeaseID and LeaseUntil say which dispatcher is attempting the delivery, until when.
	LeaseID    string
	LeaseUntil time.Time
}

// Store keeps endpoints, events and deliveries. A write refused because its condition
// failed is an *org.ConflictError (org.PartRecord).
type Store interface {
	// CreateEndpoint stores a new endpoint unless its organization has MaxEndpoints already
	// (PartEndpointCount): the store counts them in the same write, so that creates at once
	// never pass the limit together.
	CreateEndpoint(ctx context.Context, e Endpoint, audit org.AuditEntry) error
	GetEndpoint(ctx context.Context, orgID, id string) (Endpoint, error)
	ListEndpoints(ctx context.Context, orgID string) ([]Endpoint, error)
	// UpdateEndpoint replaces prev with next if prev is still current (org.PartRecord).
	UpdateEndpoint(ctx context.Context, prev, next Endpoint, audit *org.AuditEntry) error
	// DeleteEndpoint removes e if it is still as read (org.PartRecord), freeing its place in
	// the count.
	DeleteEndpoint(ctx context.Context, e Endpoint, audit org.AuditEntry) error

	// DueEvents lists events not yet fanned out, oldest first; DropEvent removes one that
	// has been.
	DueEvents(ctx context.Context, limit int) ([]Event, error)
	DropEvent(ctx context.Context, ev Event) error

	// PutDelivery stores a new delivery, unless one with its endpoint and id exists (which
	// is no error: fan-out is at least once).
	PutDelivery(ctx context.Context, d Delivery) error
	// DueDeliveries lists a page of up to limit deliveries due at now and not leased,
	// oldest due first: after is "" for the first page, or the next of the page before;
	// next is "" on the last.
	DueDeliveries(ctx context.Context, now time.Time, limit int, after string) (due []Delivery, next string, err error)
	// ClaimDelivery leases d (as read) for leaseID until until, if nobody holds it past now
	// and it has not changed (org.PartRecord otherwise).
	ClaimDelivery(ctx context.Context, d Delivery, leaseID string, now, until time.Time) error
	// RecordDelivery stores d's outcome if the lease is still d.LeaseID (org.PartRecord).
	RecordDelivery(ctx context.Context, d Delivery) error
	GetDelivery(ctx context.Context, orgID, endpointID, id string) (Delivery, error)
	// ListDeliveries lists an endpoint's deliveries, newest first.
	ListDeliveries(ctx context.Context, orgID, endpointID string, p org.PageRequest) (org.Page[Delivery], error)
	// RequeueDelivery makes d due at d.NextAt again, as an admin asked, if it has not
	// changed since it was read and no dispatcher holds its lease at next.UpdatedAt
	// (org.PartRecord).
	RequeueDelivery(ctx context.Context, prev, next Delivery, audit org.AuditEntry) error
}

// Sealer seals endpoints' signing secrets for their organization.
type Sealer interface {
	Seal(ctx context.Context, orgID string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, orgID string, sealed []byte) ([]byte, error)
}

// Mailer tells an organization's admins about an endpoint Gatehouse disabled.
type Mailer interface {
	EndpointDisabled(ctx context.Context, orgID string, e Endpoint, reason string) error
}

// Service manages endpoints and delivers events.
type Service struct {
	store   Store
	sealer  Sealer
	sender  *webhook.Sender
	log     *slog.Logger
	now     func() time.Time
	newID   func() string
	local   bool
	mailer  Mailer
	metrics Metrics
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service read the time from now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithMailer makes the Service email admins when it disables an endpoint.
func WithMailer(m Mailer) Option { return func(s *Service) { s.mailer = m } }

// New returns a Service over store, sealing secrets with sealer and sending with sender.
// local lets endpoints be http://127.0.0.1 (the local stack and tests; never input).
func New(store Store, sealer Sealer, sender *webhook.Sender, local bool, log *slog.Logger, opts ...Option) *Service {
	s := &Service{store: store, sealer: sealer, sender: sender, log: log, now: time.Now, local: local,
		newID: func() string { return ulid.Make().String() }, metrics: nopMetrics{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Limits.
const (
	// MaxEndpoints bounds an organization's endpoints: each event fans out to every one.
	MaxEndpoints = 20
	// RotationOverlap is how long the secret a rotation replaced keeps signing.
	RotationOverlap = 24 * time.Hour
	// DisableAfter is how long an endpoint may fail before Gatehouse disables it.
	DisableAfter = 72 * time.Hour
)

// PartEndpointCount names the store's count of an organization's endpoints in a refused
// write: a create it refused would have passed MaxEndpoints.
const PartEndpointCount org.Part = "webhook-count"

// Errors of endpoints.
var (
	// ErrNoSealer: the deployment has no key to keep signing secrets with.
	ErrNoSealer = errors.New("webhooks need a key to keep signing secrets with")
	// ErrTooManyEndpoints: the organization has MaxEndpoints already.
	ErrTooManyEndpoints = errors.New("the organization has the most webhook endpoints it may have")
	// ErrDeliveryUnderWay: a dispatcher is attempting the delivery at this moment.
	ErrDeliveryUnderWay = errors.New("the delivery is being delivered right now")
)

// The audit actions of webhooks.
const (
	ActionEndpointCreated  = "webhook.created"
	ActionEndpointUpdated  = "webhook.updated"
	ActionEndpointDeleted  = "webhook.deleted"
	ActionSecretRotated    = "webhook.secret_rotated"
	ActionEndpointDisabled = "webhook.disabled"
	ActionDeliveryRetried  = "webhook.delivery_retried"
)
