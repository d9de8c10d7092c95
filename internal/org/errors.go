package org

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The closed set of domain errors. Adapters return them (wrapped); the HTTP layer maps each
// to one status and one stable problem code.
var (
	ErrNotFound           = errors.New("not found")
	ErrExists             = errors.New("already exists")
	ErrAlreadyInvited     = errors.New("already invited")
	ErrAlreadyMember      = errors.New("already a member")
	ErrInvitationExpired  = errors.New("invitation expired")
	ErrInvitationRevoked  = errors.New("invitation revoked")
	ErrInvitationAccepted = errors.New("invitation already accepted")
	ErrInvalidToken       = errors.New("invalid invitation token")
	ErrLastAdmin          = errors.New("organization must keep an active admin")
	ErrUnauthenticated    = errors.New("unauthenticated")
	ErrForbidden          = errors.New("forbidden")
	ErrConflict           = errors.New("changed concurrently")
	ErrUnavailable        = errors.New("temporarily unavailable")
	ErrRateLimited        = errors.New("too many emails")
	ErrMemberInactive     = errors.New("member is deactivated")
	ErrMemberActive       = errors.New("member is already active")
	// ErrDomainNotAllowed refuses an address outside the organization's allowed domains.
	ErrDomainNotAllowed = errors.New("domain not allowed")
	// ErrOutcomeUnknown says a write was sent but whether it was applied could not be
	// learned (the database stayed unreachable): it may or may not be stored. It comes with
	// ErrUnavailable.
	ErrOutcomeUnknown = errors.New("whether the write was applied is unknown")
)

// ExistingError reports that the address is already taken by the invitation or member ID.
// It wraps ErrAlreadyInvited or ErrAlreadyMember.
type ExistingError struct {
	Err    error
	ID     string
	Active bool // for members: whether the member is active
}

func (e *ExistingError) Error() string { return fmt.Sprintf("%v (%s)", e.Err, e.ID) }

// Unwrap lets errors.Is see the sentinel.
func (e *ExistingError) Unwrap() error { return e.Err }

// RateLimitError refuses an email that would come too soon; it wraps ErrRateLimited.
type RateLimitError struct {
	RetryAfter time.Duration
	Reason     string
}

func (e *RateLimitError) Error() string { return e.Reason }

// Unwrap lets errors.Is see ErrRateLimited.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// FieldError is one problem with one input field.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in an input, so a caller can fix them all at once.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a field problem.
func (e *ValidationError) Add(field, code, message string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, Message: message})
}

// Merge adds the field problems of err, which must be nil or a *ValidationError.
func (e *ValidationError) Merge(err error) {
	var v *ValidationError
	if errors.As(err, &v) {
		e.Fields = append(e.Fields, v.Fields...)
	} else if err != nil {
		e.Add("body", "invalid", err.Error())
	}
}

// Err returns e when it holds problems and nil otherwise.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Messages joins the fields' messages, for a person to read.
func Messages(fields []FieldError) string {
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, "; ")
}

// Invalid builds a ValidationError for a single field.
func Invalid(field, code, message string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Code: code, Message: message}}}
}

// Part names one item of an atomic write, so a store can say which of its conditions failed
// and the domain can say what that means (see explain). Stores name their parts the same way.
type Part string

// The parts of the domain's writes.
const (
	PartOrg        Part = "organization" // the organization itself (it must exist)
	PartAdmins     Part = "admins"       // the organization's count of active admins
	PartInvitation Part = "invitation"
	PartMember     Part = "member"
	PartAddress    Part = "address"     // the marker that holds an address for an invitation or member
	PartOldAddress Part = "old-address" // the marker a member moving to another address lets go
	PartSends      Part = "sends"       // the address's send history
	PartToken      Part = "token"
	PartSlack      Part = "slack"      // the organization's Slack connection
	PartSlackTeam  Part = "slack-team" // the Slack team's lookup, naming its organization
	PartAudit      Part = "audit"      // an audit entry with a deterministic id, written once
	PartRecord     Part = "record"     // any other item a write creates or replaces
)

// ConflictError reports that an atomic write was refused because the condition on one of its
// parts no longer held: the item changed since it was read. It wraps ErrConflict; the
// domain turns it into what it means for the caller (explain).
type ConflictError struct {
	Parts []Part // every part whose condition failed, in the write's order
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("write refused: %v changed meanwhile", e.Parts)
}

// Unwrap lets errors.Is see ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Refused reports whether err is a write refused because its condition on part failed.
func Refused(err error, part Part) bool {
	var c *ConflictError
	return errors.As(err, &c) && slices.Contains(c.Parts, part)
}
