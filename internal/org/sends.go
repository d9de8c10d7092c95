package org

import (
	"fmt"
	"time"
)

// Limits on invitation emails, so an address is never flooded: at most MaxEmailsPerAddress
// in any EmailWindow, and a resend no sooner than MinResendInterval after the last.
const (
	MaxEmailsPerAddress = 5
	EmailWindow         = 24 * time.Hour
	MinResendInterval   = 60 * time.Second
)

// SendHistory is when invitation emails to one address of an organization were queued
// within the last EmailWindow, whatever invitation they came from. Version counts the
// history's writes: a write of version n succeeds only over version n-1 (0: none stored), so
// two writers that read the same history cannot both add to it.
type SendHistory struct {
	Times   []time.Time
	Version int
}

// AllowSend decides whether one more invitation email may be queued for email at now, given
// the address's history: it returns the history to store with this send recorded, or a
// *RateLimitError saying when the address may be emailed again.
func AllowSend(email string, h SendHistory, now time.Time) (SendHistory, error) {
	cutoff := now.Add(-EmailWindow)
	kept := make([]time.Time, 0, len(h.Times)+1)
	for _, t := range h.Times {
		if t.After(cutoff) {
			kept = append(kept, t)
		}
	}
	if len(kept) >= MaxEmailsPerAddress {
		return SendHistory{}, &RateLimitError{RetryAfter: kept[0].Add(EmailWindow).Sub(now),
			Reason: fmt.Sprintf("%s has been sent %d invitation emails in the last 24 hours; try again later", email, len(kept))}
	}
	return SendHistory{Times: append(kept, now), Version: h.Version + 1}, nil
}

// QueuedEmail is an invitation email a write queues: the outbox entry the mailer claims,
// due at Due, and the address's send history with this send recorded (Sends, from
// AllowSend). The write succeeds only if the history is still the one Sends was made from.
type QueuedEmail struct {
	Due   time.Time
	Sends SendHistory
}

// resendWait refuses a resend that comes too soon after the invitation's last email.
func resendWait(inv Invitation, now time.Time) error {
	last := inv.UpdatedAt // when it was last queued
	if inv.Delivery.State == DeliverySent && inv.Delivery.UpdatedAt.After(last) {
		last = inv.Delivery.UpdatedAt // when it actually went out
	}
	if since := now.Sub(last); inv.SendEmail && since < MinResendInterval {
		return &RateLimitError{RetryAfter: MinResendInterval - since,
			Reason: "this invitation was sent less than a minute ago; wait before resending"}
	}
	return nil
}
