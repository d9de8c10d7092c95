package idp

import (
	"errors"
	"fmt"
	"slices"
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
//
// Duplicates are settled once the whole export is read (dedupe), not record by record: a
// look-up per record in an index of 100,000 ids and as many addresses waits on the memory
// of a table larger than the processor's cache, while a first pass over the hashes in a
// bitmap that fits there finds the few records that may share a key with another, and
// only those are checked, in order, the way one at a time would have.
type builder struct {
	// useUPN lets an Entra user without mail be read at their user principal name
	// (ParseOptions.UseUPNWhenNoMail).
	useUPN bool
	snap   Snapshot
	// people are the usable records read, in order; dedupe takes out the duplicates.
	people people
	budget *budget
	paged  bool
	page   int       // the page being read, from 1
	tail   *lastByte // under the page's read buffer: what was read of the page last
	// byID and byEmail are the indexes dedupe checks duplicates in; idHash and emailHash are
	// their hashes of the id (0 when there is none) and the address of each of people, by
	// its place there, made as each record is read.
	byID, byEmail     *index
	idHash, emailHash []uint32
	// skipAt is, for each report in snap.Skipped, how many of people were read before its
	// record: dedupe puts the reports of duplicates among them in the order of the records.
	skipAt []int32
	strs   arena // the strings of the people kept
	// statuses are the statuses of the people kept (this package's three), each once,
	// where entry.status points.
	statuses []Status
}

// newBuilder starts a snapshot of format read from pages files.
func newBuilder(format Format, pages int) *builder {
	b := &builder{snap: Snapshot{Format: format}, budget: &budget{}, paged: pages > 1}
	// The key of a position is that of the record there now (see dupChecks).
	b.byID = newIndex(0, func(i int) string { return b.strs.str(b.people.at(i).id) })
	b.byEmail = newIndex(0, func(i int) string { return b.strs.str(b.people.at(i).email) })
	return b
}

// expect makes room for about rows people.
func (b *builder) expect(rows int) {
	b.idHash = slices.Grow(b.idHash, rows)
	b.emailHash = slices.Grow(b.emailHash, rows)
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
	b.report(b.skipped(r, code, reason))
}

// report adds s to the snapshot's reports, after the people read so far.
func (b *builder) report(s Skip) {
	b.snap.Skipped = append(b.snap.Skipped, s)
	b.skipAt = append(b.skipAt, int32(b.people.n))
}

// skipped is the report of a record that cannot be used.
func (b *builder) skipped(r record, code SkipCode, reason string) Skip {
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

// add applies the shared rules to r and keeps it as a person, or reports why not. Whether
// another record is the same person is settled when the export has been read (dedupe).
func (b *builder) add(r record) {
	b.budget.done()
	if r.status == "" {
		reason := r.noStatus
		if reason == "" {
			reason = fmt.Sprintf("unknown status %q", clip(r.rawStatus))
		}
		b.report(b.skipped(r, SkipUnknownStatus, reason))
		return
	}
	if strings.TrimSpace(r.email) == "" {
		reason := r.noEmail
		if reason == "" {
			reason = "no email address"
		}
		b.report(b.skipped(r, SkipNoEmail, reason))
		return
	}
	email, err := normalizeEmail(r.email)
	if err != nil {
		b.report(b.skipped(r, SkipInvalidEmail, fmt.Sprintf("invalid email %q: %v", clip(strings.TrimSpace(r.email)), err)))
		return
	}
	var e entry
	id, idRef := b.strs.keep(strings.TrimSpace(r.id))
	email, e.email = b.strs.keep(email)
	_, e.name = b.keepName(&r)
	e.id, e.row, e.page, e.status = idRef, int32(r.row), int32(b.pageNo()), b.statusCode(r.status)
	var idHash uint32
	if id != "" {
		idHash = b.byID.hash(id)
	}
	b.people.add(e)
	b.idHash = append(b.idHash, idHash)
	b.emailHash = append(b.emailHash, b.byEmail.hash(email))
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

// unterminated marks the person of data row row of the current page, if it was kept, as the
// last record of a file that ends without a line ending.
func (b *builder) unterminated(row int) {
	if b.people.n == 0 {
		return
	}
	// Rows only grow within a page, so the record is the last one read or none.
	if e := b.people.at(b.people.n - 1); int(e.page) == b.pageNo() && int(e.row) == row {
		e.unterminated = true
	}
}

// records counts what the export held, used or not.
func (b *builder) records() int {
	return b.people.n + len(b.snap.Skipped)
}

// snapshot is what the builder read, its duplicates settled; it is taken once, at the end.
// Its strings lie in the builder's blocks; nothing else of the builder stays alive by it.
func (b *builder) snapshot() *Snapshot {
	b.dedupe()
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
