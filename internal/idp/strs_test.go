package idp

import (
	"strings"
	"testing"
)

// TestArenaKeepsEveryString keeps strings of every size, short ones sharing blocks and long
// ones in blocks of their own, and finds each again by its ref, as the builder and the
// snapshot do.
func TestArenaKeepsEveryString(t *testing.T) {
	var a arena
	var want []string
	var refs []ref
	for i := range 3000 {
		n := []int{0, 1, 7, strsBlock/16 - 1, strsBlock / 16, strsBlock/16 + 1, strsBlock, 1 << 17}[i%8]
		s := strings.Repeat(string(rune('a'+i%26)), n)
		var got string
		var r ref
		if i%3 == 0 && n > 1 {
			got, r = a.join(s[:n/2], s[n/2+1:])
			s = s[:n/2] + " " + s[n/2+1:]
		} else {
			got, r = a.keep(s)
		}
		if got != s {
			t.Fatalf("keep %d: got %d bytes, want %d", i, len(got), len(s))
		}
		want, refs = append(want, s), append(refs, r)
	}
	texts := a.texts()
	for i, r := range refs {
		if got := a.str(r); got != want[i] {
			t.Fatalf("str of string %d: %d bytes, want %d", i, len(got), len(want[i]))
		}
		if got := r.in(texts); got != want[i] {
			t.Fatalf("string %d in the texts: %d bytes, want %d", i, len(got), len(want[i]))
		}
	}
}
