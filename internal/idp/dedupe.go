package idp

import (
	"math/bits"
	"slices"
)

// dedupe settles which of the people read are the same person, as checking each record
// against those before it would have: the first record of an id or an address is the
// person, a later one is a skipped duplicate, except that an active record outranks an
// earlier suspended or staged one with the same address (supersede). A record that shares
// no hash with another shares no key, so only the records of shared hashes are looked at,
// in the order they were read.
func (b *builder) dedupe() {
	n := b.people.n
	idHash, emailHash := b.idHash, b.emailHash
	b.idHash, b.emailHash = nil, nil // they are of the people before dedupe: once is all
	if n < 2 {
		return
	}
	shared := make([]bool, n)
	ids := sharedHashes(idHash, shared)
	if emails := sharedHashes(emailHash, shared); !ids && !emails {
		return
	}
	checked := 0
	for _, s := range shared {
		if s {
			checked++
		}
	}
	b.byID.expect(checked)
	b.byEmail.expect(checked)
	d := dupChecks{b: b, idHash: idHash, emailHash: emailHash, dropped: make([]bool, n)}
	for k := range n {
		if shared[k] {
			d.check(int32(k))
		}
	}
	if len(d.reports) == 0 {
		return
	}
	// The reports of duplicates join the others where their records came; the people
	// close up over the duplicates.
	plain := b.snap.Skipped
	skipped := make([]Skip, 0, len(plain)+len(d.reports))
	next := 0
	for _, r := range d.reports {
		for ; next < len(plain) && b.skipAt[next] <= r.at; next++ {
			skipped = append(skipped, plain[next])
		}
		skipped = append(skipped, d.skip(r))
	}
	b.snap.Skipped, b.skipAt = append(skipped, plain[next:]...), nil
	w := 0
	for i := range n {
		if !d.dropped[i] {
			if w != i {
				*b.people.at(w) = *b.people.at(i)
			}
			w++
		}
	}
	b.people.truncate(w)
}

// sharedHashes marks in shared each record whose hash (not 0: the record has no such key)
// another record has too, and reports whether there was one. A first pass counts each hash
// in a bitmap of sixteen bits or more a key, small enough to stay in the processor's cache;
// the few records it finds that may share a hash, one in sixteen or fewer, are then sorted
// by hash to find those that do.
func sharedHashes(hashes []uint32, shared []bool) bool {
	size := 1 << 10
	for size < 16*len(hashes) {
		size <<= 1
	}
	shift := 33 - uint(bits.Len(uint(size))) // the top log2(size) bits of a hash
	seen, twice := make([]uint64, size/64), make([]uint64, size/64)
	found := false
	for _, h := range hashes {
		if h == 0 {
			continue
		}
		k := h >> shift
		w, m := k/64, uint64(1)<<(k%64)
		if seen[w]&m != 0 {
			twice[w] |= m
			found = true
		}
		seen[w] |= m
	}
	if !found {
		return false
	}
	var maybe []uint64 // hash<<32 | record
	for i, h := range hashes {
		if k := h >> shift; h != 0 && twice[k/64]&(1<<(k%64)) != 0 {
			maybe = append(maybe, uint64(h)<<32|uint64(i))
		}
	}
	slices.Sort(maybe)
	found = false
	for j := 1; j < len(maybe); j++ {
		if maybe[j]>>32 == maybe[j-1]>>32 {
			shared[uint32(maybe[j-1])], shared[uint32(maybe[j])] = true, true
			found = true
		}
	}
	return found
}

// dupChecks checks the records of shared hashes of a builder's people against each other,
// in the order they were read. A record is known by its place in the people.
//
// The builder's byID and byEmail find the record of each id and address checked: the key of
// a position is that of the record there now, so when a record takes another's place, the id
// it replaces is no longer found there. That stands on two rules of check: a place is taken
// over at most once (only by an active record, only from one that is not), and never by a
// record with the same id (that one is a duplicate by id first).
type dupChecks struct {
	b                 *builder
	idHash, emailHash []uint32    // the builder's, of the records before dedupe
	dropped           []bool      // the records found duplicates of another
	reports           []dupReport // in the order of the records that caused them
}

// dupReport is the report of a duplicate, which record at caused: e is the person it no
// longer stands for, and why says so of the record at row and page.
type dupReport struct {
	at        int32
	why       dupReason
	row, page int32
	e         entry
}

// dupReason is why a record is a duplicate.
type dupReason uint8

const (
	dupSameID     dupReason = iota // "duplicate of …: same id"
	dupSameEmail                   // "duplicate of …: same email"
	dupSuperseded                  // "superseded by …: an active record with the same email"
)

// check checks record k against the records checked before it.
func (d *dupChecks) check(k int32) {
	b := d.b
	e := *b.people.at(int(k))
	idHash := d.idHash[k]
	if idHash != 0 {
		if i, dup := b.byID.findHash(idHash, b.strs.str(e.id)); dup {
			d.drop(k, e, dupSameID, i)
			return
		}
	}
	i, dup := b.byEmail.addAt(d.emailHash[k], int(k))
	if !dup {
		if idHash != 0 {
			b.byID.addAt(idHash, int(k))
		}
		return
	}
	first := *b.people.at(i)
	if b.statuses[first.status] == StatusPresent || b.statuses[e.status] != StatusPresent {
		d.drop(k, e, dupSameEmail, i)
		return
	}
	// An active record outranks an earlier suspended or staged one for the same address
	// (a rehire with a new account), so the address is the active record's. The earlier
	// record stays a skipped duplicate with its status: the planner removes or keeps the
	// account of its id by that status and never hands it to the new id.
	*b.people.at(i) = e // and first's id is no longer found at i
	if idHash != 0 {
		b.byID.addAt(idHash, i)
	}
	d.drop(k, first, dupSuperseded, i)
}

// drop takes record k out of the people, with the report of e, the person it no longer
// stands for, for why, about the record now at i.
func (d *dupChecks) drop(k int32, e entry, why dupReason, i int) {
	d.dropped[k] = true
	at := d.b.people.at(i)
	d.reports = append(d.reports, dupReport{at: k, why: why, row: at.row, page: at.page, e: e})
}

// skip is the Skip r stands for.
func (d *dupChecks) skip(r dupReport) Skip {
	p := d.b.person(&r.e)
	at := where("", int(r.page), int(r.row)) // a builder reads one group
	reason := "duplicate of " + at + ": same id"
	switch r.why {
	case dupSameEmail:
		reason = "duplicate of " + at + ": same email"
	case dupSuperseded:
		reason = "superseded by " + at + ": an active record with the same email"
	}
	return Skip{Row: p.Row, Page: p.Page, ExternalID: p.ExternalID, Email: p.Email, Name: p.Name,
		Reason: reason, Code: SkipDuplicate, Status: p.Status}
}
