package idp

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestTheShippedExampleExport keeps examples/okta-group.csv, which the README's local sync
// example uses, a real Okta export: four people present (a PASSWORD_EXPIRED one among them)
// and one SUSPENDED, who is gone, so an empty organization invites four.
func TestTheShippedExampleExport(t *testing.T) {
	f, err := os.Open("../../examples/okta-group.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := Parse(FormatAuto, f)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(snap, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Counts[ActionInvite] != 4 || len(plan.Actions) != 4 || plan.Held {
		t.Errorf("plan of the example: counts %v, %d actions, held %v; want four invitations", plan.Counts, len(plan.Actions), plan.Held)
	}
	for _, a := range plan.Actions {
		if a.Email == "ken.t@demo.example" {
			t.Errorf("the SUSPENDED person is invited: %+v", a)
		}
	}
}

// TestSkippedRecordsComeInFileOrder: what the parser skips (an invalid address) and what the
// planner leaves alone (a staged person, a suspended one who never joined) are reported
// together in the order of the file's rows.
func TestSkippedRecordsComeInFileOrder(t *testing.T) {
	export := oktaRows(`"00u1","STAGED","New","Hire","new@x.com"`, `"00u2","ACTIVE","Bad","Address","not an address"`,
		`"00u3","SUSPENDED","Gone","Person","gone@x.com"`, `"00u4","ACTIVE","Ada","L","ada@x.com"`, `"00u5","PROVISIONED","Dup","Ada","ADA@x.com"`)
	snap, err := Parse(FormatAuto, strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(snap, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range plan.Skipped {
		got = append(got, fmt.Sprintf("%d %s", k.Row, k.Code))
	}
	want := []string{"1 pending", "2 invalid_email", "3 gone", "5 duplicate"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("skipped = %v, want %v", got, want)
	}
}
