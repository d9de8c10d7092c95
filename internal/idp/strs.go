package idp

import "strings"

// strsBlock is the size of the blocks strs and arena pack strings into: a few hundred
// people each.
const strsBlock = 32 << 10

// strs packs short-lived strings (the JSON text of a member until the builder has copied
// what it keeps) into large blocks, so that each costs no allocation of its own; a block is
// freed when nothing refers to it any more. A strings.Builder only ever appends, so the
// strings it has returned never change.
type strs struct{ block *strings.Builder }

// keepBytes returns b as a string.
func (k *strs) keepBytes(b []byte) string {
	if !k.fits(len(b)) {
		return string(b)
	}
	start := k.block.Len()
	k.block.Write(b)
	return k.block.String()[start:]
}

// fits makes room for n bytes in the current block, starting another when it is full, and
// reports false for strings that are empty or too large to share a block, which are
// better left to an allocation of their own.
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

// arena keeps the strings of a builder's people (ids, addresses, names) in large blocks,
// where a ref finds them again: a person refers to its strings without a pointer, so the
// people cost the garbage collector nothing to scan while an export is read, and nothing
// of the record they were read from is kept. Strings too large to share a block get a
// block of their own.
type arena struct {
	blocks []*strings.Builder
	room   int // 1 + the index of the block being filled; 0 before the first
}

// ref is where a string lies in an arena: n bytes from off in block blk, or the whole of
// block blk when n is wholeBlock (a string of a block of its own). The zero ref is "".
type ref struct {
	blk    uint32
	off, n uint16 // a block's strings are shorter than a sixteenth of it, their offsets within it
}

// wholeBlock is the n of a ref to a string that has a block of its own.
const wholeBlock = 1<<16 - 1

// keep copies s into the arena and returns the copy and where it lies.
func (a *arena) keep(s string) (string, ref) {
	if s == "" {
		return "", ref{}
	}
	blk, own := a.reserve(len(s))
	b := a.blocks[blk]
	off := b.Len()
	b.WriteString(s)
	return b.String()[off:], a.ref(blk, off, len(s), own)
}

// join copies first + " " + last into the arena.
func (a *arena) join(first, last string) (string, ref) {
	n := len(first) + 1 + len(last)
	blk, own := a.reserve(n)
	b := a.blocks[blk]
	off := b.Len()
	b.WriteString(first)
	b.WriteByte(' ')
	b.WriteString(last)
	return b.String()[off:], a.ref(blk, off, n, own)
}

// ref is the ref of n bytes at off in block blk, the whole of it when it is the string's own.
func (a *arena) ref(blk, off, n int, own bool) ref {
	if own {
		return ref{blk: uint32(blk), n: wholeBlock}
	}
	return ref{blk: uint32(blk), off: uint16(off), n: uint16(n)}
}

// str is the string at r.
func (a *arena) str(r ref) string {
	switch r.n {
	case 0:
		return ""
	case wholeBlock:
		return a.blocks[r.blk].String()
	}
	return a.blocks[r.blk].String()[r.off : r.off+r.n]
}

// texts are the blocks' strings, for refs to find theirs in without a look at the blocks.
func (a *arena) texts() []string {
	t := make([]string, len(a.blocks))
	for i, b := range a.blocks {
		t[i] = b.String()
	}
	return t
}

// in is the string at r among the texts of an arena.
func (r ref) in(texts []string) string {
	switch r.n {
	case 0:
		return ""
	case wholeBlock:
		return texts[r.blk]
	}
	return texts[r.blk][r.off : r.off+r.n]
}

// reserve returns the index of the block that n more bytes go into: the one being filled,
// a new one when it is full, or one of their own (own) for more than a sixteenth of a block.
func (a *arena) reserve(n int) (blk int, own bool) {
	if n > strsBlock/16 {
		b := new(strings.Builder)
		b.Grow(n)
		a.blocks = append(a.blocks, b)
		return len(a.blocks) - 1, true
	}
	if a.room == 0 || a.blocks[a.room-1].Cap()-a.blocks[a.room-1].Len() < n {
		b := new(strings.Builder)
		b.Grow(strsBlock)
		a.blocks = append(a.blocks, b)
		a.room = len(a.blocks)
	}
	return a.room - 1, false
}

// peopleChunk is how many people a chunk of a builder's list holds (about 150 KB).
const peopleChunk = 4096

// entry is a Person as a builder keeps it until the snapshot: its strings in the builder's
// arena, its status by its place in the builder's statuses, and no pointer at all.
type entry struct {
	id, email, name ref
	// row and page are Person's; an export of MaxExportBytes has fewer lines and pages
	// than an int32 counts.
	row, page    int32
	status       uint8
	unterminated bool
}

// people is the list of people a builder keeps: one slice that grows as usual up to
// peopleChunk people, then chunks of that size, so that a large export is never copied
// as it grows. The snapshot makes them Persons in one slice of the right size.
type people struct {
	chunks [][]entry
	n      int
}

// add appends e.
func (l *people) add(e entry) {
	if len(l.chunks) == 0 || len(l.chunks[len(l.chunks)-1]) == peopleChunk {
		var c []entry
		if len(l.chunks) > 0 {
			c = make([]entry, 0, peopleChunk)
		}
		l.chunks = append(l.chunks, c)
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, e)
	l.n++
}

// truncate keeps the first n people.
func (l *people) truncate(n int) {
	if n == l.n {
		return
	}
	c := (n + peopleChunk - 1) / peopleChunk
	clear(l.chunks[c:])
	l.chunks = l.chunks[:c]
	if c > 0 {
		l.chunks[c-1] = l.chunks[c-1][:n-(c-1)*peopleChunk]
	}
	l.n = n
}

// at is person i.
func (l *people) at(i int) *entry { return &l.chunks[i/peopleChunk][i%peopleChunk] }
