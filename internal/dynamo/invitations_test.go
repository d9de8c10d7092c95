package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
)

// Invitations are packed into transactions by the writes each makes, never past DynamoDB's
// 100 actions: those that announce a SCIM provisioning and are emailed make seven.
func TestInvitationsArePackedByTheirWrites(t *testing.T) {
	env := dynamotest.New(t)
	svc := org.NewService(env.Store.Org())
	ctx := context.Background()
	if _, err := svc.CreateOrg(ctx, org.Actor{Type: "cli", ID: "test"}, org.SourceCLI, org.NewOrg{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	invite := func(i int, emailed bool, also string) org.NewInvitation {
		inv := org.Invitation{ID: fmt.Sprintf("inv_%04d", i), OrgID: "acme", Email: fmt.Sprintf("p%d@x.io", i), Role: org.RoleMember,
			Status: org.StatusPending, Source: org.SourceSCIM, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour), SendEmail: emailed}
		w := org.NewInvitation{Invitation: inv, Audit: org.AuditEntry{ID: fmt.Sprintf("A%04d", i), OrgID: "acme", At: now, Action: org.ActionInvited,
			Actor: org.Actor{Type: "scim", ID: "scim"}, Source: org.SourceSCIM, TargetType: "invitation", TargetID: inv.ID, Also: also}}
		if emailed {
			w.Email = &org.QueuedEmail{Due: now, Sends: org.SendHistory{Version: 1, Times: []time.Time{now}}}
		}
		return w
	}
	for _, emailed := range []bool{false, true} {
		for _, also := range []string{"", org.AnnounceProvisioned} {
			counted, added := dynamo.InvitationActions(env.Store, invite(0, emailed, also))
			if counted != added {
				t.Errorf("emailed %v, announcing %q: counted %d writes, createInvitation adds %d", emailed, also, counted, added)
			}
		}
	}
	invs := make([]org.NewInvitation, 30) // three transactions of up to 14
	for i := range invs {
		invs[i] = invite(i, true, org.AnnounceProvisioned)
	}
	for i, err := range env.Store.Invitations.CreateInvitations(ctx, invs) {
		if err != nil {
			t.Fatalf("invitation %d of 30 that make seven writes each: %v", i, err)
		}
	}
}
