package connector

import (
	"errors"
	"strconv"
	"strings"
)

// The kinds of failure a caller may want to tell apart; every *Error wraps one.
var (
	// ErrIncomplete: Fetch stopped before it had every page of every group. Nothing read
	// by it may be applied.
	ErrIncomplete = errors.New("the read did not finish, so nothing is applied")
	// ErrSignIn: the provider refused the credentials.
	ErrSignIn = errors.New("sign-in refused")
	// ErrPermission: signed in, but not allowed to read the group.
	ErrPermission = errors.New("permission denied")
	// ErrGroupNotFound: the group does not exist.
	ErrGroupNotFound = errors.New("group not found")
	// ErrRejected: the provider refused the request as malformed (a 400).
	ErrRejected = errors.New("request rejected")
	// ErrRateLimited: the provider kept answering "too many requests".
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: the provider kept failing (5xx, broken connections).
	ErrUnavailable = errors.New("provider unavailable")
	// ErrUnreachable: the provider's address may not or cannot be reached (an egress
	// refusal, a name that does not resolve).
	ErrUnreachable = errors.New("provider unreachable")
	// ErrDeadline: the run's deadline passed, or would pass before a wait the provider
	// asked for, or the run was canceled.
	ErrDeadline = errors.New("out of time")
	// ErrBadResponse: an answer that cannot be used: not JSON, too large, a next link to
	// another host, pages that never end.
	ErrBadResponse = errors.New("unusable response")
	// ErrDeltaExpired: Graph no longer knows the delta link; read the group in full.
	ErrDeltaExpired = errors.New("delta link expired")
)

// Error is a failure of a connector, in words fit to show an admin: which provider, which
// group and page, the HTTP status and the provider's own error code, and what it means.
// It never holds a credential. Unwrap gives Kind, the cause, and ErrIncomplete for a
// Fetch that stopped.
type Error struct {
	Provider Provider
	Group    string // the group's id; "" when not about one group (signing in)
	Page     int    // from 1; 0 when not about a page
	Status   int    // the HTTP status; 0 when none came
	Code     string // the provider's error code, such as Authorization_RequestDenied
	Reason   string // what went wrong, in plain words
	Kind     error  // one of the Err* kinds above
	// Incomplete is set on the errors of Fetch: the read stopped.
	Incomplete bool
	cause      error
}

// Error names the provider, group and page, then says what went wrong.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Provider))
	if e.Group != "" {
		b.WriteString(" group ")
		b.WriteString(e.Group)
	}
	if e.Page > 0 {
		b.WriteString(", page ")
		b.WriteString(strconv.Itoa(e.Page))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Incomplete {
		b.WriteString("; ")
		b.WriteString(ErrIncomplete.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As see the kind, the cause and ErrIncomplete.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 3)
	for _, err := range []error{e.Kind, e.cause} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if e.Incomplete {
		errs = append(errs, ErrIncomplete)
	}
	return errs
}

// incomplete marks err, an error of a Fetch, as a read that stopped.
func incomplete(err error) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Incomplete = true
		return &c
	}
	return err
}

// oneLine trims a provider's message to its first line and at most 200 bytes, so that a
// stack trace or a page of HTML does not end up in a report.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > 200 {
		cut := 200
		for cut > 0 && s[cut]&0xc0 == 0x80 { // not inside a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
