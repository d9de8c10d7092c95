package ses

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"gatehouse/internal/mailer"
)

// Limits on what a name may add to an email, in runes: enough for any real name, short
// enough that a hostile one cannot bury the rest of the subject.
const (
	maxNameRunes    = 80
	maxSubjectRunes = 200
)

// expiryLayout reads like "Wednesday, 2 December 2026 at 12:00 UTC"; times are shown in UTC.
const expiryLayout = "Monday, 2 January 2006 at 15:04 UTC"

// view is what the bodies show: every name already cleaned to a single line.
type view struct {
	Subject   string
	Invitee   string
	Inviter   string
	Org       string
	Role      string
	AcceptURL string
	ExpiresAt string
}

// Render builds the subject and the HTML and plain-text bodies of an invitation email. Names
// are reduced to one line of text before use, so they cannot add headers or lines; the HTML
// body escapes them. It fails when the message lacks an organization, an http(s) accept URL
// or an expiry.
func Render(m mailer.Message) (subject, html, text string, err error) {
	v, err := newView(m)
	if err != nil {
		return "", "", "", err
	}
	return v.Subject, invitationHTML(v), invitationText(v), nil
}

// newView checks the message and cleans its names for display.
func newView(m mailer.Message) (view, error) {
	v := view{
		Invitee:   cleanName(m.InviteeName),
		Inviter:   cleanName(m.InviterName),
		Org:       cleanName(m.OrgName),
		Role:      cleanName(m.Role),
		AcceptURL: m.AcceptURL,
	}
	var problems []error
	if v.Org == "" {
		problems = append(problems, errors.New("organization name is empty"))
	}
	if err := checkAcceptURL(m.AcceptURL); err != nil {
		problems = append(problems, err)
	}
	if m.ExpiresAt.IsZero() {
		problems = append(problems, errors.New("expiry is not set"))
	}
	if len(problems) > 0 {
		return view{}, fmt.Errorf("invalid invitation message: %w", errors.Join(problems...))
	}
	v.ExpiresAt = m.ExpiresAt.UTC().Format(expiryLayout)
	v.Subject = subjectFor(v.Inviter, v.Org)
	return v, nil
}

// subjectFor is the subject line for already cleaned names.
func subjectFor(inviter, org string) string {
	s := "You're invited to join " + org
	if inviter != "" {
		s = inviter + " invited you to join " + org
	}
	return truncate(s, maxSubjectRunes)
}

// checkAcceptURL accepts only absolute http and https links: the button must lead to the
// invitation page and nowhere else.
func checkAcceptURL(raw string) error {
	if raw == "" {
		return errors.New("accept URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("accept URL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("accept URL %q is not an absolute http(s) URL", raw)
	}
	return nil
}

// cleanName turns a name into one line of plain words: control characters, line and
// paragraph separators, bidirectional overrides and unusual spaces become spaces, runs of
// spaces collapse to one, and the result is trimmed and shortened to maxNameRunes.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if isBreaking(r) {
			return ' '
		}
		return r
	}, s)
	return truncate(strings.Join(strings.Fields(s), " "), maxNameRunes)
}

// isBreaking reports whether r could break a line, a header or the reading order.
func isBreaking(r rune) bool {
	switch {
	case unicode.IsControl(r), unicode.IsSpace(r),
		unicode.In(r, unicode.Zl, unicode.Zp, unicode.Zs):
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', r == '\u200E', r == '\u200F':
		return true // bidirectional embeddings, overrides, isolates and marks
	}
	return false
}

// truncate shortens s to at most n runes, ending with an ellipsis when it cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimRight(string(runes[:n-1]), " ") + "…"
}
