package idp

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestDedupeMatchesOneAtATime checks the builder's duplicate checks, which run once the whole
// export is read, against the rules applied one record at a time, the plain way: random
// exports whose records share ids and addresses in every combination, with records that
// cannot be used among them, must give the same people in the same order and the same
// reports in the same order.
func TestDedupeMatchesOneAtATime(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 1 + rng.IntN(60)
		if seed%20 == 0 {
			n = 3000 + rng.IntN(3000) // enough records that the bitmap has false matches
		}
		pool := 1 + rng.IntN(2*n)
		var recs []record
		for row := 1; row <= n; row++ {
			r := record{row: row, email: fmt.Sprintf("u%d@example.com", rng.IntN(pool)),
				first: fmt.Sprintf("F%d", row), last: "L", status: []Status{StatusPresent, StatusPresent, StatusGone, StatusPending}[rng.IntN(4)]}
			if rng.IntN(4) > 0 {
				r.id = fmt.Sprintf("id%d", rng.IntN(pool))
			}
			switch rng.IntN(12) {
			case 0:
				r.email = "not an address"
			case 1:
				r.status, r.rawStatus = "", "ODD"
			}
			recs = append(recs, r)
		}
		b := newBuilder(FormatOktaCSV, 1)
		for _, r := range recs {
			b.add(r)
		}
		got := b.snapshot()
		wantPeople, wantSkips := dedupeOneAtATime(recs)
		if !reflect.DeepEqual(got.People, wantPeople) {
			t.Fatalf("seed %d: people\n got %v\nwant %v", seed, got.People, wantPeople)
		}
		if len(got.Skipped) != len(wantSkips) {
			t.Fatalf("seed %d: %d reports, want %d", seed, len(got.Skipped), len(wantSkips))
		}
		for i, s := range got.Skipped {
			w := wantSkips[i]
			if s.Row != w.Row || s.Code != w.Code || (w.Code == SkipDuplicate && (s.Reason != w.Reason || s.ExternalID != w.ExternalID || s.Status != w.Status)) {
				t.Fatalf("seed %d: report %d is %+v, want %+v", seed, i, s, w)
			}
		}
	}
}

// dedupeOneAtATime applies the duplicate rules record by record with maps: the first record
// of an id or an address stands, a later one is a duplicate, except that an active record
// takes the place of an earlier one with its address that is not active.
func dedupeOneAtATime(recs []record) ([]Person, []Skip) {
	var people []Person
	var skips []Skip
	byID, byEmail := map[string]int{}, map[string]int{}
	dup := func(p Person, reason string) {
		skips = append(skips, Skip{Row: p.Row, ExternalID: p.ExternalID, Email: p.Email, Code: SkipDuplicate, Status: p.Status, Reason: reason})
	}
	for _, r := range recs {
		switch {
		case r.status == "":
			skips = append(skips, Skip{Row: r.row, Code: SkipUnknownStatus})
			continue
		case r.email == "not an address":
			skips = append(skips, Skip{Row: r.row, Code: SkipInvalidEmail})
			continue
		}
		p := Person{ExternalID: r.id, Email: r.email, Name: r.first + " " + r.last, Status: r.status, Row: r.row}
		if i, ok := byID[p.ExternalID]; ok && p.ExternalID != "" {
			dup(p, fmt.Sprintf("duplicate of row %d: same id", people[i].Row))
			continue
		}
		i, ok := byEmail[p.Email]
		switch {
		case !ok:
			byEmail[p.Email] = len(people)
			if p.ExternalID != "" {
				byID[p.ExternalID] = len(people)
			}
			people = append(people, p)
		case people[i].Status == StatusPresent || p.Status != StatusPresent:
			dup(p, fmt.Sprintf("duplicate of row %d: same email", people[i].Row))
		default:
			first := people[i]
			if first.ExternalID != "" && byID[first.ExternalID] == i {
				delete(byID, first.ExternalID)
			}
			people[i] = p
			if p.ExternalID != "" {
				byID[p.ExternalID] = i
			}
			dup(first, fmt.Sprintf("superseded by row %d: an active record with the same email", p.Row))
		}
	}
	return people, skips
}
