package localdb

import (
	"cmp"
	"strings"
)

// index keeps a table's items by partition, and each partition's items sorted by sort key:
// the table's own primary index, or a global secondary index. A Query finds its partition in
// O(1) and its first item in O(log n), so it costs what it reads, not what the table holds.
type index struct {
	name       string    // "" for the table's primary index
	key        keySchema // this index's key
	tableKey   keySchema // the table's key, which every entry's item also has
	projection projection
	parts      map[string]*partition // by hash key identity
	order      *ordered[*partition]  // the same partitions by hash key value, for Scan
	count      int
}

// projection is which attributes an index holds: ALL, KEYS_ONLY or INCLUDE (the keys and
// the include list).
type projection struct {
	typ     string
	include []string
}

type partition struct {
	hash    keyVal
	entries *ordered[entry]
}

// entry is an item's place in an index. Items with equal sort keys (possible in a
// secondary index) are ordered by their primary key identity.
type entry struct {
	rng  keyVal
	id   string
	edge int8 // probes only: -1 sorts before, +1 after, every entry with sort key rng
	rec  *record
}

func newIndex(name string, key, tableKey keySchema, p projection) *index {
	return &index{
		name: name, key: key, tableKey: tableKey, projection: p,
		parts: map[string]*partition{},
		order: newOrdered(func(a, b *partition) int { return a.hash.compare(b.hash) }),
	}
}

func compareEntries(a, b entry) int {
	if c := a.rng.compare(b.rng); c != 0 {
		return c
	}
	if c := cmp.Compare(a.edge, b.edge); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// position is where an item sits in an index; in is false when a sparse index leaves the
// item out because it lacks one of the index's key attributes.
type position struct {
	hash, rng keyVal
	in        bool
}

// entryKey reads an item's position, refusing key attributes DynamoDB would refuse to index:
// any of them present must be of its type and not empty.
func (ix *index) entryKey(a attrs) (position, error) {
	p := position{in: true}
	for _, k := range []keyAttr{ix.key.hash, ix.key.rng} {
		if k.name == "" {
			continue
		}
		v, ok := a[k.name]
		if !ok {
			p.in = false
			continue
		}
		kv, ok := parseKeyVal(v, k.typ)
		if !ok {
			return position{}, validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", k.name, k.typ, kindOf(v), ix.name)
		}
		if k.typ != "N" && kv.s == "" {
			return position{}, validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", emptyWord(k.typ), ix.name, k.name)
		}
		if k == ix.key.hash {
			p.hash = kv
		} else {
			p.rng = kv
		}
	}
	if !p.in {
		return position{}, nil
	}
	return p, nil
}

// same reports whether two positions are one place in an index.
func (p position) same(o position) bool {
	if !p.in || !o.in {
		return p.in == o.in
	}
	return p.hash.identity() == o.hash.identity() && p.rng.identity() == o.rng.identity()
}

func (ix *index) add(p position, r *record) {
	if !p.in {
		return
	}
	part, ok := ix.parts[p.hash.identity()]
	if !ok {
		part = &partition{hash: p.hash, entries: newOrdered(compareEntries)}
		ix.parts[p.hash.identity()] = part
		ix.order.Put(part)
	}
	part.entries.Put(entry{rng: p.rng, id: r.id, rec: r})
	ix.count++
}

func (ix *index) remove(p position, r *record) {
	if !p.in {
		return
	}
	part, ok := ix.parts[p.hash.identity()]
	if !ok || !part.entries.Delete(entry{rng: p.rng, id: r.id}) {
		return
	}
	ix.count--
	if part.entries.Len() == 0 {
		delete(ix.parts, p.hash.identity())
		ix.order.Delete(part)
	}
}

// project is the part of an item the index holds.
func (ix *index) project(a attrs) attrs {
	if ix.name == "" || ix.projection.typ == "ALL" {
		return a
	}
	names := []string{ix.tableKey.hash.name, ix.key.hash.name}
	for _, k := range []string{ix.tableKey.rng.name, ix.key.rng.name} {
		if k != "" {
			names = append(names, k)
		}
	}
	if ix.projection.typ == "INCLUDE" {
		names = append(names, ix.projection.include...)
	}
	return projectNames(a, names)
}

// lastKey is the LastEvaluatedKey that continues after item: the table's key, and the index's.
func (ix *index) lastKey(item attrs) attrs {
	return projectNames(item, ix.lastKeyNames())
}
