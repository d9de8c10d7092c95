package idp

import (
	"os"
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
