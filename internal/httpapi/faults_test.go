package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
)

// The fault-injection suite: each public operation meets each fault DynamoDB can have —
// throttling, a 500, a refused connection, and a write that was applied but whose answer
// was lost (a timeout, a reset connection) — and afterwards the answer must match what is
// stored, and the organization must keep every promise Store.Verify checks.

// verify fails the test for each broken promise of organization orgID.
func (s *server) verify(t *testing.T, orgID string) {
	t.Helper()
	problems, err := s.store.Verify(context.Background(), orgID, s.clock.Now())
	if err != nil {
		t.Fatalf("verify %s: %v", orgID, err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", orgID, p)
	}
}

// wantTrue checks an answer under faults: one of ok, or a 503 (temporarily_unavailable,
// or outcome_unknown when the write may have been applied) with Retry-After — never a 500.
// It reports whether the answer was one of ok.
func wantTrue(t *testing.T, what string, r response, ok ...int) bool {
	t.Helper()
	for _, s := range ok {
		if r.status == s {
			return true
		}
	}
	code := r.body["code"]
	if r.status != http.StatusServiceUnavailable || (code != "temporarily_unavailable" && code != "outcome_unknown") || r.header.Get("Retry-After") == "" {
		t.Errorf("%s answered %d %s, want %v or a 503 with Retry-After", what, r.status, r.raw, ok)
	}
	return false
}

var faults = []dynamotest.Fault{dynamotest.Throttle, dynamotest.ServerError, dynamotest.Refuse, dynamotest.TimeoutAfter, dynamotest.ResetAfter}

// reaches reports whether fault lets a write reach DynamoDB and be applied.
func reaches(f dynamotest.Fault) bool {
	return f == dynamotest.TimeoutAfter || f == dynamotest.ResetAfter
}

// ambiguous reports whether fault leaves open, as DynamoDB answers it, that a write was
// applied: those that reach it, and a 500, which DynamoDB documents as such.
func ambiguous(f dynamotest.Fault) bool { return reaches(f) || f == dynamotest.ServerError }

func TestEveryAnswerIsTrueUnderFaults(t *testing.T) {
	for _, fault := range faults {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel() // each fault gets a table and a server of its own
			s := newServer(t)
			env := s.env
			// Each operation's writes meet the fault on every try: the SDK's three, five
			// times over. A fault that never reaches DynamoDB must leave nothing stored and
			// answer 503; a write applied whose answers are lost must be settled or said
			// to be unknown.
			hit := func(ops ...string) { env.Inject(dynamotest.First(15, fault, ops...)) }
			calm := func() { env.Inject(nil) }
			pending := func(email string) (org.Invitation, bool) {
				_, invs, err := s.svc.Accounts(context.Background(), org.SyncPrincipal("acme"))
				if err != nil {
					t.Fatal(err)
				}
				for _, inv := range invs {
					if inv.Email == email {
						return inv, true
					}
				}
				return org.Invitation{}, false
			}
			wantOutcome := func(what string, r response, ok int, done bool) {
				t.Helper()
				answered := wantTrue(t, what, r, ok)
				switch {
				case answered && !done:
					t.Errorf("%s answered %d, but it is not stored", what, r.status)
				case !answered && done && !reaches(fault):
					t.Errorf("%s answered %d, but it is stored under a fault that never reaches DynamoDB", what, r.status)
				case !answered && !ambiguous(fault) && r.body["code"] != "temporarily_unavailable":
					t.Errorf("%s answered %v, though DynamoDB refused every try, want temporarily_unavailable", what, r.body["code"])
				}
			}

			// Invite: a chunk of one, settled by reading it back.
			hit("TransactWriteItems")
			r := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
			calm()
			_, stored := pending("ada@acme.com")
			wantOutcome("invite", r, http.StatusCreated, stored)
			if reaches(fault) && r.status != http.StatusCreated {
				t.Errorf("invite answered %d %s; an applied write whose answer was lost must be settled", r.status, r.raw)
			}
			if !stored {
				if r := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false}); r.status != http.StatusCreated {
					t.Fatalf("invite after the faults: %d %s", r.status, r.raw)
				}
			}
			inv, _ := pending("ada@acme.com")

			// Resend: a new link, or none.
			hit("TransactWriteItems", "UpdateItem", "PutItem")
			r = s.do(http.MethodPost, "/api/v1/invitations/"+inv.ID+"/resend", "acme/admin", nil)
			calm()
			after, _ := pending("ada@acme.com")
			wantOutcome("resend", r, http.StatusOK, after.TokenHash != inv.TokenHash)
			s.verify(t, "acme")

			// Revoke another invitation: withdrawn, or not.
			bob := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "sendEmail": false})
			hit("TransactWriteItems", "UpdateItem")
			r = s.do(http.MethodDelete, "/api/v1/invitations/"+bob.body["id"].(string), "acme/admin", nil)
			calm()
			_, still := pending("bob@acme.com")
			wantOutcome("revoke", r, http.StatusOK, !still)
			s.verify(t, "acme")

			// Token create: settled by reading it back, so no second token is made.
			before, _ := s.svc.Tokens(context.Background(), org.SyncPrincipal("acme"))
			hit("TransactWriteItems")
			tok := s.do(http.MethodPost, "/api/v1/tokens", "acme/admin", map[string]any{"name": "ci", "role": "viewer"})
			calm()
			list, _ := s.svc.Tokens(context.Background(), org.SyncPrincipal("acme"))
			wantOutcome("token create", tok, http.StatusCreated, len(list) > len(before))
			if tok.status == http.StatusCreated {
				s.tokens["acme/ci"] = tok.body["token"].(string)
				if r := s.do(http.MethodGet, "/api/v1/users", "acme/ci", nil); r.status != http.StatusOK {
					t.Errorf("the token answered 201 does not work: %d", r.status)
				}
			}

			// Accept: settled by reading the member back.
			admin, err := s.svc.Authenticate(context.Background(), s.tokens["acme/admin"], org.SourceAPI)
			if err != nil {
				t.Fatal(err)
			}
			link, err := s.svc.Resend(context.Background(), admin, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			hit("TransactWriteItems")
			acc := s.do(http.MethodPost, "/api/v1/invitations/accept", "", map[string]any{"token": link.Token})
			calm()
			_, stillPending := pending("ada@acme.com")
			wantOutcome("accept", acc, http.StatusCreated, !stillPending)
			if stillPending {
				if r := s.do(http.MethodPost, "/api/v1/invitations/accept", "", map[string]any{"token": link.Token}); r.status != http.StatusCreated {
					t.Fatalf("accepting after the faults: %d %s", r.status, r.raw)
				}
			}
			member := func() map[string]any {
				for _, m := range s.do(http.MethodGet, "/api/v1/users?limit=100", "acme/admin", nil).body["items"].([]any) {
					if m.(map[string]any)["email"] == "ada@acme.com" {
						return m.(map[string]any)
					}
				}
				t.Fatal("ada is not a member")
				return nil
			}
			id := member()["id"].(string)

			// Role change and deactivation.
			hit("TransactWriteItems", "UpdateItem")
			r = s.do(http.MethodPatch, "/api/v1/users/"+id, "acme/admin", map[string]any{"role": "viewer"})
			calm()
			wantOutcome("role change", r, http.StatusOK, member()["role"] == "viewer")
			hit("TransactWriteItems", "UpdateItem")
			r = s.do(http.MethodDelete, "/api/v1/users/"+id, "acme/admin", nil)
			calm()
			wantOutcome("deactivate", r, http.StatusOK, member()["status"] == "deactivated")

			// Reads meet the fault too: a list is a 503, never a 500.
			hit("Query", "GetItem", "BatchGetItem")
			wantTrue(t, "list", s.do(http.MethodGet, "/api/v1/invitations", "acme/admin", nil), http.StatusOK)
			calm()
			s.verify(t, "acme")
		})
	}
}

func TestBulkRowsAreReportedAsStoredUnderFaults(t *testing.T) {
	for _, fault := range faults {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel() // each fault gets a table and a server of its own
			s := newServer(t)
			rows := make([]any, 200)
			for i := range rows {
				rows[i] = map[string]any{"email": fmt.Sprintf("p%03d@acme.com", i), "sendEmail": i%2 == 0}
			}
			// The transaction of the chunk of row 60 (rows 60 to 79: rows alternately emailed
			// write six items and four, so 20 fill a transaction's 100 actions) meets the fault
			// on every try (the SDK's three, five times over); the other chunks, written
			// alongside, go through.
			s.env.InjectWhere("p060@acme.com", dynamotest.First(15, fault, "TransactWriteItems"))
			r := s.do(http.MethodPost, "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": rows})
			s.env.Inject(nil)
			if r.status != http.StatusOK {
				if wantTrue(t, "bulk", r, http.StatusOK) {
					return
				}
				return
			}
			_, invs, err := s.svc.Accounts(context.Background(), org.SyncPrincipal("acme"))
			if err != nil {
				t.Fatal(err)
			}
			stored := map[string]bool{}
			for _, inv := range invs {
				stored[inv.Email] = true
			}
			created := 0
			for _, raw := range r.body["results"].([]any) {
				row := raw.(map[string]any)
				email := row["email"].(string)
				switch row["status"] {
				case "created":
					created++
					if !stored[email] {
						t.Errorf("%s reported created, not stored", email)
					}
				case "failed":
					code := row["errors"].([]any)[0].(map[string]any)["code"]
					if stored[email] && code != "outcome_unknown" {
						t.Errorf("%s reported failed (%v), but stored", email, code)
					}
				default:
					t.Errorf("%s: status %v", email, row["status"])
				}
			}
			if created != len(stored) {
				t.Errorf("%d rows reported created, %d stored", created, len(stored))
			}
			applied := fault == dynamotest.TimeoutAfter || fault == dynamotest.ResetAfter
			switch {
			case applied && created != len(rows):
				t.Errorf("%d of %d rows created: a chunk applied but unanswered must be settled as created", created, len(rows))
			case !applied && created != len(rows)-20:
				t.Errorf("%d of %d rows created, want all but the failed chunk's 20", created, len(rows))
			}
			if !strings.Contains(string(r.raw), `"status":"created"`) {
				t.Errorf("no row was created under %s: %s", fault, r.raw[:min(len(r.raw), 500)])
			}
			s.verify(t, "acme")
		})
	}
}

func TestSyncAndSCIMAreTrueUnderFaults(t *testing.T) {
	for _, fault := range faults {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel() // each fault gets a table and a server of its own
			s := newServer(t)
			// Sync: a run applied while DynamoDB fails reports each action as it was stored.
			var sb strings.Builder
			sb.WriteString(oktaHeader)
			for i := range 40 {
				fmt.Fprintf(&sb, "\"00u%02d\",\"ACTIVE\",\"p%02d@acme.com\",\"P\",\"%02d\",\"p%02d@acme.com\"\r\n", i, i, i, i)
			}
			path := filepath.Join(s.exports, "group.csv")
			if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			if r := s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"sources": []string{"file://" + path}, "sendEmail": false}); r.status != http.StatusOK {
				t.Fatalf("configure: %d %s", r.status, r.raw)
			}
			s.env.Inject(dynamotest.Burst(2, 30, fault, "TransactWriteItems"))
			run := s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
			s.env.Inject(nil)
			if wantTrue(t, "sync run", run, http.StatusCreated, http.StatusOK) {
				_, invs, err := s.svc.Accounts(context.Background(), org.SyncPrincipal("acme"))
				if err != nil {
					t.Fatal(err)
				}
				stored := map[string]bool{}
				for _, inv := range invs {
					stored[inv.Email] = true
				}
				for _, raw := range run.body["actions"].([]any) {
					a := raw.(map[string]any)
					email, failed := a["email"].(string), a["error"] != nil
					if !failed && !stored[email] {
						t.Errorf("the run reports %s invited, but nothing is stored", email)
					}
				}
			}
			// The next run, with DynamoDB well, completes the plan.
			if r := s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil); r.status >= 500 {
				t.Fatalf("run after the faults: %d %s", r.status, r.raw)
			}
			_, invs, _ := s.svc.Accounts(context.Background(), org.SyncPrincipal("acme"))
			if len(invs) != 40 {
				t.Errorf("%d invitations after the runs, want 40", len(invs))
			}

			// SCIM: a create and a deactivation under the fault.
			s.scimOn(t, "acme", map[string]any{"sendEmail": false, "deactivationHold": map[string]any{"share": 1, "floor": 1000, "windowMinutes": 60}})
			s.env.Inject(dynamotest.First(6, fault, "TransactWriteItems"))
			created := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("grace@acme.com", "grace@acme.com", "Grace", "Hopper"))
			s.env.Inject(nil)
			if created.status != http.StatusCreated && created.status != http.StatusServiceUnavailable {
				t.Errorf("SCIM create answered %d %s", created.status, created.raw)
			}
			// The identity provider retries; the person exists once.
			again := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("grace@acme.com", "grace@acme.com", "Grace", "Hopper"))
			if created.status == http.StatusCreated && again.status != http.StatusConflict {
				t.Errorf("SCIM create again: %d %s", again.status, again.raw)
			}
			found := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "grace@acme.com"`), "acme/scim", nil)
			if found.body["totalResults"] != float64(1) {
				t.Fatalf("grace is there %v times: %s", found.body["totalResults"], found.raw)
			}
			id := found.body["Resources"].([]any)[0].(map[string]any)["id"].(string)
			s.env.Inject(dynamotest.First(6, fault, "TransactWriteItems", "UpdateItem"))
			off := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}}))
			s.env.Inject(nil)
			if off.status != http.StatusOK && off.status != http.StatusServiceUnavailable {
				t.Errorf("SCIM deactivate answered %d %s", off.status, off.raw)
			}
			if r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}})); r.status != http.StatusOK || r.body["active"] != false {
				t.Errorf("SCIM deactivate again: %d %s", r.status, r.raw)
			}
			s.verify(t, "acme")
		})
	}
}
