package idp

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds any bytes to every export format, alone and split into two pages: parsing
// must never panic, an error is always a *ParseError, and a snapshot keeps the rules its
// users rely on (normalized, distinct addresses; rows in range).
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, uint8(0), uint16(len(raw)/2))
	}
	f.Add([]byte("\"User Id\",\"Status\",\"Primary email\"\n\"1\",\"ACTIVE\",\"a@b.co"), uint8(1), uint16(0))
	f.Fuzz(func(t *testing.T, raw []byte, which uint8, cut uint16) {
		all := formats()
		format := all[int(which)%len(all)]

		for _, pages := range [][][]byte{{raw}, split(raw, int(cut))} {
			var err error
			readers := make([]*bytes.Reader, len(pages))
			for i, p := range pages {
				readers[i] = bytes.NewReader(p)
			}
			rs := make([]io.Reader, len(readers))
			for i, r := range readers {
				rs[i] = r
			}
			var snap *Snapshot
			done := make(chan struct{})
			go func() {
				defer close(done)
				snap, err = Parse(format, rs...)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("Parse(%s) of %d pages has not finished after 5 s", format, len(rs))
			}
			if err != nil {
				var perr *ParseError
				if !errors.As(err, &perr) {
					t.Fatalf("Parse(%s) error %T %v is not a *ParseError", format, err, err)
				}
				continue
			}
			seen := map[string]bool{}
			for _, p := range snap.People {
				if p.Email == "" || seen[p.Email] || p.Email != strings.TrimSpace(p.Email) {
					t.Fatalf("Parse(%s) kept person %+v: empty or repeated address", format, p)
				}
				seen[p.Email] = true
				if email, err := normalizeEmail(p.Email); err != nil || email != p.Email {
					t.Fatalf("Parse(%s) kept %q, not a normalized address (%q, %v)", format, p.Email, email, err)
				}
			}
		}
	})
}

// split cuts raw in two pages at cut (clamped).
func split(raw []byte, cut int) [][]byte {
	cut = min(cut, len(raw))
	return [][]byte{raw[:cut], raw[cut:]}
}
