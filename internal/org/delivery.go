package org

import (
	"fmt"
	"slices"
	"time"
)

// DeliveryState is where the invitation's email stands.
type DeliveryState string

// The delivery states. The mailer moves queued invitations on to sending, sent or failed.
const (
	DeliveryQueued   DeliveryState = "queued"
	DeliverySending  DeliveryState = "sending"
	DeliverySent     DeliveryState = "sent"
	DeliveryFailed   DeliveryState = "failed"
	DeliveryDisabled DeliveryState = "disabled" // created with sendEmail false
	// DeliveryBounced and DeliveryComplained come after sent: the recipient's mail server
	// refused the email, or the recipient marked it as spam.
	DeliveryBounced    DeliveryState = "bounced"
	DeliveryComplained DeliveryState = "complained"
)

// Delivery is the state of an invitation's email.
type Delivery struct {
	State     DeliveryState
	Attempts  int
	MessageID string
	Reason    string
	UpdatedAt time.Time
}

// Final reports whether the email's fate is settled: sent (and perhaps bounced or complained
// of since) or failed. Nothing is sent for a settled email unless the invitation is resent.
func (d Delivery) Final() bool {
	switch d.State {
	case DeliverySent, DeliveryFailed, DeliveryBounced, DeliveryComplained:
		return true
	}
	return false
}

// DeliveryEvent is something that happens to an invitation's email.
type DeliveryEvent string

// The delivery events, each moving the email to one state from the states it may follow.
const (
	EventQueue    DeliveryEvent = "queue"    // created or resent with email: wait for the mailer
	EventStart    DeliveryEvent = "start"    // the mailer minted a link and is sending it
	EventSend     DeliveryEvent = "send"     // the email service accepted the email
	EventDefer    DeliveryEvent = "defer"    // a passing failure: back in the queue for a retry
	EventFail     DeliveryEvent = "fail"     // refused for good, retried for too long, or expired first
	EventBounce   DeliveryEvent = "bounce"   // the recipient's server refused it after sending
	EventComplain DeliveryEvent = "complain" // the recipient marked it as spam
)

// transition is one event's move: the states it may happen in, and the state it leads to.
type transition struct {
	from []DeliveryState // nil: any state
	to   DeliveryState
}

// transitions is the delivery state machine, the one place it is written down. The store's
// write conditions are derived from it (Event.From), so a write that would make a move the
// machine forbids (recording a send over a resend, a bounce over an unsent email) fails.
var transitions = map[DeliveryEvent]transition{
	EventQueue:    {to: DeliveryQueued},
	EventStart:    {from: []DeliveryState{DeliveryQueued, DeliverySending}, to: DeliverySending},
	EventSend:     {from: []DeliveryState{DeliverySending}, to: DeliverySent},
	EventDefer:    {from: []DeliveryState{DeliverySending}, to: DeliveryQueued},
	EventFail:     {from: []DeliveryState{DeliveryQueued, DeliverySending}, to: DeliveryFailed},
	EventBounce:   {from: []DeliveryState{DeliverySent, DeliveryBounced, DeliveryComplained}, to: DeliveryBounced},
	EventComplain: {from: []DeliveryState{DeliverySent, DeliveryBounced, DeliveryComplained}, to: DeliveryComplained},
}

// From lists the states event e may happen in; nil means any. A store writes the delivery
// an event produced only while the stored state is still one of these.
func (e DeliveryEvent) From() []DeliveryState { return transitions[e].from }

// Next is the delivery after e happens at at. note is the email service's message id for
// EventSend and the reason people are shown for EventDefer, EventFail, EventBounce and
// EventComplain. A move the state machine does not allow is an error wrapping ErrConflict:
// the email's state changed under the caller.
func (d Delivery) Next(e DeliveryEvent, at time.Time, note string) (Delivery, error) {
	t, ok := transitions[e]
	if !ok {
		return d, fmt.Errorf("unknown delivery event %q", e)
	}
	if t.from != nil && !slices.Contains(t.from, d.State) {
		return d, fmt.Errorf("email %s cannot %s: %w", d.State, e, ErrConflict)
	}
	next := Delivery{State: t.to, Attempts: d.Attempts, MessageID: d.MessageID, UpdatedAt: at}
	switch e {
	case EventQueue:
		next.Attempts, next.MessageID = 0, ""
	case EventStart:
		next.MessageID = ""
	case EventSend:
		next.MessageID = note
	default:
		next.Reason = note
	}
	return next, nil
}
