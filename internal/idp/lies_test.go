package idp

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// Exports that lie: each case is an export that looked whole and would have readdressed
// people, and must now be refused or held for an admin.

// bigcorp is an Okta report of n people p0..p(n-1)@bigcorp.com and their synced accounts.
func bigcorp(n int) (string, []Account) {
	var rows []string
	var accounts []Account
	for i := range n {
		email := fmt.Sprintf("p%d@bigcorp.com", i)
		rows = append(rows, fmt.Sprintf(`"00u%d","ACTIVE","P","%d","%s"`, i, i, email))
		accounts = append(accounts, member(fmt.Sprintf("m%d", i), fmt.Sprintf("00u%d", i), email, fmt.Sprintf("P %d", i)))
	}
	return oktaRows(rows...), accounts
}

func TestACSVCutInsideItsLastUnquotedFieldIsTruncated(t *testing.T) {
	export, accounts := bigcorp(28)
	// The header quotes its cells; the data rows of some exporters do not.
	export = strings.ReplaceAll(export, `"`, "")
	cut := strings.TrimSuffix(export, "\n")
	cut = strings.TrimSuffix(cut, "m") // p27@bigcorp.com becomes p27@bigcorp.co
	snap, err := Parse(FormatOktaCSV, strings.NewReader(cut))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	_, err = NewPlan(snap, accounts, Options{})
	var perr *ParseError
	if !errors.Is(err, ErrTruncated) || !errors.As(err, &perr) || perr.Row != 28 {
		t.Fatalf("plan of an export cut inside p27's address: err = %v, want truncated at row 28", err)
	}
	// Cut inside the name instead, which is not the last field: the row is still whole.
	whole, err := Parse(FormatOktaCSV, strings.NewReader(strings.TrimSuffix(export, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if plan, err := NewPlan(whole, accounts, Options{}); err != nil || len(plan.Actions) != 0 {
		t.Errorf("an export without its last line ending: %v actions, err %v; want none", len(plan.Actions), err)
	}
}

func TestAnAddressCutShortIsHeld(t *testing.T) {
	export, accounts := bigcorp(30)
	// A line ending after the cut, as a re-saved file would have.
	export = strings.Replace(export, "p27@bigcorp.com", "p27@bigcorp.co", 1)
	snap, err := Parse(FormatOktaCSV, strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(snap, accounts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Held || !strings.Contains(plan.HeldReason, "p27@bigcorp.com to p27@bigcorp.co") {
		t.Errorf("held = %v %q, want held naming the move", plan.Held, plan.HeldReason)
	}
}

func TestReaddressingEveryoneIsHeld(t *testing.T) {
	export, accounts := bigcorp(40)
	snap, err := Parse(FormatOktaCSV, strings.NewReader(strings.ReplaceAll(export, "@bigcorp.com", "@evil.example")))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(snap, accounts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Held || plan.Counts[ActionUpdate] != 40 || !strings.Contains(plan.HeldReason, "40 address changes") {
		t.Errorf("held = %v %q with %d updates; want held for 40 address changes", plan.Held, plan.HeldReason, plan.Counts[ActionUpdate])
	}
	// One person moving to another domain is held too.
	one := strings.Replace(export, "p3@bigcorp.com", "p3@evil.example", 1)
	snap, err = Parse(FormatOktaCSV, strings.NewReader(one))
	if err != nil {
		t.Fatal(err)
	}
	if plan, err = NewPlan(snap, accounts, Options{}); err != nil || !plan.Held || !strings.Contains(plan.HeldReason, "another domain") {
		t.Errorf("one move to another domain: held = %v %q, err %v", plan.Held, plan.HeldReason, err)
	}
	// A move within the domain is applied.
	same := strings.Replace(export, "p3@bigcorp.com", "p3.new@bigcorp.com", 1)
	snap, err = Parse(FormatOktaCSV, strings.NewReader(same))
	if err != nil {
		t.Fatal(err)
	}
	if plan, err = NewPlan(snap, accounts, Options{}); err != nil || plan.Held || plan.Counts[ActionUpdate] != 1 {
		t.Errorf("a move within the domain: held = %v %q, %d updates, err %v", plan.Held, plan.HeldReason, plan.Counts[ActionUpdate], err)
	}
}

func TestPeopleOutsideTheAllowedDomainsAreSkipped(t *testing.T) {
	export := oktaRows(`"00uA","ACTIVE","A","A","a@acme.com"`, `"00uB","ACTIVE","B","B","b@gmail.com"`, `"00uC","ACTIVE","C","C","c.new@gmail.com"`)
	accounts := []Account{member("m3", "00uC", "c@acme.com", "C C")}
	snap, err := Parse(FormatOktaCSV, strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(snap, accounts, Options{Allowed: func(e string) bool { return strings.HasSuffix(e, "@acme.com") }})
	if err != nil {
		t.Fatal(err)
	}
	got := outcomeOf(plan)
	if len(got.Actions) != 1 || !strings.HasPrefix(got.Actions[0], "invite - a@acme.com") {
		t.Errorf("actions = %q, want only a@acme.com invited", got.Actions)
	}
	want := []string{"domain_not_allowed - b@gmail.com", "domain_not_allowed m3 c.new@gmail.com"}
	if strings.Join(got.Skipped, "|") != strings.Join(want, "|") {
		t.Errorf("skipped = %q, want %q", got.Skipped, want)
	}
}

func TestSyncUsesTheOneAddress(t *testing.T) {
	export := oktaRows(`"00uA","ACTIVE","Ada","L","áda@example.com"`, "\"00uB\",\"ACTIVE\",\"Ada\",\"M\",\"A\u0301DA@ｅxample.com\"",
		"\"00uC\",\"ACTIVE\",\"Zero\",\"W\",\"zero\u200b@example.com\"", `"00uD","ACTIVE","Lit","E","lit@[10.0.0.1]"`)
	snap, err := Parse(FormatOktaCSV, strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.People) != 1 || snap.People[0].Email != "áda@example.com" {
		t.Errorf("people = %+v, want only áda@example.com", snap.People)
	}
	var codes []string
	for _, s := range snap.Skipped {
		codes = append(codes, string(s.Code))
	}
	if strings.Join(codes, " ") != "duplicate invalid_email invalid_email" {
		t.Errorf("skips = %q, want a duplicate and two invalid addresses", codes)
	}
}

// endless is n bytes of b, produced as they are read, so a test can offer a huge export
// without holding it.
type endless struct {
	b byte
	n int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n)
	for i := range k {
		p[i] = e.b
	}
	e.n -= k
	return int(k), nil
}

func TestExportsAreBounded(t *testing.T) {
	header := `"User Id","Status","First name","Last name","Primary email"` + "\n" + `"00u1","ACTIVE","A","`
	tests := []struct {
		name  string
		pages []io.Reader
	}{
		{"one field of 256 MiB", []io.Reader{io.MultiReader(strings.NewReader(header), &endless{b: 'x', n: 256 << 20})}},
		{"256 MiB of NUL bytes", []io.Reader{&endless{b: 0, n: 256 << 20}}},
		{"a JSON name of 64 MiB", []io.Reader{io.MultiReader(strings.NewReader(`[{"id":"00u1","status":"ACTIVE","profile":{"email":"a@x.io","firstName":"`), &endless{b: 'x', n: 64 << 20})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Parse(FormatAuto, tt.pages...)
			runtime.ReadMemStats(&after)
			var perr *ParseError
			if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnknownFormat) || !errors.As(err, &perr) {
				t.Fatalf("err = %v, want too large (or not an export at all)", err)
			}
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
				t.Errorf("parsing allocated %d MiB; the limits should stop it near %d MiB", grown>>20, MaxRecordBytes>>20)
			}
		})
	}
	many := &strings.Builder{}
	many.WriteString(`"User Id","Status","First name","Last name","Primary email"` + "\n")
	for i := range 1000 {
		fmt.Fprintf(many, `"00u%d","ACTIVE","A","B","p%d@x.io"`+"\n", i, i)
	}
	if snap, err := Parse(FormatOktaCSV, strings.NewReader(many.String())); err != nil || len(snap.People) != 1000 {
		t.Errorf("1,000 ordinary rows: %v", err)
	}
}

func TestMovingPendingInvitationsToAnotherDomainIsHeld(t *testing.T) {
	export, accounts := bigcorp(30)
	for i := range 3 {
		accounts = append(accounts, invitation(fmt.Sprintf("inv%d", i), fmt.Sprintf("00unew%d", i), fmt.Sprintf("new%d@bigcorp.com", i), "N"))
		export += fmt.Sprintf("\"00unew%d\",\"ACTIVE\",\"N\",\"\",\"new%d@evil.example\"\n", i, i)
	}
	snap, err := Parse(FormatOktaCSV, strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(snap, accounts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Held || !strings.Contains(plan.HeldReason, "another domain") {
		t.Errorf("three pending invitations moved to evil.example: held %v %q", plan.Held, plan.HeldReason)
	}
}

func TestANewPersonOnACutOffLastLineIsHeld(t *testing.T) {
	export, accounts := bigcorp(28)
	export = strings.ReplaceAll(export, `"`, "") + "00unew,ACTIVE,N,Hire,newhire@bigcorp.com\n"
	cut := strings.TrimSuffix(strings.TrimSuffix(export, "\n"), "m") // newhire@bigcorp.co
	snap, err := Parse(FormatOktaCSV, strings.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(snap, accounts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Held || !strings.Contains(plan.HeldReason, "cut off") || plan.Counts[ActionInvite] != 1 {
		t.Errorf("a new person on a cut-off last line: held %v %q, %v", plan.Held, plan.HeldReason, plan.Counts)
	}
	// The same file with its line ending is applied.
	whole, err := Parse(FormatOktaCSV, strings.NewReader(strings.TrimSuffix(export, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if plan, err := NewPlan(whole, accounts, Options{}); err != nil || plan.Held {
		t.Errorf("the whole file: held %v %q, %v", plan.Held, plan.HeldReason, err)
	}
}
