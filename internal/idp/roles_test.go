package idp

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMergeMakesOnePersonOfEachAcrossGroups(t *testing.T) {
	admins := &Snapshot{Format: FormatOktaJSON, People: []Person{
		present("u1", "ada@example.com", "Ada", 1),
		gone("u3", "cy@example.com", "Cy", 2),
	}, Skipped: []Skip{{Row: 3, Email: "not-an-address", Code: SkipInvalidEmail, Reason: "invalid email"}}}
	everyone := &Snapshot{Format: FormatOktaJSON, People: []Person{
		present("u2", "bob@example.com", "Bob", 1),
		present("u1", "ada@example.com", "Ada", 2),
		present("u3", "cy@example.com", "Cy", 3),
		present("u9", "ada@example.com", "Another Ada", 4), // another id with Ada's address
	}}
	got, err := Merge([]Part{{Group: "group admins", Snapshot: admins}, {Group: "group everyone", Snapshot: everyone}})
	if err != nil {
		t.Fatal(err)
	}
	want := &Snapshot{Format: FormatOktaJSON, People: []Person{
		{ExternalID: "u1", Email: "ada@example.com", Name: "Ada", Status: StatusPresent, Row: 1, Group: "group admins", Groups: []string{"group admins", "group everyone"}},
		// Gone in one group, present in another: present, in that one only.
		{ExternalID: "u3", Email: "cy@example.com", Name: "Cy", Status: StatusPresent, Row: 3, Group: "group everyone", Groups: []string{"group everyone"}},
		{ExternalID: "u2", Email: "bob@example.com", Name: "Bob", Status: StatusPresent, Row: 1, Group: "group everyone", Groups: []string{"group everyone"}},
	}, Skipped: []Skip{
		{Row: 3, Group: "group admins", Email: "not-an-address", Code: SkipInvalidEmail, Reason: "invalid email"},
		{Row: 4, Group: "group everyone", ExternalID: "u9", Email: "ada@example.com", Name: "Another Ada", Code: SkipDuplicate,
			Status: StatusPresent, Reason: "duplicate of group admins row 1: same email"},
	}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}

	// Reasons name the group of the record.
	plan, err := NewPlan(got, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := plan.Actions[0].Reason; !strings.Contains(r, "group admins row 1") {
		t.Errorf("reason %q does not name the group", r)
	}

	if _, err := Merge([]Part{{Group: "a", Snapshot: admins}, {Group: "b", Snapshot: &Snapshot{Format: FormatEntraJSON}}}); err == nil ||
		!strings.Contains(err.Error(), "b is entra-json") {
		t.Errorf("merging two formats: %v", err)
	}
	if _, err := Merge([]Part{{Group: "a"}}); err == nil {
		t.Error("merging a group without a snapshot succeeded")
	}
}

// withRole is an account with role, an admin counted as one.
func withRole(a Account, role string) Account {
	a.Role = role
	a.Admin = role == "admin" && a.Kind == AccountMember && a.Active
	return a
}

// wantRole is the person with the role their groups give.
func wantRole(p Person, role string) Person {
	p.Role = role
	return p
}

func TestPlanKeepsSyncedAccountsAtTheRoleTheirGroupsGive(t *testing.T) {
	anchor := wantRole(present("anchor", "anchor@example.com", "Anchor", 99), "member")
	anchorAcc := withRole(member("m-anchor", "anchor", "anchor@example.com", "Anchor"), "member")
	owner := withRole(member("m-owner", "", "owner@example.com", "Owner"), "admin")
	owner.Synced = false
	t.Run("promotes, demotes, and leaves the rest", func(t *testing.T) {
		snap := &Snapshot{People: []Person{anchor,
			wantRole(present("u1", "ada@example.com", "Ada", 1), "admin"),
			wantRole(present("u2", "bob@example.com", "Bob", 2), "viewer"),
			wantRole(present("u3", "cy@example.com", "Cy", 3), "member"),
			present("u4", "di@example.com", "Di", 4), // no role given: left as is
			wantRole(present("u5", "eve@example.com", "Eve", 5), "viewer"),
			wantRole(present("u6", "fay@example.com", "Fay", 6), "admin"),
		}}
		manual := withRole(member("m6", "u6", "fay@example.com", "Fay"), "member")
		manual.Synced = false
		plan, err := NewPlan(snap, []Account{anchorAcc, owner,
			withRole(member("m1", "u1", "ada@example.com", "Ada"), "member"),
			withRole(member("m2", "u2", "bob@example.com", "Bob"), "member"),
			withRole(member("m3", "u3", "cy@example.com", "Cy"), "member"),
			withRole(member("m4", "u4", "di@example.com", "Di"), "admin"),
			withRole(invitation("i5", "u5", "eve@example.com", "Eve"), "member"),
			manual, // sync never changes an account it did not make
		}, Options{RemovalFloor: 10})
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, plan)
		want := []Action{
			{Kind: ActionRole, AccountID: "m1", Email: "ada@example.com", Name: "Ada", ExternalID: "u1", Role: "admin", OldRole: "member",
				Reason: "role admin from its groups, was member (row 1)"},
			{Kind: ActionRole, AccountID: "m2", Email: "bob@example.com", Name: "Bob", ExternalID: "u2", Role: "viewer", OldRole: "member",
				Reason: "role viewer from its groups, was member (row 2)"},
			{Kind: ActionRole, AccountID: "i5", Email: "eve@example.com", Name: "Eve", ExternalID: "u5", Role: "viewer", OldRole: "member",
				Reason: "role viewer from its groups, was member (row 5)"},
		}
		if diff := cmp.Diff(want, plan.Actions); diff != "" {
			t.Errorf("actions (-want +got):\n%s", diff)
		}
		if plan.Unchanged != 3 || plan.Unmanaged != 1 {
			t.Errorf("unchanged %d, unmanaged %d; want 3 and 1", plan.Unchanged, plan.Unmanaged)
		}
	})
	t.Run("new people are invited with their role", func(t *testing.T) {
		plan, err := NewPlan(&Snapshot{People: []Person{anchor, wantRole(present("u1", "ada@example.com", "Ada", 1), "admin")}},
			[]Account{anchorAcc}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Actions) != 1 || plan.Actions[0].Kind != ActionInvite || plan.Actions[0].Role != "admin" {
			t.Errorf("actions %+v, want an invite as admin", plan.Actions)
		}
	})
	t.Run("the admin group handed from the last admin to another", func(t *testing.T) {
		// Ada sorts before Bob, yet Bob's promotion comes first: applying in order never
		// leaves the organization without an admin.
		snap := &Snapshot{People: []Person{anchor,
			wantRole(present("u1", "ada@example.com", "Ada", 1), "member"),
			wantRole(present("u2", "bob@example.com", "Bob", 2), "admin"),
		}}
		plan, err := NewPlan(snap, []Account{anchorAcc,
			withRole(member("m1", "u1", "ada@example.com", "Ada"), "admin"),
			withRole(member("m2", "u2", "bob@example.com", "Bob"), "member"),
		}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Actions) != 2 || plan.Actions[0].AccountID != "m2" || plan.Actions[0].Role != "admin" ||
			plan.Actions[1].AccountID != "m1" || plan.Actions[1].Role != "member" {
			t.Errorf("actions %+v, want Bob promoted, then Ada demoted", plan.Actions)
		}
	})
	t.Run("the last admin is not demoted", func(t *testing.T) {
		snap := &Snapshot{People: []Person{anchor, wantRole(present("u1", "ada@example.com", "Ada", 1), "member")}}
		plan, err := NewPlan(snap, []Account{anchorAcc, withRole(member("m1", "u1", "ada@example.com", "Ada"), "admin")}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Actions) != 0 || len(plan.Skipped) != 1 || plan.Skipped[0].Code != SkipLastAdmin ||
			!strings.Contains(plan.Skipped[0].Reason, "last active admin") {
			t.Errorf("actions %+v, skipped %+v; want the demotion skipped", plan.Actions, plan.Skipped)
		}
	})
	t.Run("a group mapped to the wrong role is held", func(t *testing.T) {
		var people []Person
		var accounts []Account
		for i := range 30 {
			id, email := "u"+string(rune('a'+i%26))+strings.Repeat("x", i/26), "p"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"@example.com"
			people = append(people, wantRole(present(id, email, "P", i+1), "viewer"))
			accounts = append(accounts, withRole(member("m"+id, id, email, "P"), "member"))
		}
		plan, err := NewPlan(&Snapshot{People: people}, append(accounts, owner), Options{RemovalShare: 0.1, RemovalFloor: 2})
		if err != nil {
			t.Fatal(err)
		}
		if !plan.Held || !strings.Contains(plan.HeldReason, "30 role changes") || plan.Counts[ActionRole] != 30 {
			t.Errorf("held %v (%s), %d role changes", plan.Held, plan.HeldReason, plan.Counts[ActionRole])
		}
	})
	t.Run("an invitation whose address changes is invited again with its role", func(t *testing.T) {
		snap := &Snapshot{People: []Person{anchor, wantRole(present("u1", "ada@example.org", "Ada", 1), "viewer")}}
		plan, err := NewPlan(snap, []Account{anchorAcc, withRole(invitation("i1", "u1", "ada@example.com", "Ada"), "member")}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range plan.Actions {
			if a.Kind == ActionRole || (a.Kind == ActionInvite && a.Role != "viewer") {
				t.Errorf("action %+v; want the new invitation as viewer and no role change", a)
			}
		}
	})
	if _, err := NewPlan(&Snapshot{}, nil, Options{}); !errors.Is(err, ErrNobodyPresent) {
		t.Errorf("empty snapshot: %v", err)
	}
}

func TestRolesOfReactivatedAndNewAdmins(t *testing.T) {
	anchor := wantRole(present("anchor", "anchor@example.com", "Anchor", 99), "member")
	anchorAcc := withRole(member("m-anchor", "anchor", "anchor@example.com", "Anchor"), "member")
	owner := Account{Kind: AccountMember, ID: "m-owner", Email: "owner@example.com", Active: true, Admin: true, LastAdmin: true, Role: "admin"}
	// Bob was an admin sync deactivated; he is back, in a member group only.
	bob := Account{Kind: AccountMember, ID: "m-bob", ExternalID: "u2", Email: "bob@example.com", Synced: true, DeactivatedBySync: true, Role: "admin"}
	plan, err := NewPlan(&Snapshot{People: []Person{anchor, wantRole(present("u2", "bob@example.com", "Bob", 2), "member")}},
		[]Account{anchorAcc, owner, bob}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[ActionKind]string{}
	for _, a := range plan.Actions {
		kinds[a.Kind] = a.Role
	}
	if _, ok := kinds[ActionReactivate]; !ok || kinds[ActionRole] != "member" || len(plan.Skipped) != 0 {
		t.Errorf("actions %+v, skipped %+v; want Bob reactivated as member", plan.Actions, plan.Skipped)
	}

	// Forty people new to the organization, all invited as admins: held.
	people := []Person{anchor}
	for i := range 40 {
		people = append(people, wantRole(present(fmt.Sprintf("n%d", i), fmt.Sprintf("n%d@example.com", i), "N", i+1), "admin"))
	}
	plan, err = NewPlan(&Snapshot{People: people}, []Account{anchorAcc, owner}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Held || !strings.Contains(plan.HeldReason, "invitations as admin") {
		t.Errorf("forty admin invitations: held %v (%s)", plan.Held, plan.HeldReason)
	}
}
