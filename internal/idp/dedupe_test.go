package idp

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestDedupeMatchesOneAtATime checks the builder's duplicate checks, which run once the whole
// export is read, against the rules applied one record at a time, the plain way: random
// exports of one or more pages whose records share ids and addresses in every combination
// (as written, or in another case and with spaces around), with records that cannot be used
// among them, must give the same people in the same order and the same reports, every field
// of them, in the same order.
func TestDedupeMatchesOneAtATime(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 1 + rng.IntN(60)
		if seed%20 == 0 {
			n = 3000 + rng.IntN(3000) // enough records that the bitmap has false matches
		}
		pages := 1 + rng.IntN(3)
		pool := 1 + rng.IntN(2*n)
		var recs []pagedRecord
		for k := range n {
			page := 1 + k*pages/n
			row := 1
			if k > 0 && recs[k-1].page == page {
				row = recs[k-1].row + 1
			}
			r := record{row: row, email: fmt.Sprintf("u%d@example.com", rng.IntN(pool)),
				first: fmt.Sprintf("F%d", k), last: "L", status: []Status{StatusPresent, StatusPresent, StatusGone, StatusPending}[rng.IntN(4)]}
			if rng.IntN(4) > 0 {
				r.id = fmt.Sprintf("id%d", rng.IntN(pool))
			}
			switch rng.IntN(16) {
			case 0:
				r.email = "not an address"
			case 1:
				r.status, r.rawStatus = "", "ODD"
			case 2:
				r.email = ""
			case 3:
				r.email, r.id = " "+strings.ToUpper(r.email), " "+r.id+" "
			}
			recs = append(recs, pagedRecord{record: r, page: page, notUser: rng.IntN(20) == 0})
		}
		if pages == 1 {
			for i := range recs {
				recs[i].page = 0
			}
		}
		b := newBuilder(FormatOktaCSV, pages)
		for _, r := range recs {
			b.page = max(r.page, 1)
			if r.notUser {
				b.skip(r.record, SkipNotUser, "not a user")
			} else {
				b.add(r.record)
			}
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
			if w.Code != SkipDuplicate { // the reason of another skip is its format's
				w.Reason = s.Reason
			}
			if s != w {
				t.Fatalf("seed %d: report %d is\n %+v, want\n %+v", seed, i, s, w)
			}
		}
	}
}

// pagedRecord is a record of the test export with its page (0 in a one-file export), and
// whether its format reports it as not a user before the shared rules.
type pagedRecord struct {
	record
	page    int
	notUser bool
}

// dedupeOneAtATime applies the duplicate rules record by record with maps: the first record
// of an id or an address stands, a later one is a duplicate, except that an active record
// takes the place of an earlier one with its address that is not active.
func dedupeOneAtATime(recs []pagedRecord) ([]Person, []Skip) {
	var people []Person
	var skips []Skip
	byID, byEmail := map[string]int{}, map[string]int{}
	at := func(p Person) string {
		if p.Page > 0 {
			return fmt.Sprintf("page %d row %d", p.Page, p.Row)
		}
		return fmt.Sprintf("row %d", p.Row)
	}
	dup := func(p Person, reason string) {
		skips = append(skips, Skip{Row: p.Row, Page: p.Page, ExternalID: p.ExternalID, Email: p.Email, Name: p.Name,
			Code: SkipDuplicate, Status: p.Status, Reason: reason})
	}
	for _, r := range recs {
		asIs := Skip{Row: r.row, Page: r.page, ExternalID: strings.TrimSpace(r.id), Email: strings.TrimSpace(r.email),
			Name: r.first + " " + r.last, Status: r.status}
		switch {
		case r.notUser:
			asIs.Code = SkipNotUser
		case r.status == "":
			asIs.Code = SkipUnknownStatus
		case r.email == "":
			asIs.Code = SkipNoEmail
		case r.email == "not an address":
			asIs.Code = SkipInvalidEmail
		}
		if asIs.Code != "" {
			skips = append(skips, asIs)
			continue
		}
		p := Person{ExternalID: strings.TrimSpace(r.id), Email: strings.ToLower(strings.TrimSpace(r.email)),
			Name: r.first + " " + r.last, Status: r.status, Row: r.row, Page: r.page}
		if i, ok := byID[p.ExternalID]; ok && p.ExternalID != "" {
			dup(p, "duplicate of "+at(people[i])+": same id")
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
			dup(p, "duplicate of "+at(people[i])+": same email")
		default:
			first := people[i]
			if first.ExternalID != "" && byID[first.ExternalID] == i {
				delete(byID, first.ExternalID)
			}
			people[i] = p
			if p.ExternalID != "" {
				byID[p.ExternalID] = i
			}
			dup(first, "superseded by "+at(p)+": an active record with the same email")
		}
	}
	return people, skips
}

// A file that ends without a line ending marks its last record, when that record is kept,
// even when it took the place of a record of an earlier page: the planner then compares it
// with the account it would change.
func TestUnterminatedRecordThatSupersedesIsMarked(t *testing.T) {
	header := `"User Id","Status","Username","First name","Last name","Primary email"` + "\n"
	page1 := header + `"a","SUSPENDED","x","A","L","u@example.com"` + "\n" + `"d","ACTIVE","x","D","L","v@example.com"` + "\n"
	page2 := header + `"c","ACTIVE","x","C","L","u@example.com"`
	snap, err := Parse(FormatOktaCSV, strings.NewReader(page1), strings.NewReader(page2))
	if err != nil {
		t.Fatal(err)
	}
	var marked []string
	for _, p := range snap.People {
		if p.Unterminated {
			marked = append(marked, p.ExternalID)
		}
	}
	if len(snap.People) != 2 || snap.People[0].ExternalID != "c" || fmt.Sprint(marked) != "[c]" {
		t.Fatalf("people %+v, marked %v; want c (in a's place) marked", snap.People, marked)
	}
}

// A duplicate's report names the record that stood when it was read, not the one that took
// its place later; a later record with the id of the one that took the place is its duplicate.
func TestDuplicateReportsNameTheRecordOfTheirTime(t *testing.T) {
	csv := `"User Id","Status","Username","First name","Last name","Primary email"` + "\n" +
		`"a","SUSPENDED","x","A","L","u@example.com"` + "\n" +
		`"b","SUSPENDED","x","B","L","u@example.com"` + "\n" +
		`"c","ACTIVE","x","C","L","u@example.com"` + "\n" +
		`"c","ACTIVE","x","D","L","w@example.com"` + "\n"
	snap, err := Parse(FormatOktaCSV, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	var reports []string
	for _, s := range snap.Skipped {
		reports = append(reports, fmt.Sprintf("%s row %d: %s", s.ExternalID, s.Row, s.Reason))
	}
	want := []string{
		"b row 2: duplicate of row 1: same email",
		"a row 1: superseded by row 3: an active record with the same email",
		"c row 4: duplicate of row 3: same id",
	}
	if len(snap.People) != 1 || snap.People[0].ExternalID != "c" || fmt.Sprint(reports) != fmt.Sprint(want) {
		t.Fatalf("people %+v, reports\n%s\nwant c alone, and\n%s", snap.People, strings.Join(reports, "\n"), strings.Join(want, "\n"))
	}
}
