package idp

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// record is one entry of an export as a format parser read it, before the shared rules.
type record struct {
	row       int
	id        string
	email     string
	name      string
	status    Status // empty: rawStatus is not a status the format knows
	rawStatus string
	// noEmail, when set, replaces the generic reason for a record without an address.
	noEmail string
	// noStatus, when set, replaces the generic reason for a record whose status is unknown.
	noStatus string
}

// builder applies the rules every format shares (email and name normalization, duplicates,
// skips) and collects the snapshot. It knows the page being read.
type builder struct {
	snap    Snapshot
	budget  *budget
	paged   bool
	page    int // the page being read, from 1
	byID    map[string]int
	byEmail map[string]int
}

// newBuilder starts a snapshot of format read from pages files.
func newBuilder(format Format, pages int) *builder {
	return &builder{
		snap:    Snapshot{Format: format},
		budget:  &budget{},
		paged:   pages > 1,
		byID:    make(map[string]int),
		byEmail: make(map[string]int),
	}
}

// pageNo is the page to report: 0 when the export is one file.
func (b *builder) pageNo() int {
	if b.paged {
		return b.page
	}
	return 0
}

// fail builds the *ParseError for the current page; sentinel is what errors.Is should see.
func (b *builder) fail(row int, sentinel error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if sentinel != nil {
		msg = sentinel.Error() + ": " + msg
	}
	return &ParseError{Format: b.snap.Format, Page: b.pageNo(), Row: row, Msg: msg, Err: sentinel}
}

// unreadable builds the *ParseError for a reader that failed, wrapping its error; a page over
// a limit says which.
func (b *builder) unreadable(row int, err error) error {
	var big *tooLarge
	if errors.As(err, &big) {
		return &ParseError{Format: b.snap.Format, Page: b.pageNo(), Row: row, Msg: big.Error(), Err: ErrTooLarge}
	}
	return &ParseError{Format: b.snap.Format, Page: b.pageNo(), Row: row, Msg: "unreadable: " + err.Error(), Err: err}
}

// skip reports a record that cannot be used.
func (b *builder) skip(r record, code SkipCode, reason string) {
	b.budget.done()
	b.snap.Skipped = append(b.snap.Skipped, Skip{
		Row: r.row, Page: b.pageNo(), ExternalID: clip(strings.TrimSpace(r.id)),
		Email: clip(strings.TrimSpace(r.email)), Name: clip(cleanName(r.name)),
		Reason: clip(reason), Code: code, Status: r.status,
	})
}

// maxShown bounds what a skipped record repeats of its values, so that a report or a preview
// of an export full of huge fields stays small.
const maxShown = 256

// clip is s cut to maxShown bytes (at a character boundary, marked with "…"), copied so it
// keeps no reference to the record it came from.
func clip(s string) string {
	if len(s) <= maxShown {
		return strings.Clone(s)
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.Clone(s[:cut]) + "…"
}

// add applies the shared rules to r and keeps it as a person or reports why not.
func (b *builder) add(r record) {
	b.budget.done()
	if r.status == "" {
		reason := r.noStatus
		if reason == "" {
			reason = fmt.Sprintf("unknown status %q", clip(r.rawStatus))
		}
		b.skip(r, SkipUnknownStatus, reason)
		return
	}
	if strings.TrimSpace(r.email) == "" {
		reason := r.noEmail
		if reason == "" {
			reason = "no email address"
		}
		b.skip(r, SkipNoEmail, reason)
		return
	}
	email, err := normalizeEmail(r.email)
	if err != nil {
		b.skip(r, SkipInvalidEmail, fmt.Sprintf("invalid email %q: %v", clip(strings.TrimSpace(r.email)), err))
		return
	}
	p := Person{
		ExternalID: strings.Clone(strings.TrimSpace(r.id)),
		Email:      email,
		Name:       cleanName(r.name),
		Status:     r.status,
		Row:        r.row,
		Page:       b.pageNo(),
	}
	if i, ok := b.byID[p.ExternalID]; ok && p.ExternalID != "" {
		b.skipPerson(p, fmt.Sprintf("duplicate of %s: same id", b.where(i)))
		return
	}
	i, ok := b.byEmail[email]
	if !ok {
		b.keep(p, len(b.snap.People))
		return
	}
	first := b.snap.People[i]
	if first.Status == StatusPresent || p.Status != StatusPresent {
		b.skipPerson(p, fmt.Sprintf("duplicate of %s: same email", b.where(i)))
		return
	}
	// An active record outranks an earlier suspended or staged one for the same address
	// (a rehire with a new account), so the address is the active record's. The earlier
	// record stays a skipped duplicate with its status: the planner removes or keeps the
	// account of its id by that status and never hands it to the new id.
	delete(b.byID, first.ExternalID)
	b.keep(p, i)
	b.skipPerson(first, fmt.Sprintf("superseded by %s: an active record with the same email", b.where(i)))
}

// keep stores p at index i of the people, appending when i is the length.
func (b *builder) keep(p Person, i int) {
	if i == len(b.snap.People) {
		b.snap.People = append(b.snap.People, p)
	} else {
		b.snap.People[i] = p
	}
	if p.ExternalID != "" {
		b.byID[p.ExternalID] = i
	}
	b.byEmail[p.Email] = i
}

// skipPerson reports a usable record that another one stands for.
func (b *builder) skipPerson(p Person, reason string) {
	b.snap.Skipped = append(b.snap.Skipped, Skip{
		Row: p.Row, Page: p.Page, ExternalID: p.ExternalID, Email: p.Email, Name: p.Name,
		Reason: reason, Code: SkipDuplicate, Status: p.Status,
	})
}

// where names the record kept at index i of the people.
func (b *builder) where(i int) string {
	p := b.snap.People[i]
	return where(p.Group, p.Page, p.Row)
}

// unterminated marks the person of data row row of the current page, if it was kept, as the
// last record of a file that ends without a line ending.
func (b *builder) unterminated(row int) {
	for i := len(b.snap.People) - 1; i >= 0; i-- {
		p := &b.snap.People[i]
		if p.Page == b.pageNo() && p.Row == row {
			p.Unterminated = true
			return
		}
		if p.Page != b.pageNo() {
			return
		}
	}
}

// records counts what the export held, used or not.
func (b *builder) records() int { return len(b.snap.People) + len(b.snap.Skipped) }
