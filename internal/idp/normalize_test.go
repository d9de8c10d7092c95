package idp

import "testing"

// FuzzCleanName holds the fast paths of cleanName to its full rules: a name they leave as
// it is, the full rules leave as it is too.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"Ada Lovelace", "Zoë Ngata", "Ze\u0301", "伟 李", "a  b", " a", "a\u00a0b", "a\u2028b",
		"a\tb", "\xff", "a\u200bb", "ǅ", "x\u0301\u0300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !plainASCII(raw) && !clean(raw) {
			return
		}
		if full := cleanSlowly(raw); full != raw {
			t.Fatalf("cleanName leaves %q as it is, but the full rules give %q", raw, full)
		}
	})
}
