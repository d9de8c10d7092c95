package idp

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// csvTable reads one CSV page: a header naming the columns, then data rows of the header's
// width. Rows are reused between reads, so callers copy what they keep (the builder does).
type csvTable struct {
	b     *builder
	r     *csv.Reader
	src   *lastByte
	cols  map[string]int // headerName -> index
	width int
	row   int      // data rows read so far
	ahead []string // a row read ahead of a short one, returned next
	// idCol and emailCol name the person in a skipped short row; -1 when absent.
	idCol, emailCol int
}

// openCSV reads the header of a CSV page from src, the page's read buffer, and checks that
// it names every required column (as headerName spells them). encoding/csv reads straight
// from src, a bufio.Reader, so the end of the file is told by b.tail.
func openCSV(b *builder, src *bufio.Reader, required ...string) (*csvTable, error) {
	lb := b.tail
	r := csv.NewReader(src)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1                                                // checked here, so a short row can be skipped and named
	t := &csvTable{b: b, r: r, src: lb, idCol: -1, emailCol: -1, row: -1} // errors in the header are at row 0
	header, err := t.read()
	if errors.Is(err, io.EOF) {
		return nil, b.fail(0, ErrEmpty, "no header: the file is empty")
	}
	if err != nil {
		return nil, err
	}
	// The Entra bulk templates start with a "version:v1.0" line above the header.
	if len(header) == 1 && strings.HasPrefix(strings.ToLower(strings.TrimSpace(header[0])), "version:") {
		if header, err = t.read(); errors.Is(err, io.EOF) {
			return nil, b.fail(0, ErrEmpty, "no header after the version line")
		} else if err != nil {
			return nil, err
		}
	}
	t.row = 0
	b.budget.record = 0
	t.width = len(header)
	t.cols = make(map[string]int, len(header))
	for i, h := range header {
		if name := headerName(h); name != "" {
			if _, dup := t.cols[name]; !dup {
				t.cols[name] = i
			}
		}
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			// The file's own cells are not repeated: a reason never shows what a file holds.
			return nil, b.fail(0, ErrWrongFormat, "no header with a %q column (the first line has %d cells)", c, len(header))
		}
	}
	return t, nil
}

// col is the index of a column, -1 when the header lacks it.
func (t *csvTable) col(name string) int {
	if i, ok := t.cols[name]; ok {
		return i
	}
	return -1
}

// field is the value of column i of rec, "" when the column is absent.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

// next returns the next data row and its number, or nil at the end of the page. A row whose
// field count differs from the header's is skipped and reported, except as the last row,
// where it means the file was cut off.
func (t *csvTable) next() ([]string, int, error) {
	for {
		rec := t.ahead
		t.ahead = nil
		if rec == nil {
			var err error
			if rec, err = t.read(); errors.Is(err, io.EOF) {
				if t.row > 0 && !t.src.endsLine() {
					// The file ends without a line ending: its last record may be cut off
					// inside an unquoted field, which the planner checks.
					t.b.unterminated(t.row)
				}
				return nil, 0, nil
			} else if err != nil {
				return nil, 0, err
			}
		}
		t.row++
		if blank(rec) {
			t.b.budget.record = 0
			continue // spreadsheets save empty rows as ",,,,"
		}
		if len(rec) == t.width {
			return rec, t.row, nil
		}
		short := slices.Clone(rec)
		ahead, err := t.read()
		if errors.Is(err, io.EOF) {
			return nil, 0, t.b.fail(t.row, ErrTruncated, "the last row has %d fields, the header %d: the file was cut off",
				len(short), t.width)
		} else if err != nil {
			return nil, 0, err
		}
		t.ahead = ahead
		t.b.skip(record{row: t.row, id: field(short, t.idCol), email: field(short, t.emailCol)}, SkipMalformedRow,
			fmt.Sprintf("row has %d fields, the header %d", len(short), t.width))
	}
}

// read reads one CSV record, turning encoding/csv errors into a *ParseError that names the
// line and tells a file cut off inside a quoted field from a malformed one.
func (t *csvTable) read() ([]string, error) {
	rec, err := t.r.Read()
	if err == nil || errors.Is(err, io.EOF) {
		return rec, err
	}
	var perr *csv.ParseError
	if !errors.As(err, &perr) {
		return nil, t.b.unreadable(t.row+1, err)
	}
	if errors.Is(perr.Err, csv.ErrQuote) {
		if _, next := t.r.Read(); errors.Is(next, io.EOF) {
			return nil, t.b.fail(t.row+1, ErrTruncated, "the file ends inside a quoted field that starts on line %d", perr.StartLine)
		}
	}
	return nil, t.b.fail(t.row+1, ErrMalformed, "line %d, column %d: %v", perr.Line, perr.Column, perr.Err)
}

// blank reports whether every field of rec is empty or spaces.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerName is how a CSV header cell is compared: without a byte order mark, without a
// Google-style " [Required]" note, trimmed and lower-cased.
func headerName(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
	if i := strings.LastIndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		s = s[:i]
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// lastByte passes reads through, remembering the last byte read, so the end of a file tells
// whether its last line was finished.
type lastByte struct {
	r    io.Reader
	last byte
	any  bool
}

func (l *lastByte) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		l.last, l.any = p[n-1], true
	}
	return n, err
}

// endsLine reports whether what was read ends with a line ending (or was nothing at all).
func (l *lastByte) endsLine() bool { return !l.any || l.last == '\n' || l.last == '\r' }
