package idp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// present, gone and pending build people of a test snapshot.
func present(id, email, name string, row int) Person {
	return Person{ExternalID: id, Email: email, Name: name, Status: StatusPresent, Row: row}
}

func gone(id, email, name string, row int) Person {
	return Person{ExternalID: id, Email: email, Name: name, Status: StatusGone, Row: row}
}

// member and invitation build synced accounts; tests flip the flags they need.
func member(id, ext, email, name string) Account {
	return Account{Kind: AccountMember, ID: id, ExternalID: ext, Email: email, Name: name, Active: true, Synced: true}
}

func invitation(id, ext, email, name string) Account {
	return Account{Kind: AccountInvitation, ID: id, ExternalID: ext, Email: email, Name: name, Synced: true}
}

// planResult is what a test checks of a plan: everything but Counts, which follow from the
// actions and are checked once in checkCounts.
type planResult struct {
	Actions              []Action
	Skipped              []Skip
	Unchanged, Unmanaged int
	People               int
}

func TestNewPlan(t *testing.T) {
	// A present person who always is, so that no case trips the empty-export guard.
	anchor := present("anchor", "anchor@example.com", "Anchor", 99)
	anchorAcc := member("m-anchor", "anchor", "anchor@example.com", "Anchor")
	tests := []struct {
		name     string
		people   []Person
		skipped  []Skip
		accounts []Account
		want     planResult
	}{{
		name:   "new person is invited",
		people: []Person{present("x1", "ada@example.com", "Ada Lovelace", 1)},
		want: planResult{People: 2, Unchanged: 1, Actions: []Action{
			{Kind: ActionInvite, Email: "ada@example.com", Name: "Ada Lovelace", ExternalID: "x1", Reason: "new in the export (row 1)"},
		}},
	}, {
		name:     "rename by id",
		people:   []Person{present("x1", "ada@example.com", "Ada King", 1)},
		accounts: []Account{member("m1", "x1", "ada@example.com", "Ada Lovelace")},
		want: planResult{People: 2, Unchanged: 1, Actions: []Action{{Kind: ActionUpdate, AccountID: "m1",
			Email: "ada@example.com", Name: "Ada King", ExternalID: "x1", OldEmail: "ada@example.com", OldName: "Ada Lovelace",
			OldExternalID: "x1", Reason: "name changed (row 1)"}}},
	}, {
		name:     "email change by id is an update, not deactivate and invite",
		people:   []Person{present("x1", "ada.king@example.com", "Ada Lovelace", 1)},
		accounts: []Account{member("m1", "x1", "ada@example.com", "Ada Lovelace")},
		want: planResult{People: 2, Unchanged: 1, Actions: []Action{{Kind: ActionUpdate, AccountID: "m1",
			Email: "ada.king@example.com", Name: "Ada Lovelace", ExternalID: "x1", OldEmail: "ada@example.com",
			OldName: "Ada Lovelace", OldExternalID: "x1", Reason: "email changed (row 1)"}}},
	}, {
		name:     "matched by email: the account learns the id; a missing name keeps the account's",
		people:   []Person{present("x1", "ada@example.com", "", 1)},
		accounts: []Account{member("m1", "", "Ada@Example.com", "Ada Lovelace")},
		want: planResult{People: 2, Unchanged: 1, Actions: []Action{{Kind: ActionUpdate, AccountID: "m1",
			Email: "Ada@Example.com", Name: "Ada Lovelace", ExternalID: "x1", OldEmail: "Ada@Example.com",
			OldName: "Ada Lovelace", Reason: "external id changed (row 1)"}}},
	}, {
		name:     "re-added after sync removed them: reactivate and update",
		people:   []Person{present("x1", "ada@example.com", "Ada King", 3)},
		accounts: []Account{{Kind: AccountMember, ID: "m1", ExternalID: "x1", Email: "ada@example.com", Name: "Ada", Synced: true, DeactivatedBySync: true}},
		want: planResult{People: 2, Unchanged: 1, Actions: []Action{
			{Kind: ActionUpdate, AccountID: "m1", Email: "ada@example.com", Name: "Ada King", ExternalID: "x1",
				OldEmail: "ada@example.com", OldName: "Ada", OldExternalID: "x1", Reason: "name changed (row 3)"},
			{Kind: ActionReactivate, AccountID: "m1", Email: "ada@example.com", Name: "Ada", ExternalID: "x1",
				Reason: "back in the export (row 3) after sync deactivated it"},
		}},
	}, {
		name:     "deactivated by an admin stays deactivated",
		people:   []Person{present("x1", "ada@example.com", "Ada", 3)},
		accounts: []Account{{Kind: AccountMember, ID: "m1", ExternalID: "x1", Email: "ada@example.com", Name: "Ada", Synced: true}},
		want: planResult{People: 2, Unchanged: 1, Skipped: []Skip{{Row: 3, AccountID: "m1", ExternalID: "x1", Email: "ada@example.com",
			Name: "Ada", Status: StatusPresent, Code: SkipManual, Reason: "deactivated by an admin, not by sync; sync does not reactivate it"}}},
	}, {
		name:   "accounts sync did not create are not touched",
		people: []Person{present("x1", "ada@example.com", "Ada King", 1), gone("x2", "bo@example.com", "Bo", 2)},
		accounts: []Account{
			{Kind: AccountMember, ID: "m1", Email: "ada@example.com", Name: "Ada", Active: true},
			{Kind: AccountMember, ID: "m2", ExternalID: "x2", Email: "bo@example.com", Active: true},
			{Kind: AccountMember, ID: "m3", Email: "cy@example.com", Active: true},
			{Kind: AccountInvitation, ID: "i1", Email: "di@example.com"},
		},
		want: planResult{People: 2, Unchanged: 1, Unmanaged: 1},
	}, {
		name:   "the last admin is never deactivated",
		people: []Person{gone("x1", "ada@example.com", "Ada", 4)},
		accounts: []Account{
			{Kind: AccountMember, ID: "m1", ExternalID: "x1", Email: "ada@example.com", Active: true, Synced: true, LastAdmin: true},
			{Kind: AccountMember, ID: "m2", ExternalID: "x2", Email: "bo@example.com", Active: true, Synced: true, LastAdmin: true},
		},
		want: planResult{People: 1, Unchanged: 1, Skipped: []Skip{
			{Row: 4, AccountID: "m1", ExternalID: "x1", Email: "ada@example.com", Status: StatusGone, Code: SkipLastAdmin,
				Reason: "gone from the identity provider (row 4), but it is the organization's last active admin; not deactivated"},
			{AccountID: "m2", ExternalID: "x2", Email: "bo@example.com", Code: SkipLastAdmin,
				Reason: "not in the export, but it is the organization's last active admin; not deactivated"},
		}},
	}, {
		name:   "gone and absent people are removed, never invited",
		people: []Person{gone("x1", "ada@example.com", "Ada", 1), gone("x2", "bo@example.com", "Bo", 2), gone("x3", "cy@example.com", "Cy", 3)},
		accounts: []Account{
			member("m1", "x1", "ada@example.com", "Ada"),
			invitation("i2", "x2", "bo@example.com", "Bo"),
			invitation("i4", "x4", "di@example.com", "Di"),
			{Kind: AccountMember, ID: "m5", ExternalID: "x5", Email: "ed@example.com", Synced: true, DeactivatedBySync: true},
		},
		want: planResult{People: 1, Unchanged: 2, Actions: []Action{
			{Kind: ActionRevoke, AccountID: "i2", Email: "bo@example.com", Name: "Bo", ExternalID: "x2", Reason: "gone from the identity provider (row 2)"},
			{Kind: ActionRevoke, AccountID: "i4", Email: "di@example.com", Name: "Di", ExternalID: "x4", Reason: "not in the export"},
			{Kind: ActionDeactivate, AccountID: "m1", Email: "ada@example.com", Name: "Ada", ExternalID: "x1", Reason: "gone from the identity provider (row 1)"},
		}, Skipped: []Skip{
			// Gone and never joined: listed, nothing to do.
			{Row: 3, ExternalID: "x3", Email: "cy@example.com", Name: "Cy", Code: SkipGone, Status: StatusGone,
				Reason: "gone from the identity provider (suspended, deprovisioned or disabled) and matched to no account here: nothing to do"},
		}},
	}, {
		name:     "staged people are reported and their accounts left alone",
		people:   []Person{{ExternalID: "x1", Email: "nia@example.com", Name: "Nia", Status: StatusPending, Row: 7}},
		accounts: []Account{invitation("i1", "x1", "nia@example.com", "Nia")},
		want: planResult{People: 1, Unchanged: 1, Skipped: []Skip{{Row: 7, AccountID: "i1", ExternalID: "x1", Email: "nia@example.com",
			Name: "Nia", Status: StatusPending, Code: SkipPending, Reason: "not active yet in the identity provider (staged); left as is"}}},
	}, {
		name:     "invitation renamed",
		people:   []Person{present("x1", "ada@example.com", "Ada King", 1)},
		accounts: []Account{invitation("i1", "x1", "ada@example.com", "Ada")},
		want: planResult{People: 2, Unchanged: 1, Actions: []Action{{Kind: ActionUpdate, AccountID: "i1", Email: "ada@example.com",
			Name: "Ada King", ExternalID: "x1", OldEmail: "ada@example.com", OldName: "Ada", OldExternalID: "x1", Reason: "name changed (row 1)"}}},
	}, {
		name:     "invitation to a changed address is replaced",
		people:   []Person{present("x1", "ada.king@example.com", "Ada King", 1)},
		accounts: []Account{invitation("i1", "x1", "ada@example.com", "Ada")},
		want: planResult{People: 2, Unchanged: 1, Actions: []Action{
			{Kind: ActionRevoke, AccountID: "i1", Email: "ada@example.com", Name: "Ada", ExternalID: "x1",
				Reason: "address changed to ada.king@example.com (row 1)"},
			{Kind: ActionInvite, Email: "ada.king@example.com", Name: "Ada King", ExternalID: "x1", OldEmail: "ada@example.com",
				Reason: "address changed from ada@example.com (row 1)"},
		}},
	}, {
		name:    "a person whose record was unusable keeps their account",
		skipped: []Skip{{Row: 5, ExternalID: "x1", Code: SkipNoEmail, Status: StatusPresent, Reason: "no email address"}, {Row: 6, ExternalID: "x2", Code: SkipNoEmail, Status: StatusGone, Reason: "no email address"}},
		accounts: []Account{
			member("m1", "x1", "ada@example.com", "Ada"),
			member("m2", "x2", "bo@example.com", "Bo"),
		},
		want: planResult{People: 1, Unchanged: 1,
			Actions: []Action{{Kind: ActionDeactivate, AccountID: "m2", Email: "bo@example.com", Name: "Bo", ExternalID: "x2",
				Reason: "gone from the identity provider (row 6, skipped: no email address)"}},
			Skipped: []Skip{
				{Row: 5, ExternalID: "x1", Code: SkipNoEmail, Status: StatusPresent, Reason: "no email address"},
				{Row: 6, ExternalID: "x2", Code: SkipNoEmail, Status: StatusGone, Reason: "no email address"},
				{AccountID: "m1", ExternalID: "x1", Email: "ada@example.com", Name: "Ada", Code: SkipKept,
					Reason: "left as is: its export record at row 5 was skipped (no email address)"},
			}},
	}, {
		name:   "an old invitation beside the member of the same person is revoked",
		people: []Person{present("x1", "ada@example.com", "Ada", 1)},
		accounts: []Account{
			invitation("i1", "x1", "ada@example.com", "Ada"),
			member("m1", "x1", "ada@example.com", "Ada"),
		},
		want: planResult{People: 2, Unchanged: 2, Actions: []Action{
			{Kind: ActionRevoke, AccountID: "i1", Email: "ada@example.com", Name: "Ada", ExternalID: "x1", Reason: "not in the export"},
		}},
	}, {
		name:     "an address stored in another Unicode form or case is the same",
		people:   []Person{present("", "zo\u00eb@example.com", "Zoë", 1)},
		accounts: []Account{member("m1", "", "Zoe\u0308@Example.com", "Zoë")},
		want:     planResult{People: 2, Unchanged: 2},
	}, {
		name:   "an address another account keeps is not taken",
		people: []Person{present("x1", "bo@example.com", "Ada", 1), present("x2", "cy@example.com", "Cy", 2)},
		accounts: []Account{
			member("m1", "x1", "ada@example.com", "Ada"),
			{Kind: AccountMember, ID: "m2", Email: "bo@example.com", Active: true},
			invitation("i3", "x2", "cy.old@example.com", "Cy"),
			{Kind: AccountInvitation, ID: "i4", Email: "cy@example.com"},
		},
		want: planResult{People: 3, Unchanged: 1, Skipped: []Skip{
			{Row: 1, AccountID: "m1", ExternalID: "x1", Email: "bo@example.com", Name: "Ada", Status: StatusPresent, Code: SkipEmailTaken,
				Reason: "bo@example.com is held by member m2, which this plan does not release"},
			{Row: 2, AccountID: "i3", ExternalID: "x2", Email: "cy@example.com", Name: "Cy", Status: StatusPresent, Code: SkipEmailTaken,
				Reason: "cy@example.com is held by invitation i4, which this plan does not release"},
		}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Snapshot{Format: FormatOktaCSV, People: append(tt.people, anchor), Skipped: tt.skipped}
			plan, err := NewPlan(s, append(tt.accounts, anchorAcc), Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, plan)
			if plan.Held {
				t.Errorf("plan held: %s", plan.HeldReason)
			}
			got := planResult{Actions: plan.Actions, Skipped: plan.Skipped, Unchanged: plan.Unchanged, Unmanaged: plan.Unmanaged, People: plan.People}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkCounts checks that a plan counts every kind of action it holds.
func checkCounts(t *testing.T, plan Plan) {
	t.Helper()
	want := map[ActionKind]int{}
	for _, k := range ActionKinds() {
		want[k] = 0
	}
	for _, a := range plan.Actions {
		want[a.Kind]++
	}
	if diff := cmp.Diff(want, plan.Counts); diff != "" {
		t.Errorf("counts mismatch (-want +got):\n%s", diff)
	}
}
