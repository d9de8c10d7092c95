package idp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// syncedMembers returns n synced active members m0…, whose people are person(i).
func syncedMembers(n int) []Account {
	accounts := make([]Account, n)
	for i := range accounts {
		accounts[i] = member(fmt.Sprintf("m%d", i), fmt.Sprintf("x%d", i), fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("P %d", i))
	}
	return accounts
}

// exportWithout is the export of the people of syncedMembers(n) but the first removed.
func exportWithout(n, removed int) *Snapshot {
	s := &Snapshot{Format: FormatOktaJSON}
	for i := removed; i < n; i++ {
		s.People = append(s.People, present(fmt.Sprintf("x%d", i), fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("P %d", i), i+1))
	}
	return s
}

func TestPlanHeld(t *testing.T) {
	tests := []struct {
		name     string
		live     int
		removed  int
		opts     Options
		held     bool
		limitMsg string
	}{
		{"share: exactly at the limit", 100, 10, Options{}, false, ""},
		{"share: one more", 100, 11, Options{}, true, "removes 11 of 100 synced accounts (11 deactivations, 0 revocations), more than the limit of 10 (10% of 100, at least 5)"},
		{"floor: exactly at the limit", 20, 5, Options{}, false, ""},
		{"floor: one more", 20, 6, Options{}, true, "more than the limit of 5 (10% of 20, at least 5)"},
		{"custom share rounds as people count", 100, 29, Options{RemovalShare: 0.29}, false, ""},
		{"custom share: one more", 100, 30, Options{RemovalShare: 0.29}, true, "limit of 29 (29% of 100, at least 5)"},
		{"custom floor", 10, 3, Options{RemovalFloor: 2}, true, "limit of 2 (10% of 10, at least 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := NewPlan(exportWithout(tt.live, tt.removed), syncedMembers(tt.live), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Counts[ActionDeactivate] != tt.removed {
				t.Errorf("deactivations = %d, want %d", plan.Counts[ActionDeactivate], tt.removed)
			}
			if plan.Held != tt.held || !strings.Contains(plan.HeldReason, tt.limitMsg) || (plan.HeldReason == "") == tt.held {
				t.Errorf("held = %v %q, want %v %q", plan.Held, plan.HeldReason, tt.held, tt.limitMsg)
			}
		})
	}
}

func TestPlanHeldCountsRevocationsAndOnlyLiveSyncedAccounts(t *testing.T) {
	accounts := syncedMembers(50)
	for i := range 6 { // six of the fifty are invitations
		accounts[i].Kind, accounts[i].Active = AccountInvitation, false
	}
	// Neither counts towards the live accounts: a deactivated synced member and an admin's own.
	accounts = append(accounts, Account{Kind: AccountMember, ID: "old", Email: "old@example.com", Synced: true, DeactivatedBySync: true},
		Account{Kind: AccountMember, ID: "own", Email: "own@example.com", Active: true})
	plan, err := NewPlan(exportWithout(50, 6), accounts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "removes 6 of 50 synced accounts (0 deactivations, 6 revocations), more than the limit of 5"
	if !plan.Held || !strings.Contains(plan.HeldReason, want) {
		t.Errorf("held = %v %q, want a reason with %q", plan.Held, plan.HeldReason, want)
	}
}

func TestPlanRefuses(t *testing.T) {
	tests := []struct {
		name     string
		snap     *Snapshot
		opts     Options
		sentinel error
		words    []string
	}{
		{"no snapshot", nil, Options{}, nil, []string{"no snapshot"}},
		{"nobody at all", &Snapshot{}, Options{}, ErrNobodyPresent, []string{"nothing is applied"}},
		{"only gone, pending and skipped", &Snapshot{People: []Person{gone("x1", "a@example.com", "", 1),
			{ExternalID: "x2", Email: "b@example.com", Status: StatusPending, Row: 2}}, Skipped: []Skip{{Row: 3}}},
			Options{}, ErrNobodyPresent, []string{"1 gone, 1 pending, 1 skipped"}},
		{"negative share", exportWithout(3, 0), Options{RemovalShare: -0.1}, nil, []string{"removal share -0.1"}},
		{"share over one", exportWithout(3, 0), Options{RemovalShare: 1.5}, nil, []string{"removal share 1.5"}},
		{"negative floor", exportWithout(3, 0), Options{RemovalFloor: -1}, nil, []string{"removal floor -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := NewPlan(tt.snap, syncedMembers(3), tt.opts)
			if err == nil {
				t.Fatalf("NewPlan = %+v, want an error", plan)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tt.sentinel)
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
