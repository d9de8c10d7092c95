package idp

import "hash/maphash"

// index finds the position of a string among the accounts of an organization (by external
// id, by address) or the records of an export whose duplicates are checked, as a
// map[string]int would, in a quarter of the memory and with no pointers for the garbage
// collector to follow. Its slots hold 32 bits of each key's hash and the
// key's position; the keys stay where their owner keeps them, and key(pos) returns them,
// so a lookup reads one slot and, only when the hash agrees, the key. It keeps at most
// a few million positions, far more than MaxRecords.
type index struct {
	seed  maphash.Seed
	key   func(pos int) string
	slots []slot // under three quarters full
	used  int    // slots that are not empty
	// expected is the number of slots to grow to at the first key, for the keys expected.
	expected int
}

// slot is one place of an index: pos is the key's position plus one, 0 for an empty slot.
type slot struct {
	hash uint32
	pos  int32
}

// newIndex makes an index for about size keys, whose key at each position key returns.
func newIndex(size int, key func(pos int) string) *index {
	x := &index{seed: maphash.MakeSeed(), key: key}
	x.resize(slotsFor(size))
	return x
}

// slotsFor is the number of slots that hold size keys two thirds full: a lookup then
// looks at a few slots, most often of one cache line, and the slots of 100,000 keys take
// 1.2 MB, not the 2 MB of the next power of two.
func slotsFor(size int) int { return max(8, size+size/2) }

// expect makes room for about size keys when the first key comes, so that an index of
// many keys is not rehashed on the way, and one that gets none takes no more memory.
func (x *index) expect(size int) {
	x.expected = slotsFor(size)
}

// find returns the position of key.
func (x *index) find(key string) (int, bool) { return x.findHash(x.hash(key), key) }

// findHash is find of a key whose hash (x.hash) is h.
func (x *index) findHash(h uint32, key string) (int, bool) {
	for i := x.first(h); ; i = x.next(i) {
		s := x.slots[i]
		switch {
		case s.pos == 0:
			return 0, false
		case s.hash == h && x.key(int(s.pos-1)) == key:
			return int(s.pos - 1), true
		}
	}
}

// addAt puts the key at pos (key(pos)), whose hash (x.hash) is h, unless it is there already:
// then it returns the position it has. The key is read only when a slot's hash agrees: most
// keys are new, and their owner's records are then never visited.
func (x *index) addAt(h uint32, pos int) (int, bool) {
	for i := x.first(h); ; i = x.next(i) {
		s := x.slots[i]
		switch {
		case s.pos == 0:
			x.insert(h, pos, i)
			return pos, false
		case s.hash == h && x.key(int(s.pos-1)) == x.key(pos):
			return int(s.pos - 1), true
		}
	}
}

// set puts key at pos, wherever it was.
func (x *index) set(key string, pos int) {
	h := x.hash(key)
	for i := x.first(h); ; i = x.next(i) {
		s := x.slots[i]
		switch {
		case s.pos == 0:
			x.insert(h, pos, i)
			return
		case s.hash == h && x.key(int(s.pos-1)) == key:
			x.slots[i].pos = int32(pos + 1)
			return
		}
	}
}

// insert fills the empty slot i, growing the index when it is three quarters full.
func (x *index) insert(h uint32, pos, i int) {
	x.slots[i] = slot{hash: h, pos: int32(pos + 1)}
	switch x.used++; {
	case x.used*4 >= len(x.slots)*3:
		x.resize(len(x.slots) * 2)
	case x.used == 1 && x.expected > len(x.slots):
		x.resize(x.expected)
	}
}

// resize moves the keys to n slots.
func (x *index) resize(n int) {
	old := x.slots
	x.slots, x.used = make([]slot, n), 0
	for _, s := range old {
		if s.pos == 0 {
			continue
		}
		i := x.first(s.hash)
		for x.slots[i].pos != 0 {
			i = x.next(i)
		}
		x.slots[i] = s
		x.used++
	}
}

// hash is the part of key's hash the index keeps. It is never 0, so that its owner may keep
// 0 for "no key" beside the hashes it makes ahead.
func (x *index) hash(key string) uint32 { return uint32(maphash.String(x.seed, key)>>32) | 1 }

// first is the slot where the search for a hash starts: h scaled to the number of slots.
func (x *index) first(h uint32) int { return int(uint64(h) * uint64(len(x.slots)) >> 32) }

// next is the slot after i, the first after the last.
func (x *index) next(i int) int {
	if i++; i == len(x.slots) {
		return 0
	}
	return i
}

// bySlot orders keys (positions whose hashes are hashes[pos]) by the block of slots their
// search starts in, keeping their order within a block (a counting sort), so that adding
// them in that order sweeps the slots once. The index must not grow meanwhile: it holds
// the slots for every key added (newIndex's size).
func (x *index) bySlot(keys []int32, hashes []uint32) []int32 {
	const blockShift = 6 // 64 slots, 512 bytes
	blocks := len(x.slots)>>blockShift + 1
	starts := make([]int32, blocks+1)
	for _, k := range keys {
		starts[x.first(hashes[k])>>blockShift+1]++
	}
	for b := 1; b <= blocks; b++ {
		starts[b] += starts[b-1]
	}
	out := make([]int32, len(keys))
	for _, k := range keys {
		b := x.first(hashes[k]) >> blockShift
		out[starts[b]] = k
		starts[b]++
	}
	return out
}
