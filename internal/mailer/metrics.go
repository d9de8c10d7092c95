package mailer

import (
	"context"
	"time"
)

// Metrics records what operators watch (package metrics writes them for CloudWatch).
type Metrics interface {
	Count(ctx context.Context, name string, n int, dims ...string)
	Duration(ctx context.Context, name string, d time.Duration, dims ...string)
}

// nopMetrics records nothing.
type nopMetrics struct{}

func (nopMetrics) Count(context.Context, string, int, ...string)              {}
func (nopMetrics) Duration(context.Context, string, time.Duration, ...string) {}

// The mailer's metrics.
const (
	metricSent       = "EmailsSent"       // recorded sent: SES accepted it
	metricDeferred   = "EmailsDeferred"   // a passing failure: retried later
	metricFailed     = "EmailsFailed"     // given up on: rejected, expired, or a day of failures
	metricBounced    = "EmailsBounced"    // SES heard back a bounce after sending
	metricComplained = "EmailsComplained" // the recipient marked it as spam
	// metricSendLatency is how long a sent email waited from being queued (the invitation
	// created or resent) until SES accepted it.
	metricSendLatency = "EmailSendLatency"
	// metricOutboxAge is, at each sweep, how long the longest-waiting email due was queued
	// ago (0 when none is due): the backlog's age.
	metricOutboxAge = "OutboxAge"
)

// outboxAge is how long ago the longest-waiting of entries was queued, at now.
func outboxAge(entries []Entry, now time.Time) time.Duration {
	var age time.Duration
	for _, e := range entries {
		if !e.QueuedAt.IsZero() {
			age = max(age, now.Sub(e.QueuedAt))
		}
	}
	return age
}
