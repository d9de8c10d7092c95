package localdb

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/truora/minidyn/types"
)

func TestPackKeepsEveryValue(t *testing.T) {
	s := func(v string) *string { return &v }
	yes, no := true, false
	in := attrs{
		"s": {S: s("text ✓")}, "empty": {S: s("")}, "n": {N: s("-12.5e3")}, "b": {B: []byte{0, 1, 255}},
		"t": {BOOL: &yes}, "f": {BOOL: &no}, "null": {NULL: &yes},
		"ss": {SS: []*string{s("a"), s("b")}}, "ns": {NS: []*string{s("1"), s("2.5")}}, "bs": {BS: [][]byte{{1}, {2, 3}}},
		"l": {L: []*types.Item{{S: s("x")}, {N: s("1")}, {L: []*types.Item{}}}},
		"m": {M: attrs{"inner": {M: attrs{}}, "v": {BOOL: &no}}},
	}
	got := pack(in).unpack()
	if diff := cmp.Diff(toWireItem(in), toWireItem(got)); diff != "" {
		t.Errorf("unpacked item mismatch (-want +got):\n%s", diff)
	}
	if got := packed(nil).unpack(); got != nil {
		t.Errorf("nothing packed unpacks to %v", got)
	}
}
