package org

import "context"

// Metrics counts what operators watch (package metrics writes them for CloudWatch). dims
// are name, value pairs, each value one of a few.
type Metrics interface {
	Count(ctx context.Context, name string, n int, dims ...string)
}

// WithMetrics makes the Service count what it does into m.
func WithMetrics(m Metrics) Option { return func(s *Service) { s.metrics = m } }

// nopMetrics counts nothing: the default, so tests need not care.
type nopMetrics struct{}

func (nopMetrics) Count(context.Context, string, int, ...string) {}

// ViaLegacy is the Via of the portal's original invite call (POST /api/v1/legacy/users/invite).
const ViaLegacy = "legacy"

// metricInvitationsCreated counts invitations created, by the door they came through.
const metricInvitationsCreated = "InvitationsCreated"

// countCreated counts n invitations p created, by door: the call when p names one (Via),
// "bulk" for the API's bulk call, otherwise p's source (api, web, slack, sync, scim, cli).
func (s *Service) countCreated(ctx context.Context, p Principal, bulk bool, n int) {
	if n == 0 {
		return
	}
	door := string(p.Source)
	switch {
	case p.Via != "":
		door = p.Via
	case bulk && p.Source == SourceAPI:
		door = "bulk"
	case door == "":
		door = "unknown"
	}
	s.metrics.Count(ctx, metricInvitationsCreated, n, "Source", door)
}
