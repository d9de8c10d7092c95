package dynamo

import (
	"strings"
	"testing"
)

// FuzzDecodeCursor reads any text as a cursor: never a panic, and anything accepted names a
// sort key under the list's own prefix that encodes back to the same cursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{encodeCursor(prefixInvitation, "INV#inv_01ABC"), "", "!!!", "aW52XzAwMA", strings.Repeat("A", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		sk, err := decodeCursor(prefixInvitation, cursor)
		if err != nil {
			return
		}
		if !strings.HasPrefix(sk, prefixInvitation) || strings.ContainsAny(sk[len(prefixInvitation):], "#\x00") {
			t.Fatalf("decodeCursor(%q) = %q, outside the list's keys", cursor, sk)
		}
		if again := encodeCursor(prefixInvitation, sk); again != cursor {
			t.Fatalf("decodeCursor(%q) = %q, which encodes as %q", cursor, sk, again)
		}
	})
}
