package localdb

import (
	"encoding/binary"
	"errors"
	"maps"
	"slices"

	"github.com/truora/minidyn/types"
)

// packed is an item in the form a table keeps it: one byte slice without pointers. Held as
// attrs, an item is a map of dozens of small objects that the garbage collector would have
// to trace on every cycle, so that the cost of each request would grow with the table;
// packed, the table is nearly invisible to it. Items are unpacked when a request reads them.
type packed []byte

// Value tags of the packed form.
const (
	tagS byte = iota + 1
	tagN
	tagB
	tagTrue
	tagFalse
	tagNull
	tagSS
	tagNS
	tagBS
	tagL
	tagM
)

var errCorrupt = errors.New("corrupt packed item")

func pack(a attrs) packed {
	return packed(appendAttrs(nil, a))
}

func appendAttrs(b []byte, a attrs) []byte {
	b = binary.AppendUvarint(b, uint64(len(a)))
	for name, v := range a {
		b = appendString(b, name)
		b = appendValue(b, v)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, tag byte, ss []string) []byte {
	b = binary.AppendUvarint(append(b, tag), uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// appendCanonical is appendAttrs with the names in order, at every depth: equal items
// make equal bytes, however their maps iterate.
func appendCanonical(b []byte, a attrs) []byte {
	b = binary.AppendUvarint(b, uint64(len(a)))
	for _, name := range slices.Sorted(maps.Keys(a)) {
		b = appendString(b, name)
		b = appendValueWith(b, a[name], appendCanonical)
	}
	return b
}

func appendValue(b []byte, v *types.Item) []byte { return appendValueWith(b, v, appendAttrs) }

// appendValueWith appends v, its maps by appendMap.
func appendValueWith(b []byte, v *types.Item, appendMap func([]byte, attrs) []byte) []byte {
	switch kindOf(v) {
	case "S":
		return appendString(append(b, tagS), *v.S)
	case "N":
		return appendString(append(b, tagN), *v.N)
	case "B":
		return appendString(append(b, tagB), string(v.B))
	case "BOOL":
		if *v.BOOL {
			return append(b, tagTrue)
		}
		return append(b, tagFalse)
	case "SS":
		return appendStrings(b, tagSS, derefAll(v.SS))
	case "NS":
		return appendStrings(b, tagNS, derefAll(v.NS))
	case "BS":
		ss := make([]string, len(v.BS))
		for i, e := range v.BS {
			ss[i] = string(e)
		}
		return appendStrings(b, tagBS, ss)
	case "L":
		b = binary.AppendUvarint(append(b, tagL), uint64(len(v.L)))
		for _, e := range v.L {
			b = appendValueWith(b, e, appendMap)
		}
		return b
	case "M":
		return appendMap(append(b, tagM), v.M)
	}
	return append(b, tagNull)
}

// unpack is the item as attrs, freshly allocated: the caller may keep or change it.
func (p packed) unpack() attrs {
	if p == nil {
		return nil
	}
	r := unpacker{b: p}
	a := r.attrs()
	if r.err != nil {
		// Only pack wrote p; reaching here is a defect of this file, not of the request.
		return attrs{}
	}
	return a
}

// unpacker reads the packed form, remembering the first error.
type unpacker struct {
	b   []byte
	err error
}

func (r *unpacker) uvarint() int {
	n, size := binary.Uvarint(r.b)
	if size <= 0 || n > uint64(len(r.b)) {
		r.err, r.b = errCorrupt, nil
		return 0
	}
	r.b = r.b[size:]
	return int(n)
}

func (r *unpacker) string() string {
	n := r.uvarint()
	if n > len(r.b) {
		r.err, r.b = errCorrupt, nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *unpacker) attrs() attrs {
	n := r.uvarint()
	a := make(attrs, n)
	for range n {
		name := r.string()
		a[name] = r.value()
	}
	return a
}

func (r *unpacker) strings() []*string {
	out := make([]*string, r.uvarint())
	for i := range out {
		s := r.string()
		out[i] = &s
	}
	return out
}

func (r *unpacker) value() *types.Item {
	if len(r.b) == 0 {
		r.err = errCorrupt
		return &types.Item{NULL: new(true)}
	}
	tag := r.b[0]
	r.b = r.b[1:]
	v := &types.Item{}
	switch tag {
	case tagS:
		s := r.string()
		v.S = &s
	case tagN:
		s := r.string()
		v.N = &s
	case tagB:
		v.B = []byte(r.string())
	case tagTrue, tagFalse:
		v.BOOL = new(tag == tagTrue)
	case tagSS:
		v.SS = r.strings()
	case tagNS:
		v.NS = r.strings()
	case tagBS:
		ss := r.strings()
		v.BS = make([][]byte, len(ss))
		for i, s := range ss {
			v.BS[i] = []byte(*s)
		}
	case tagL:
		v.L = make([]*types.Item, r.uvarint())
		for i := range v.L {
			v.L[i] = r.value()
		}
	case tagM:
		v.M = r.attrs()
	default:
		v.NULL = new(true)
	}
	return v
}
