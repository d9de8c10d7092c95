package hooks

import (
	"context"
	"time"
)

// Metrics records what operators watch (package metrics writes them for CloudWatch). dims
// are name, value pairs, each value one of a few.
type Metrics interface {
	Count(ctx context.Context, name string, n int, dims ...string)
	Duration(ctx context.Context, name string, d time.Duration, dims ...string)
}

// WithMetrics makes the Service record its deliveries into m.
func WithMetrics(m Metrics) Option { return func(s *Service) { s.metrics = m } }

// nopMetrics records nothing.
type nopMetrics struct{}

func (nopMetrics) Count(context.Context, string, int, ...string)              {}
func (nopMetrics) Duration(context.Context, string, time.Duration, ...string) {}

// measure records one recorded attempt of d: WebhookDeliveries by the Status it left d in
// (delivered, failing: to be retried, failed: given up); WebhookAttemptDuration, how long
// the endpoint took to answer (took, when a request was sent); and for a delivered d,
// WebhookDeliveryLatency, from its event (or an admin's retry) until delivered.
func (s *Service) measure(ctx context.Context, d Delivery, took time.Duration, sent bool) {
	s.metrics.Count(ctx, "WebhookDeliveries", 1, "Status", d.Status)
	if sent {
		s.metrics.Duration(ctx, "WebhookAttemptDuration", took)
	}
	if d.Status == DeliveryDelivered {
		s.metrics.Duration(ctx, "WebhookDeliveryLatency", d.UpdatedAt.Sub(d.TriesSince))
	}
}
