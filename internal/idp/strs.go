package idp

import "strings"

// strsBlock is the size of the blocks strs packs strings into: a few hundred people each.
const strsBlock = 32 << 10

// strs packs the strings a snapshot keeps (ids, addresses, names) into large blocks, so
// that a person costs no allocation of its own and keeps nothing of the record it was read
// from. A strings.Builder only ever appends, so the strings it has returned never change.
type strs struct{ block *strings.Builder }

// keep returns a copy of s.
func (k *strs) keep(s string) string {
	if !k.fits(len(s)) {
		return strings.Clone(s)
	}
	start := k.block.Len()
	k.block.WriteString(s)
	return k.block.String()[start:]
}

// keepBytes returns b as a string.
func (k *strs) keepBytes(b []byte) string {
	if !k.fits(len(b)) {
		return string(b)
	}
	start := k.block.Len()
	k.block.Write(b)
	return k.block.String()[start:]
}

// join returns a copy of first + " " + last.
func (k *strs) join(first, last string) string {
	n := len(first) + 1 + len(last)
	if !k.fits(n) {
		return first + " " + last
	}
	start := k.block.Len()
	k.block.WriteString(first)
	k.block.WriteByte(' ')
	k.block.WriteString(last)
	return k.block.String()[start:]
}

// fits makes room for n bytes in the current block, starting another when it is full, and
// reports false for strings that are empty or too large to share a block, which are
// better left to strings.Clone.
func (k *strs) fits(n int) bool {
	if n == 0 || n > strsBlock/16 {
		return false
	}
	if k.block == nil || k.block.Cap()-k.block.Len() < n {
		k.block = new(strings.Builder)
		k.block.Grow(strsBlock)
	}
	return true
}

// peopleChunk is how many people a chunk of a builder's list holds (about 600 KB).
const peopleChunk = 4096

// people is the list of people a builder keeps: one slice that grows as usual up to
// peopleChunk people, then chunks of that size, so that a large export is not copied over
// and over as it grows. slice makes it the snapshot's one slice.
type people struct {
	chunks [][]Person
	n      int
}

// add appends p.
func (l *people) add(p Person) {
	if len(l.chunks) == 0 || len(l.chunks[len(l.chunks)-1]) == peopleChunk {
		var c []Person
		if len(l.chunks) > 0 {
			c = make([]Person, 0, peopleChunk)
		}
		l.chunks = append(l.chunks, c)
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, p)
	l.n++
}

// at is person i.
func (l *people) at(i int) *Person { return &l.chunks[i/peopleChunk][i%peopleChunk] }

// slice returns the people as one slice, nil when there are none.
func (l *people) slice() []Person {
	switch len(l.chunks) {
	case 0:
		return nil
	case 1:
		return l.chunks[0]
	}
	all := make([]Person, 0, l.n)
	for _, c := range l.chunks {
		all = append(all, c...)
	}
	return all
}
