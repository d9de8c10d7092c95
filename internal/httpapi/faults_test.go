package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
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

// wantTrue checks an answer under faults: a success, or a 503 temporarily_unavailable with
// Retry-After — never a 500.
func wantTrue(t *testing.T, what string, r response, ok ...int) bool {
	t.Helper()
	for _, s := range ok {
		if r.status == s {
			return true
		}
	}
	if r.status != http.StatusServiceUnavailable || r.body["code"] != "temporarily_unavailable" || r.header.Get("Retry-After") == "" {
		t.Errorf("%s answered %d %s, want %v or 503 temporarily_unavailable with Retry-After", what, r.status, r.raw, ok)
	}
	return false
}

var faults = []dynamotest.Fault{dynamotest.Throttle, dynamotest.ServerError, dynamotest.Refuse, dynamotest.TimeoutAfter, dynamotest.ResetAfter}

func TestEveryAnswerIsTrueUnderFaults(t *testing.T) {
	for _, fault := range faults {
		t.Run(fault.String(), func(t *testing.T) {
			s := newServer(t)
			env := s.env
			// Each operation's writes meet the fault, more times than the SDK retries.
			hit := func(ops ...string) { env.Inject(dynamotest.First(6, fault, ops...)) }
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

			// Invite: created means stored; refused means not stored, or stored once (when
			// the write was applied and its answer lost), and a retry says so.
			hit("TransactWriteItems")
			r := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
			calm()
			_, stored := pending("ada@acme.com")
			switch created := wantTrue(t, "invite", r, http.StatusCreated); {
			case created && !stored:
				t.Errorf("invite answered 201 but nothing is stored")
			case !created && stored && fault != dynamotest.TimeoutAfter && fault != dynamotest.ResetAfter:
				t.Errorf("invite answered %d but the invitation is stored, under a fault that never reaches DynamoDB", r.status)
			case !created && (fault == dynamotest.TimeoutAfter || fault == dynamotest.ResetAfter):
				// The write was applied and its answers lost: sent again with its client
				// token, it settles as the success it was.
				t.Errorf("invite answered %d %s; an applied write whose answer was lost must be settled", r.status, r.raw)
			}
			again := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
			if stored && (again.status != http.StatusConflict || again.body["code"] != "already_invited") {
				t.Errorf("inviting again: %d %s", again.status, again.raw)
			}
			inv, ok := pending("ada@acme.com")
			if !ok {
				t.Fatalf("no invitation for ada after the retry")
			}

			// Resend, then revoke, each under the fault.
			hit("TransactWriteItems", "UpdateItem", "PutItem")
			wantTrue(t, "resend", s.do(http.MethodPost, "/api/v1/invitations/"+inv.ID+"/resend", "acme/admin", nil), http.StatusOK)
			calm()
			s.verify(t, "acme")

			// Token create.
			hit("TransactWriteItems")
			tok := s.do(http.MethodPost, "/api/v1/tokens", "acme/admin", map[string]any{"name": "ci", "role": "viewer"})
			calm()
			if wantTrue(t, "token create", tok, http.StatusCreated) {
				s.tokens["acme/ci"] = tok.body["token"].(string)
				if r := s.do(http.MethodGet, "/api/v1/users", "acme/ci", nil); r.status != http.StatusOK {
					t.Errorf("the token answered 201 does not work: %d", r.status)
				}
			}

			// Accept, then role change and deactivate of the new member.
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
			if !wantTrue(t, "accept", acc, http.StatusOK, http.StatusCreated) {
				// The link still works, or the acceptance was applied: either way once.
				acc = s.do(http.MethodPost, "/api/v1/invitations/accept", "", map[string]any{"token": link.Token})
				if acc.status != http.StatusOK && acc.status != http.StatusCreated && acc.body["code"] != "invitation_accepted" {
					t.Fatalf("accepting again: %d %s", acc.status, acc.raw)
				}
			}
			members := s.do(http.MethodGet, "/api/v1/users?limit=100", "acme/admin", nil).body["items"].([]any)
			var memberID string
			for _, m := range members {
				if m.(map[string]any)["email"] == "ada@acme.com" {
					memberID = m.(map[string]any)["id"].(string)
				}
			}
			if memberID == "" {
				t.Fatalf("ada is not a member: %v", members)
			}
			hit("TransactWriteItems", "UpdateItem")
			wantTrue(t, "role change", s.do(http.MethodPatch, "/api/v1/users/"+memberID, "acme/admin", map[string]any{"role": "viewer"}), http.StatusOK)
			hit("TransactWriteItems", "UpdateItem")
			wantTrue(t, "deactivate", s.do(http.MethodDelete, "/api/v1/users/"+memberID, "acme/admin", nil), http.StatusOK)
			calm()

			// Reads meet the fault too: a list is a 503, never a 500.
			hit("Query", "GetItem")
			wantTrue(t, "list", s.do(http.MethodGet, "/api/v1/invitations", "acme/admin", nil), http.StatusOK)
			calm()
			s.verify(t, "acme")
		})
	}
}

func TestBulkRowsAreReportedAsStoredUnderFaults(t *testing.T) {
	for _, fault := range faults {
		t.Run(fault.String(), func(t *testing.T) {
			s := newServer(t)
			rows := make([]any, 200)
			for i := range rows {
				rows[i] = map[string]any{"email": fmt.Sprintf("p%03d@acme.com", i), "sendEmail": i%2 == 0}
			}
			// Every third transaction meets the fault, each more often than the SDK retries.
			s.env.Inject(dynamotest.Every(3, fault, "TransactWriteItems"))
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
			if !strings.Contains(string(r.raw), `"status":"created"`) {
				t.Errorf("no row was created under %s: %s", fault, r.raw[:min(len(r.raw), 500)])
			}
			s.verify(t, "acme")
		})
	}
}
