package orgtest

import (
	"context"
	"testing"

	"gatehouse/internal/org"
)

// Seed creates organization orgID (named name) and an admin API token for it, returning the
// token's principal and secret.
func Seed(tb testing.TB, svc *org.Service, orgID, name string) (org.Principal, string) {
	tb.Helper()
	ctx := context.Background()
	actor := org.Actor{Type: "cli", ID: "test"}
	if _, err := svc.CreateOrg(ctx, actor, org.SourceCLI, org.NewOrg{ID: orgID, Name: name}); err != nil {
		tb.Fatalf("create organization %s: %v", orgID, err)
	}
	nt, err := svc.BootstrapToken(ctx, orgID, actor, name+" admin", "admin")
	if err != nil {
		tb.Fatalf("create token for %s: %v", orgID, err)
	}
	p, err := svc.Authenticate(ctx, nt.Secret, org.SourceAPI)
	if err != nil {
		tb.Fatalf("authenticate %s token: %v", orgID, err)
	}
	return p, nt.Secret
}
