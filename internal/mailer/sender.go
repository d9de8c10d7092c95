// Package mailer delivers queued invitation emails: it claims an outbox entry with a lease,
// mints the invitation's link, sends within the configured rate, and records the outcome,
// retrying passing failures with backoff for up to a day. The same drain serves the DynamoDB
// stream, the scheduled sweep and the local stack.
package mailer

import (
	"context"
	"errors"
	"time"
)

// Message is one invitation email, before rendering.
type Message struct {
	OrgID        string // the organization and invitation the email is for, tagged on it so
	InvitationID string // the email service's bounce and complaint events name them
	To           string // the invited address
	InviteeName  string // may be empty
	InviterName  string // who invited: a person's or token's name; may be empty
	OrgName      string
	Role         string
	AcceptURL    string
	ExpiresAt    time.Time
}

// Sender sends one rendered invitation email and returns the provider's message id.
// Its errors wrap ErrThrottled, ErrRejected or ErrAccount when they are of those kinds;
// anything else is taken as a passing failure worth retrying.
type Sender interface {
	Send(ctx context.Context, m Message) (messageID string, err error)
}

// Errors a Sender reports.
var (
	// ErrThrottled: the provider refused for rate or quota; retry later.
	ErrThrottled = errors.New("sending throttled")
	// ErrRejected: the provider will never send this message (rejected, invalid or
	// suppressed address, unverified sender); do not retry.
	ErrRejected = errors.New("message rejected")
	// ErrAccount: the provider refused the sending account or its configuration (sending
	// paused, unverified sender domain, missing configuration set, access denied). An
	// operator fixes it; until then every email fails the same way, so it is retried.
	ErrAccount = errors.New("sending account or configuration refused")
)
