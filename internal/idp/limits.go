package idp

import (
	"errors"
	"fmt"
	"io"
)

// Limits on what one export may hold, generous for an organization of 200,000 people (an
// Okta CSV of that size is about 40 MB, Graph JSON pages about 200 MB) and small enough that
// no export can run the sync out of memory: a record is held in memory whole while it is
// parsed, so its size is bounded, and the rest streams.
const (
	// MaxExportBytes bounds all the pages of one export together.
	MaxExportBytes = 512 << 20
	// MaxRecordBytes bounds one record: a CSV row, or a JSON person with what surrounds it.
	MaxRecordBytes = 1 << 20
	// MaxRecords bounds the records of one export, people and skipped rows together.
	MaxRecords = 1_000_000
)

// ErrTooLarge: the export, or one of its records, is over a limit; nothing is applied.
var ErrTooLarge = errors.New("export is too large")

// budget counts what an export's pages have read against the limits; every reader of an
// export's pages shares it.
type budget struct {
	total, record int64
	records       int
	err           error
}

// done ends a record: the next one starts its count afresh.
func (b *budget) done() {
	b.record = 0
	b.records++
	if b.records > MaxRecords && b.err == nil {
		b.err = &tooLarge{fmt.Sprintf("more than %d records", MaxRecords)}
	}
}

// tooLarge is the error a page's reader returns once a limit is passed.
type tooLarge struct{ what string }

func (e *tooLarge) Error() string { return ErrTooLarge.Error() + ": " + e.what }
func (e *tooLarge) Unwrap() error { return ErrTooLarge }

// limited reads one page within b.
type limited struct {
	r io.Reader
	b *budget
}

func (l *limited) Read(p []byte) (int, error) {
	if l.b.err != nil {
		return 0, l.b.err
	}
	n, err := l.r.Read(p)
	l.b.total += int64(n)
	l.b.record += int64(n)
	switch {
	case l.b.total > MaxExportBytes:
		l.b.err = &tooLarge{fmt.Sprintf("over %d MiB in all", MaxExportBytes>>20)}
	case l.b.record > MaxRecordBytes:
		l.b.err = &tooLarge{fmt.Sprintf("one record is over %d MiB (a field that long is no person's)", MaxRecordBytes>>20)}
	}
	if l.b.err != nil {
		return n, l.b.err
	}
	return n, err
}
