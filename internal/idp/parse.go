package idp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// headSize is how much of a file Detect looks at.
const headSize = 4 << 10

// utf8BOM starts many exports saved on Windows (the Entra CSV among them).
const utf8BOM = "\xEF\xBB\xBF"

// parser reads the page files of one format. page reads one file into the builder; finish
// checks what only the whole export can tell (a missing last page).
type parser interface {
	page(b *builder, r *bufio.Reader) error
	finish(b *builder) error
}

// newParser returns the parser of a known, concrete format.
func newParser(f Format) (parser, bool) {
	switch f {
	case FormatOktaCSV:
		return oktaCSV{}, true
	case FormatOktaJSON:
		return oktaJSON{}, true
	case FormatEntraCSV:
		return entraCSV{}, true
	case FormatEntraJSON:
		return &entraJSON{}, true
	case FormatGoogleCSV:
		return googleCSV{}, true
	case FormatGoogleJSON:
		return &googleJSON{}, true
	case FormatSCIM:
		return &scimParser{}, true
	}
	return nil, false
}

// Parse reads one export, given as one file or as the page files of one export in order
// (Graph, Okta, Google or SCIM JSON pages), into one Snapshot. With FormatAuto (or "") each
// file's format is detected and must agree with the first's; any other format is enforced.
//
// It streams each file once. Records it cannot use are in Snapshot.Skipped with a reason;
// an export it cannot trust (unreadable, truncated, of another format, without a header or
// without any person) is a *ParseError that names the page and row.
func Parse(format Format, pages ...io.Reader) (*Snapshot, error) {
	return ParseWith(ParseOptions{}, format, pages...)
}

// ParseOptions change how Parse reads people.
type ParseOptions struct {
	// UseUPNWhenNoMail reads a Microsoft Entra user whose mail is empty at their user
	// principal name, which is often their address but need not be one; never a guest's
	// (#EXT#) or one of Entra's own *.onmicrosoft.com names. Off, such users are skipped.
	UseUPNWhenNoMail bool
}

// ParseWith is Parse with opts.
func ParseWith(opts ParseOptions, format Format, pages ...io.Reader) (*Snapshot, error) {
	if format == "" {
		format = FormatAuto
	}
	if len(pages) == 0 {
		return nil, &ParseError{Format: format, Msg: ErrEmpty.Error() + ": no file given", Err: ErrEmpty}
	}
	if _, ok := newParser(format); !ok && format != FormatAuto {
		return nil, &ParseError{Format: format, Err: ErrUnknownFormat,
			Msg: fmt.Sprintf("%v %q: valid formats are %s", ErrUnknownFormat, format, formatList())}
	}
	var (
		b *builder
		p parser
	)
	bud := &budget{}
	size := sizeOf(pages) // before any is read
	var r *bufio.Reader   // one buffer for every page
	for i, src := range pages {
		tail := &lastByte{r: &limited{r: src, b: bud}}
		if r == nil {
			r = bufio.NewReaderSize(tail, 64<<10)
		} else {
			r.Reset(tail)
		}
		head, err := r.Peek(headSize)
		var big *tooLarge
		switch {
		case errors.As(err, &big):
			return nil, pageError(format, len(pages), i, big.Error(), ErrTooLarge)
		case err != nil && !errors.Is(err, io.EOF):
			return nil, pageError(format, len(pages), i, "unreadable: "+err.Error(), err)
		}
		f := format
		if f == FormatAuto {
			if f, err = Detect(head); err != nil {
				return nil, pageError(format, len(pages), i, err.Error(), errors.Unwrap(err))
			}
		} else if enc := utf16(head); enc != "" {
			return nil, pageError(format, len(pages), i, fmt.Sprintf("%v: the file is %s; save it as UTF-8", ErrWrongFormat, enc), ErrWrongFormat)
		}
		if b == nil {
			b = newBuilder(f, len(pages))
			b.useUPN = opts.UseUPNWhenNoMail
			b.budget = bud
			p, _ = newParser(f)
			if f == FormatOktaCSV || f == FormatEntraCSV || f == FormatGoogleCSV {
				b.expect(expectedRows(head, size))
			}
		} else if f != b.snap.Format {
			return nil, pageError(b.snap.Format, len(pages), i,
				fmt.Sprintf("%v: this page is %s, the first page %s", ErrWrongFormat, f, b.snap.Format), ErrWrongFormat)
		}
		b.page, b.tail = i+1, tail
		if bytes.HasPrefix(head, []byte(utf8BOM)) {
			if _, err := r.Discard(len(utf8BOM)); err != nil {
				return nil, b.unreadable(0, err)
			}
		}
		if err := p.page(b, r); err != nil {
			return nil, err
		}
	}
	if err := p.finish(b); err != nil {
		return nil, err
	}
	var big *tooLarge
	if errors.As(bud.err, &big) {
		// A limit passed in the last read, which the page's reader may not have reported.
		return nil, &ParseError{Format: b.snap.Format, Msg: big.Error(), Err: ErrTooLarge}
	}
	if b.records() == 0 {
		return nil, &ParseError{Format: b.snap.Format, Msg: ErrEmpty.Error() + ": no people in it", Err: ErrEmpty}
	}
	return b.snapshot(), nil
}

// expectedRows estimates the rows of a CSV export of size bytes from the lines of its first
// page's head; 0 when the first page is too short to need it. Quoted line breaks and blank
// rows make it too high, never above MaxRecords.
func expectedRows(head []byte, size int64) int {
	lines := bytes.Count(head, []byte("\n"))
	if len(head) < headSize || lines < 2 {
		return 0
	}
	return int(min(size*int64(lines)/int64(len(head)), MaxRecords))
}

// sizeOf is the length of the pages whose readers know it (bytes and strings readers, files).
func sizeOf(pages []io.Reader) int64 {
	var size int64
	for _, r := range pages {
		switch r := r.(type) {
		case interface{ Len() int }:
			size += int64(r.Len())
		case interface{ Stat() (fs.FileInfo, error) }:
			if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
				size += fi.Size()
			}
		}
	}
	return size
}

// pageError builds a *ParseError about page i (from 0) of an export of n files.
func pageError(f Format, n, i int, msg string, err error) error {
	e := &ParseError{Format: f, Msg: msg, Err: err}
	if n > 1 {
		e.Page = i + 1
	}
	return e
}

// noFinish is the finish of formats whose pages carry no paging marks.
type noFinish struct{}

func (noFinish) finish(*builder) error { return nil }
