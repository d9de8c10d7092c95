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

// FuzzJoinedName holds the builder's joining of a name's parts to cleanName: parts it joins
// straight away give what cleanName gives for the joined name.
func FuzzJoinedName(f *testing.F) {
	f.Add("Zoë", "Ngata")
	f.Add("e", "\u0301x")
	f.Add("伟", "李")
	f.Add("Ada", "Lovelace")
	f.Fuzz(func(t *testing.T, first, last string) {
		b := newBuilder(FormatOktaCSV, 1)
		r := record{first: first, last: last}
		if got, want := b.name(&r), cleanName(joinName(first, last)); got != want {
			t.Fatalf("name of %q and %q = %q, cleanName gives %q", first, last, got, want)
		}
	})
}
