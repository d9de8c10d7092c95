package idp

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// oktaRows is an Okta group members report of the given rows.
func oktaRows(rows ...string) string {
	return `"User Id","Status","First name","Last name","Primary email"` + "\n" + strings.Join(rows, "\n") + "\n"
}

// outcome is what a case checks of a plan: each action as "kind account email: reason",
// each skip as "code account email", and whether absent accounts were spared.
type outcome struct {
	Actions    []string
	Skipped    []string
	Suppressed bool
}

// outcomeOf summarizes a plan; "-" stands for no account.
func outcomeOf(plan Plan) outcome {
	account := func(id string) string {
		if id == "" {
			return "-"
		}
		return id
	}
	var o outcome
	for _, a := range plan.Actions {
		o.Actions = append(o.Actions, string(a.Kind)+" "+account(a.AccountID)+" "+a.Email+": "+a.Reason)
	}
	for _, s := range plan.Skipped {
		o.Skipped = append(o.Skipped, string(s.Code)+" "+account(s.AccountID)+" "+s.Email)
	}
	o.Suppressed = plan.RemovalsSuppressed != ""
	return o
}

// admin is a synced active admin.
func admin(id, ext, email string) Account {
	a := member(id, ext, email, "")
	a.Admin = true
	return a
}

// TestPlanExportSafety parses small exports and plans them: each case is a way a plan
// deactivated, or handed to someone else, the account of a person the export still has.
func TestPlanExportSafety(t *testing.T) {
	tests := []struct {
		name     string
		export   string
		accounts []Account
		want     outcome
	}{{
		name:     "a duplicate address under another id keeps the account of that id, the later record's",
		export:   oktaRows(`"00uA","ACTIVE","Ada","L","ada@x.com"`, `"00uC","ACTIVE","Ada","C","ADA@x.com"`),
		accounts: []Account{member("m1", "00uA", "ada@x.com", "Ada L"), member("m2", "00uC", "ada.c@x.com", "Ada C")},
		want:     outcome{Skipped: []string{"duplicate - ada@x.com", "email_taken m2 ada.c@x.com"}},
	}, {
		name:     "a duplicate address under another id keeps the account of that id, the earlier record's",
		export:   oktaRows(`"00uC","ACTIVE","Ada","C","ADA@x.com"`, `"00uA","ACTIVE","Ada","L","ada@x.com"`),
		accounts: []Account{member("m1", "00uA", "ada@x.com", "Ada L"), member("m2", "00uC", "ada.c@x.com", "Ada C")},
		want:     outcome{Skipped: []string{"email_taken m2 ada@x.com", "duplicate - ada@x.com", "kept m1 ada@x.com"}}, // in file order
	}, {
		name: "a gone record with an account's old address does not take it from a skipped record of its id",
		export: "userPrincipalName,mail,objectId,accountEnabled\n" +
			"jane_partner.com#EXT#@contoso.onmicrosoft.com,,G1,True\n" +
			"old_partner.com#EXT#@contoso.onmicrosoft.com,jane@partner.com,G2,False\n" +
			"bob@contoso.com,bob@contoso.com,B1,True\n",
		accounts: []Account{member("m1", "G1", "jane@partner.com", ""), member("m2", "B1", "bob@contoso.com", "")},
		want:     outcome{Skipped: []string{"no_email - ", "gone - jane@partner.com", "kept m1 jane@partner.com"}},
	}, {
		name: "a reused address does not hand over the account of a suspended id",
		export: oktaRows(`"00uOLD","SUSPENDED","John","Smith","john.smith.old@x.com"`,
			`"00uNEW","ACTIVE","John","Smithers","john.smith@x.com"`, `"00uB","ACTIVE","B","B","b@x.com"`),
		accounts: []Account{member("m1", "00uOLD", "john.smith@x.com", "John Smith"), member("m2", "00uB", "b@x.com", "B B")},
		want: outcome{Actions: []string{"deactivate m1 john.smith@x.com: gone from the identity provider (row 1)"},
			Skipped: []string{"email_taken - john.smith@x.com"}},
	}, {
		name:     "an address is not paired across two external ids",
		export:   oktaRows(`"00uNEW","ACTIVE","Ada","L","ada@x.com"`, `"00uB","ACTIVE","B","B","b@x.com"`),
		accounts: []Account{member("m1", "00uOLD", "ada@x.com", "Ada L"), member("m2", "00uB", "b@x.com", "B B")},
		want: outcome{Actions: []string{"deactivate m1 ada@x.com: not in the export"},
			Skipped: []string{"email_taken - ada@x.com"}},
	}, {
		name: "a suspended record superseded by an active one removes its own account, as gone",
		export: oktaRows(`"00u4","SUSPENDED","Sam","Old","sam@x.com"`, `"00u5","ACTIVE","Sam","New","sam@x.com"`,
			`"00uB","ACTIVE","B","B","b@x.com"`),
		accounts: []Account{member("m1", "00u4", "sam@x.com", "Sam Old"), member("m2", "00uB", "b@x.com", "B B")},
		want: outcome{Actions: []string{"deactivate m1 sam@x.com: gone from the identity provider " +
			"(row 1, skipped: superseded by row 2: an active record with the same email)"},
			Skipped: []string{"duplicate - sam@x.com", "email_taken - sam@x.com"}},
	}, {
		name:     "a malformed row that names nobody spares everyone absent",
		export:   "First Name,Last Name,Email Address,Status\nJohn, Jr.,Smith,john@x.com,Active\nAmy,Lee,amy@x.com,Active\n",
		accounts: []Account{member("m1", "", "john@x.com", "John Smith"), member("m2", "", "amy@x.com", "Amy Lee")},
		want:     outcome{Skipped: []string{"malformed_row - Smith", "kept m1 john@x.com"}, Suppressed: true},
	}, {
		name: "a malformed row naming someone the export has elsewhere is not tied to them",
		export: oktaRows(`"00uA","ACTIVE","Ada","L","ada@x.com"`, `"00uA","ACTIVE","Extra","Ada","L","ada@x.com"`,
			`"00uB","ACTIVE","B","B","b@x.com"`),
		accounts: []Account{member("m1", "00uA", "ada@x.com", "Ada L"), member("m2", "00uB", "b@x.com", "B B"),
			member("m3", "00uZ", "zed@x.com", "Zed")},
		want: outcome{Skipped: []string{"malformed_row - L", "kept m3 zed@x.com"}, Suppressed: true},
	}, {
		name: "a malformed row tied to its account keeps it, and the absent are removed",
		export: oktaRows(`"00uA","ACTIVE","Ada","L","ada@x.com"`, `"00uZ","ACTIVE","Zed","Z","Z","zed@x.com"`,
			`"00uB","ACTIVE","B","B","b@x.com"`),
		accounts: []Account{member("m1", "00uA", "ada@x.com", "Ada L"), member("m2", "00uB", "b@x.com", "B B"),
			member("m3", "00uZ", "zed@x.com", "Zed"), member("m4", "00uY", "yo@x.com", "Yo")},
		want: outcome{Actions: []string{"deactivate m4 yo@x.com: not in the export"},
			Skipped: []string{"malformed_row - Z", "kept m3 zed@x.com"}},
	}, {
		name:   "an address change that is withdrawn keeps the old address from a new person",
		export: oktaRows(`"1","ACTIVE","A","A","y@x.com"`, `"2","ACTIVE","N","N","a@x.com"`),
		accounts: []Account{member("A", "1", "a@x.com", "A A"),
			{Kind: AccountMember, ID: "M", Email: "y@x.com", Active: true}},
		want: outcome{Skipped: []string{"email_taken A y@x.com", "email_taken - a@x.com"}},
	}, {
		name:   "an Entra row cut inside its last field does not reactivate a disabled user",
		export: "userPrincipalName,mail,objectId,accountEnabled\na@x.com,a@x.com,A,True\nd@x.com,d@x.com,D,",
		accounts: []Account{member("m1", "A", "a@x.com", ""),
			{Kind: AccountMember, ID: "m2", ExternalID: "D", Email: "d@x.com", Synced: true, DeactivatedBySync: true}},
		want: outcome{Skipped: []string{"unknown_status - d@x.com", "kept m2 d@x.com"}},
	}, {
		name:   "a Google row cut inside its last field does not reactivate a suspended user",
		export: "First Name [Required],Last Name [Required],Email Address [Required],Status [READ ONLY]\nA,A,a@x.com,Active\nD,D,d@x.com,",
		accounts: []Account{member("m1", "", "a@x.com", "A A"),
			{Kind: AccountMember, ID: "m2", Email: "d@x.com", Name: "D D", Synced: true, DeactivatedBySync: true}},
		want: outcome{Skipped: []string{"unknown_status - d@x.com", "kept m2 d@x.com"}},
	}, {
		name:     "two synced admins absent: the last active admin stays",
		export:   oktaRows(`"x","ACTIVE","X","X","x@x.com"`),
		accounts: []Account{admin("m1", "a1", "a1@x.com"), admin("m2", "a2", "a2@x.com"), member("m3", "x", "x@x.com", "X X")},
		want: outcome{Actions: []string{"deactivate m1 a1@x.com: not in the export"},
			Skipped: []string{"last_admin m2 a2@x.com"}},
	}, {
		name:   "two synced admins absent while an admin sync does not manage stays",
		export: oktaRows(`"x","ACTIVE","X","X","x@x.com"`),
		accounts: []Account{admin("m1", "a1", "a1@x.com"), admin("m2", "a2", "a2@x.com"), member("m3", "x", "x@x.com", "X X"),
			{Kind: AccountMember, ID: "own", Email: "own@x.com", Active: true, Admin: true}},
		want: outcome{Actions: []string{"deactivate m1 a1@x.com: not in the export", "deactivate m2 a2@x.com: not in the export"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(FormatAuto, strings.NewReader(tt.export))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := NewPlan(s, tt.accounts, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, plan)
			if diff := cmp.Diff(tt.want, outcomeOf(plan), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
