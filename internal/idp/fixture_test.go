package idp

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// openFixtures opens testdata files as the pages of one export, closing them at cleanup.
func openFixtures(t *testing.T, names ...string) []io.Reader {
	t.Helper()
	var pages []io.Reader
	for _, n := range names {
		f, err := os.Open(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		pages = append(pages, f)
	}
	return pages
}

// parseFixtures parses testdata files as one export and fails the test on an error.
func parseFixtures(t *testing.T, format Format, names ...string) *Snapshot {
	t.Helper()
	s, err := Parse(format, openFixtures(t, names...)...)
	if err != nil {
		t.Fatalf("Parse(%s, %v): %v", format, names, err)
	}
	return s
}

// snapshotCase is a fixture export and the snapshot it must read as.
type snapshotCase struct {
	name   string
	format Format
	files  []string
	want   Snapshot
}

// runSnapshotCases parses each case with its format and with detection.
func runSnapshotCases(t *testing.T, cases []snapshotCase) {
	t.Helper()
	for _, tc := range cases {
		for _, f := range []Format{tc.format, FormatAuto} {
			t.Run(tc.name+"/"+string(f), func(t *testing.T) {
				got := parseFixtures(t, f, tc.files...)
				if diff := cmp.Diff(&tc.want, got); diff != "" {
					t.Errorf("mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// wantParseError checks that err is a *ParseError at page and row wrapping sentinel, whose
// message contains every one of words.
func wantParseError(t *testing.T, err error, sentinel error, page, row int, words ...string) {
	t.Helper()
	var perr *ParseError
	if !errors.As(err, &perr) {
		t.Fatalf("error = %v (%T), want a *ParseError", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not wrap %v", err, sentinel)
	}
	if perr.Page != page || perr.Row != row {
		t.Errorf("error %q at page %d row %d, want page %d row %d", err, perr.Page, perr.Row, page, row)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
