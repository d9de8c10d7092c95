package localdb

// maxLevel bounds the skip list's towers: with a branching factor of 4 it serves far more
// items than memory holds.
const maxLevel = 24

// ordered is a sorted set kept as a skip list: inserting, removing and finding a position
// cost O(log n) whatever the size, and from any position it is walked in either direction.
// It is not safe for concurrent use; the engine's lock guards it.
type ordered[T any] struct {
	cmp   func(a, b T) int
	head  node[T] // sentinel before the first node
	tail  *node[T]
	level int
	len   int
	seed  uint64 // xorshift state for tower heights
}

type node[T any] struct {
	val  T
	next []*node[T]
	prev *node[T] // the node before at level 0; nil for the first
}

func newOrdered[T any](cmp func(a, b T) int) *ordered[T] {
	return &ordered[T]{cmp: cmp, head: node[T]{next: make([]*node[T], maxLevel)}, level: 1, seed: 0x9e3779b97f4a7c15}
}

// Next is the node after n, or nil.
func (n *node[T]) Next() *node[T] { return n.next[0] }

// Prev is the node before n, or nil.
func (n *node[T]) Prev() *node[T] { return n.prev }

// path finds the first node not less than probe, recording in update the last node before
// it at each level.
func (o *ordered[T]) path(probe T, update *[maxLevel]*node[T]) *node[T] {
	x := &o.head
	for i := o.level - 1; i >= 0; i-- {
		for x.next[i] != nil && o.cmp(x.next[i].val, probe) < 0 {
			x = x.next[i]
		}
		if update != nil {
			update[i] = x
		}
	}
	return x.next[0]
}

// First is the least node, or nil when the set is empty.
func (o *ordered[T]) First() *node[T] { return o.head.next[0] }

// Last is the greatest node, or nil when the set is empty.
func (o *ordered[T]) Last() *node[T] { return o.tail }

// Len is the number of values in the set.
func (o *ordered[T]) Len() int { return o.len }

// AtLeast is the first node not less than probe, or nil.
func (o *ordered[T]) AtLeast(probe T) *node[T] { return o.path(probe, nil) }

// After is the first node greater than probe, or nil.
func (o *ordered[T]) After(probe T) *node[T] {
	n := o.path(probe, nil)
	if n != nil && o.cmp(n.val, probe) == 0 {
		n = n.next[0]
	}
	return n
}

// Before is the last node less than probe, or nil.
func (o *ordered[T]) Before(probe T) *node[T] {
	if n := o.AtLeast(probe); n != nil {
		return n.prev
	}
	return o.tail
}

// AtMost is the last node not greater than probe, or nil.
func (o *ordered[T]) AtMost(probe T) *node[T] {
	if n := o.After(probe); n != nil {
		return n.prev
	}
	return o.tail
}

// Get is the value equal to probe.
func (o *ordered[T]) Get(probe T) (T, bool) {
	if n := o.path(probe, nil); n != nil && o.cmp(n.val, probe) == 0 {
		return n.val, true
	}
	var zero T
	return zero, false
}

// Put adds v, replacing the value equal to it if there is one.
func (o *ordered[T]) Put(v T) {
	var update [maxLevel]*node[T]
	if n := o.path(v, &update); n != nil && o.cmp(n.val, v) == 0 {
		n.val = v
		return
	}
	lvl := o.height()
	for i := o.level; i < lvl; i++ {
		update[i] = &o.head
	}
	o.level = max(o.level, lvl)
	n := &node[T]{val: v, next: make([]*node[T], lvl)}
	for i := range lvl {
		n.next[i] = update[i].next[i]
		update[i].next[i] = n
	}
	if update[0] != &o.head {
		n.prev = update[0]
	}
	if n.next[0] != nil {
		n.next[0].prev = n
	} else {
		o.tail = n
	}
	o.len++
}

// Delete removes the value equal to probe, reporting whether there was one.
func (o *ordered[T]) Delete(probe T) bool {
	var update [maxLevel]*node[T]
	n := o.path(probe, &update)
	if n == nil || o.cmp(n.val, probe) != 0 {
		return false
	}
	for i := 0; i < o.level && update[i].next[i] == n; i++ {
		update[i].next[i] = n.next[i]
	}
	if n.next[0] != nil {
		n.next[0].prev = n.prev
	} else {
		o.tail = n.prev
	}
	for o.level > 1 && o.head.next[o.level-1] == nil {
		o.level--
	}
	o.len--
	return true
}

// height draws a tower height: 1, then one more with probability 1/4 each time.
func (o *ordered[T]) height() int {
	o.seed ^= o.seed << 13
	o.seed ^= o.seed >> 7
	o.seed ^= o.seed << 17
	h, r := 1, o.seed
	for h < maxLevel && r&3 == 0 {
		h, r = h+1, r>>2
	}
	return h
}
