package dynamo

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzDecodeCursor reads any text as a cursor: never a panic, and anything accepted is a
// cursor made by encodeCursor for the same list, naming a sort key under its own prefix.
func FuzzDecodeCursor(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, 32)
	q := query{orgID: "acme", prefix: prefixInvitation, view: "status=pending"}
	good := encodeCursor(secret, q, "INV#inv_01ABC")
	for _, s := range []string{good, "", "!!!", "aW52XzAwMA", strings.Repeat("A", 200), good[:len(good)-1] + "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		sk, err := decodeCursor(secret, q, cursor)
		if err != nil {
			return
		}
		if !strings.HasPrefix(sk, prefixInvitation) || strings.ContainsAny(sk[len(prefixInvitation):], "#\x00") {
			t.Fatalf("decodeCursor(%q) = %q, outside the list's keys", cursor, sk)
		}
		if again := encodeCursor(secret, q, sk); again != cursor {
			t.Fatalf("decodeCursor(%q) = %q, which encodes as %q", cursor, sk, again)
		}
	})
}

// TestCursorsAreBoundToTheirList: a cursor continues only the organization, list, filter
// and order it was made for, under the table's key; a forged one is refused.
func TestCursorsAreBoundToTheirList(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	q := query{orgID: "acme", prefix: prefixInvitation, view: "status=pending"}
	c := encodeCursor(secret, q, "INV#inv_01ABC")
	if sk, err := decodeCursor(secret, q, c); err != nil || sk != "INV#inv_01ABC" {
		t.Fatalf("own cursor: %q %v", sk, err)
	}
	other := func(change func(*query)) query { x := q; change(&x); return x }
	for name, wrong := range map[string]query{
		"another organization": other(func(x *query) { x.orgID = "globex" }),
		"another list":         other(func(x *query) { x.prefix = prefixMember }),
		"another filter":       other(func(x *query) { x.view = "status=revoked" }),
		"the other order":      other(func(x *query) { x.forward = true }),
	} {
		if _, err := decodeCursor(secret, wrong, c); err == nil {
			t.Errorf("a cursor of acme's pending invitations continued %s", name)
		}
	}
	if _, err := decodeCursor(bytes.Repeat([]byte{8}, 32), q, c); err == nil {
		t.Error("a cursor signed under another key was accepted")
	}
	// The forgery the review made: the sort key alone, in base64.
	for _, forged := range []string{"aW52XzAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw", "aW52XzAwMA.AAAAAAAAAAAAAAAAAAAAAA", strings.SplitN(c, ".", 2)[0]} {
		if _, err := decodeCursor(secret, q, forged); err == nil {
			t.Errorf("forged cursor %q accepted", forged)
		}
	}
}
