package idp

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"gatehouse/internal/org"
)

// record is one entry of an export as a format parser read it, before the shared rules.
type record struct {
	row   int
	id    string
	email string
	// first and last are the parts of the name, joined as joinName does; name is the name
	// when neither part is there (a display name), or the only one a format has.
	first, last string
	name        string
	status      Status // empty: rawStatus is not a status the format knows
	rawStatus   string
	// noEmail, when set, replaces the generic reason for a record without an address.
	noEmail string
	// noStatus, when set, replaces the generic reason for a record whose status is unknown.
	noStatus string
}

// fullName is the record's name before cleaning: its parts, else name.
func (r *record) fullName() string {
	if name := joinName(r.first, r.last); name != "" {
		return name
	}
	return r.name
}

// builder applies the rules every format shares (email and name normalization, duplicates,
// skips) and collects the snapshot: its people in people, the rest in snap. It knows the
// page being read.
type builder struct {
	// useUPN lets an Entra user without mail be read at their user principal name
	// (ParseOptions.UseUPNWhenNoMail).
	useUPN  bool
	snap    Snapshot
	people  people
	budget  *budget
	paged   bool
	page    int       // the page being read, from 1
	tail    *lastByte // under the page's read buffer: what was read of the page last
	byID    *index    // the position of the person of each external id
	byEmail *index    // the position of the person of each address
	strs    arena     // the strings of the people kept
	// statuses are the statuses of the people kept (this package's three), each once,
	// where entry.status points.
	statuses []Status
	// queue holds the records add has read, in order, until flush takes them in; skips
	// are the reports of those that cannot be used.
	queue []queued
	skips []Skip
}

// queued is a record that add has read, ready for the duplicate checks: the person it is,
// with the hashes the checks look up, or its report in the builder's skips. The checks of
// a queue's records then run one after another, with little else between them, so that
// the processor waits for the slots of several records at once instead of one at a time.
type queued struct {
	e                 entry
	id, email         string // e's, as the checks compare them
	idHash, emailHash uint32
	skip              int32 // 1 + the index of the record's report in skips; 0 for a person
}

// queueSize is how many records wait in the builder's queue at most.
const queueSize = 64

// newBuilder starts a snapshot of format read from pages files.
func newBuilder(format Format, pages int) *builder {
	b := &builder{snap: Snapshot{Format: format}, budget: &budget{}, paged: pages > 1}
	b.byID = newIndex(1024, func(i int) string { return b.strs.str(b.people.at(i).id) })
	b.byEmail = newIndex(1024, func(i int) string { return b.strs.str(b.people.at(i).email) })
	return b
}

// expect makes room in the duplicate checks for about rows people.
func (b *builder) expect(rows int) {
	b.byID.expect(rows)
	b.byEmail.expect(rows)
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

// skip reports a record that cannot be used, after the records add has queued.
func (b *builder) skip(r record, code SkipCode, reason string) {
	b.flush()
	b.snap.Skipped = append(b.snap.Skipped, b.skipped(r, code, reason))
}

// skipped is the report of a record that cannot be used.
func (b *builder) skipped(r record, code SkipCode, reason string) Skip {
	b.budget.done()
	return Skip{
		Row: r.row, Page: b.pageNo(), ExternalID: clip(strings.TrimSpace(r.id)),
		Email: clip(strings.TrimSpace(r.email)), Name: clip(cleanName(r.fullName())),
		Reason: clip(reason), Code: code, Status: r.status,
	}
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

// add applies the shared rules to r and keeps it as a person or reports why not. What the
// duplicate checks need is made now; the checks run when the queue is full or the builder
// is asked for what it holds (flush).
func (b *builder) add(r record) {
	b.budget.done()
	b.queue = append(b.queue, queued{})
	b.read(&r, &b.queue[len(b.queue)-1])
	if len(b.queue) == queueSize {
		b.flush()
	}
}

// read makes q of r, ready for the duplicate checks: its report, or the person it is with
// its strings kept in b.strs.
func (b *builder) read(r *record, q *queued) {
	if r.status == "" {
		reason := r.noStatus
		if reason == "" {
			reason = fmt.Sprintf("unknown status %q", clip(r.rawStatus))
		}
		b.queueSkip(q, b.skipped(*r, SkipUnknownStatus, reason))
		return
	}
	if strings.TrimSpace(r.email) == "" {
		reason := r.noEmail
		if reason == "" {
			reason = "no email address"
		}
		b.queueSkip(q, b.skipped(*r, SkipNoEmail, reason))
		return
	}
	email, err := normalizeEmail(r.email)
	if err != nil {
		b.queueSkip(q, b.skipped(*r, SkipInvalidEmail, fmt.Sprintf("invalid email %q: %v", clip(strings.TrimSpace(r.email)), err)))
		return
	}
	q.id, q.e.id = b.strs.keep(strings.TrimSpace(r.id))
	q.email, q.e.email = b.strs.keep(email)
	_, q.e.name = b.keepName(r)
	q.e.row, q.e.page, q.e.status = int32(r.row), int32(b.pageNo()), b.statusCode(r.status)
	if q.id != "" {
		q.idHash = b.byID.hash(q.id)
	}
	q.emailHash = b.byEmail.hash(q.email)
}

// queueSkip makes q the report s.
func (b *builder) queueSkip(q *queued, s Skip) {
	b.skips = append(b.skips, s)
	q.skip = int32(len(b.skips))
}

// flush takes in the queued records, in order: reports are added, people go through the
// duplicate checks.
func (b *builder) flush() {
	for k := range b.queue {
		if q := &b.queue[k]; q.skip > 0 {
			b.snap.Skipped = append(b.snap.Skipped, b.skips[q.skip-1])
		} else {
			b.keep(q)
		}
	}
	b.queue, b.skips = b.queue[:0], b.skips[:0]
}

// keep keeps the person q is unless another record is the same person.
func (b *builder) keep(q *queued) {
	// The id goes in with the address, and out again when the address makes the record a
	// duplicate: one look in each index for a new person.
	n := b.people.n
	if q.id != "" {
		if i, dup := b.byID.addHash(q.idHash, q.id, n); dup {
			b.skipPerson(b.person(&q.e), fmt.Sprintf("duplicate of %s: same id", b.where(i)))
			return
		}
	}
	i, dup := b.byEmail.addHash(q.emailHash, q.email, n)
	if !dup {
		b.people.add(q.e)
		return
	}
	if q.id != "" {
		b.byID.remove(q.id, n)
	}
	p, first := b.person(&q.e), b.person(b.people.at(i))
	if first.Status == StatusPresent || p.Status != StatusPresent {
		b.skipPerson(p, fmt.Sprintf("duplicate of %s: same email", b.where(i)))
		return
	}
	// An active record outranks an earlier suspended or staged one for the same address
	// (a rehire with a new account), so the address is the active record's. The earlier
	// record stays a skipped duplicate with its status: the planner removes or keeps the
	// account of its id by that status and never hands it to the new id.
	if first.ExternalID != "" {
		b.byID.remove(first.ExternalID, i)
	}
	*b.people.at(i) = q.e
	if q.id != "" {
		b.byID.set(q.id, i)
	}
	b.skipPerson(first, fmt.Sprintf("superseded by %s: an active record with the same email", b.where(i)))
}

// name is the cleaned name of r, kept in b.strs.
func (b *builder) name(r *record) string {
	name, _ := b.keepName(r)
	return name
}

// keepName is the cleaned name of r and where it lies in b.strs. Two parts without stray
// white space or control characters are joined straight into the block, and the whole
// then needs no cleaning when it is NFC, which parts in NFC joined by a space always are.
func (b *builder) keepName(r *record) (string, ref) {
	if r.first != "" && r.last != "" && len(r.first)+1+len(r.last) <= org.MaxNameLength && plainASCII(r.first) && plainASCII(r.last) {
		return b.strs.join(r.first, r.last) // plain ASCII has no white space to trim
	}
	first, last := strings.TrimSpace(r.first), strings.TrimSpace(r.last)
	if first == "" || last == "" {
		return b.strs.keep(cleanName(r.fullName()))
	}
	if len(first)+1+len(last) <= org.MaxNameLength && plainASCII(first) && plainASCII(last) {
		return b.strs.join(first, last)
	}
	nf, okf := cleanRunes(first)
	nl, okl := cleanRunes(last)
	if !okf || !okl || nf+1+nl > org.MaxNameLength {
		return b.strs.keep(cleanName(r.fullName()))
	}
	name, at := b.strs.join(first, last)
	if !norm.NFC.IsNormalString(name) {
		return b.strs.keep(cleanName(name))
	}
	return name, at
}

// statusCode is where s is among b.statuses, which it joins when it is new.
func (b *builder) statusCode(s Status) uint8 {
	for i, known := range b.statuses {
		if known == s {
			return uint8(i)
		}
	}
	b.statuses = append(b.statuses, s)
	return uint8(len(b.statuses) - 1)
}

// person is the Person e stands for.
func (b *builder) person(e *entry) Person {
	return Person{ExternalID: b.strs.str(e.id), Email: b.strs.str(e.email), Name: b.strs.str(e.name),
		Status: b.statuses[e.status], Row: int(e.row), Page: int(e.page), Unterminated: e.unterminated}
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
	e := b.people.at(i)
	return where("", int(e.page), int(e.row)) // a builder reads one group
}

// unterminated marks the person of data row row of the current page, if it was kept, as the
// last record of a file that ends without a line ending.
func (b *builder) unterminated(row int) {
	b.flush()
	for i := b.people.n - 1; i >= 0; i-- {
		e := b.people.at(i)
		if int(e.page) == b.pageNo() && int(e.row) == row {
			e.unterminated = true
			return
		}
		if int(e.page) != b.pageNo() {
			return
		}
	}
}

// records counts what the export held, used or not.
func (b *builder) records() int {
	b.flush()
	return b.people.n + len(b.snap.Skipped)
}

// snapshot is what the builder read. It shares nothing with the builder's indexes, so
// they are not kept alive by it.
func (b *builder) snapshot() *Snapshot {
	b.flush()
	snap := b.snap
	if b.people.n > 0 {
		snap.People = make([]Person, b.people.n)
		blocks := b.strs.texts()
		// Field by field: the slice is zero, and a Person written whole would copy its empty
		// fields too, through the garbage collector's write barrier when it is marking.
		for i := range snap.People {
			e, p := b.people.at(i), &snap.People[i]
			p.ExternalID, p.Email, p.Name = e.id.in(blocks), e.email.in(blocks), e.name.in(blocks)
			p.Status, p.Row, p.Page, p.Unterminated = b.statuses[e.status], int(e.row), int(e.page), e.unterminated
		}
	}
	return &snap
}
