package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// Each upkeep command mends an invitation as an older release stored it (without the
// attributes remove names), says so, finds nothing left to do when run again, and needs a table.
func TestUpkeepMendsWhatAnOlderReleaseStored(t *testing.T) {
	for _, c := range []struct {
		command, remove string
		done            [2]string
		mended          func(ctx context.Context, svc *org.Service, admin org.Principal) bool
	}{
		{"expiries", "REMOVE queue, due", [2]string{"1 pending invitations made due", "0 pending invitations made due"}, nil},
		{"search-names", "REMOVE searchName", [2]string{"1 invitations given the folded name", "0 invitations given the folded name"},
			func(ctx context.Context, svc *org.Service, admin org.Principal) bool {
				page, err := svc.Invitations(ctx, admin, org.InvitationQuery{Search: "LOVELACE"})
				return err == nil && len(page.Items) == 1
			}},
	} {
		t.Run(c.command, func(t *testing.T) {
			t.Parallel() // its own table
			env := dynamotest.New(t)
			getenv := tableAt(env)
			ctx := context.Background()
			svc := org.NewService(env.Store.Org())
			admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
			inv, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "ada@acme.com", Name: "Ada Lovelace"})
			if err != nil {
				t.Fatal(err)
			}
			table := env.Store.Table()
			_, err = env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, UpdateExpression: aws.String(c.remove),
				Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "INV#" + inv.Invitation.ID}}})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range c.done {
				var stdout bytes.Buffer
				if err := run(ctx, []string{"upkeep", c.command, "--table", table}, getenv, &stdout, &stdout); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("run %d: %q, want %q", i+1, stdout.String(), want)
				}
			}
			if c.mended != nil && !c.mended(ctx, svc, admin) {
				t.Error("the invitation is not as this release stores it after the upkeep")
			}
			err = run(ctx, []string{"upkeep", c.command}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), "--table") {
				t.Errorf("without a table: %v", err)
			}
		})
	}
}
