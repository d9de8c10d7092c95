package idp

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// applyPlan does to accounts what the sync function does with a plan, as far as the planner
// can see: invitations are created synced, removals and updates change the account.
func applyPlan(t *testing.T, accounts []Account, plan Plan) []Account {
	t.Helper()
	out := slices.Clone(accounts)
	find := func(id string) int {
		i := slices.IndexFunc(out, func(a Account) bool { return a.ID == id })
		if i < 0 {
			t.Fatalf("action on unknown account %s", id)
		}
		return i
	}
	for _, a := range plan.Actions {
		switch a.Kind {
		case ActionInvite:
			out = append(out, Account{Kind: AccountInvitation, ID: "inv-" + a.Email, Email: a.Email, Name: a.Name,
				ExternalID: a.ExternalID, Synced: true})
		case ActionUpdate:
			i := find(a.AccountID)
			out[i].Email, out[i].Name, out[i].ExternalID = a.Email, a.Name, a.ExternalID
		case ActionReactivate:
			i := find(a.AccountID)
			out[i].Active, out[i].DeactivatedBySync = true, false
		case ActionDeactivate:
			i := find(a.AccountID)
			out[i].Active, out[i].DeactivatedBySync = false, true
		case ActionRevoke:
			out = slices.Delete(out, find(a.AccountID), find(a.AccountID)+1)
		}
	}
	return out
}

// accept turns every pending invitation into an active member, as people accept.
func accept(accounts []Account) []Account {
	out := slices.Clone(accounts)
	for i := range out {
		if out[i].Kind == AccountInvitation {
			out[i].Kind, out[i].Active = AccountMember, true
		}
	}
	return out
}

// planFixture parses files and plans against accounts.
func planFixture(t *testing.T, accounts []Account, files ...string) Plan {
	t.Helper()
	plan, err := NewPlan(parseFixtures(t, FormatAuto, files...), accounts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func TestRerunChangesNothing(t *testing.T) {
	exports := [][]string{
		{"okta-group-members.csv"}, {"okta-users-1.json", "okta-users-2.json"}, {"entra-users.csv"},
		{"entra-members-1.json", "entra-members-2.json"}, {"google-users.csv"}, {"google-members.json"},
		{"scim-users-1.json", "scim-users-2.json"}, {"scim-group.json"},
	}
	for _, files := range exports {
		t.Run(files[0], func(t *testing.T) {
			first := planFixture(t, nil, files...)
			if first.Counts[ActionInvite] == 0 || first.Counts[ActionInvite] != len(first.Actions) {
				t.Fatalf("first run: %+v, want only invitations", first.Counts)
			}
			accounts := applyPlan(t, nil, first)
			for _, state := range [][]Account{accounts, accept(accounts)} {
				again := planFixture(t, state, files...)
				if len(again.Actions) != 0 || again.Held {
					t.Errorf("re-run planned %+v (held %v), want nothing", again.Actions, again.Held)
				}
				if again.Unchanged != first.Counts[ActionInvite] {
					t.Errorf("re-run: %d unchanged, want %d", again.Unchanged, first.Counts[ActionInvite])
				}
			}
		})
	}
}

func TestRerunAfterChanges(t *testing.T) {
	// The group report first, then the API pages of the same Okta group a week later: Mo,
	// René, Omar and Jo are no longer in it, Dee and Sam stay gone, Nia is still staged.
	accounts := accept(applyPlan(t, nil, planFixture(t, nil, "okta-group-members.csv")))
	plan := planFixture(t, accounts, "okta-users-1.json", "okta-users-2.json")
	var got []string
	for _, a := range plan.Actions {
		got = append(got, string(a.Kind)+" "+a.Email)
	}
	want := []string{"deactivate jo.oneill@example.com", "deactivate mo.salah@example.com",
		"deactivate omar.haddad@example.com", "deactivate rene.dubois@example.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	accounts = applyPlan(t, accounts, plan)
	if again := planFixture(t, accounts, "okta-users-1.json", "okta-users-2.json"); len(again.Actions) != 0 {
		t.Errorf("re-run planned %+v, want nothing", again.Actions)
	}
	// Back to the first export: the four come back.
	back := planFixture(t, accounts, "okta-group-members.csv")
	if back.Counts[ActionReactivate] != 4 || len(back.Actions) != 4 {
		t.Errorf("planned %+v, want four reactivations", back.Actions)
	}
}
