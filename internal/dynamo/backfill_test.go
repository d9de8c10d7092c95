package dynamo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/org"
)

// racing is a table whose first Scan answer is followed, before the backfill writes, by a
// change (after); limit, when set, makes every Scan page that small.
type racing struct {
	dynamo.API
	after func()
	scans int
	limit *int32
}

func (r *racing) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if r.limit != nil {
		in.Limit = r.limit
	}
	out, err := r.API.Scan(ctx, in, opts...)
	r.scans++
	if r.after != nil {
		r.after()
		r.after = nil
	}
	return out, err
}

// The search-name backfill writes only what is still true when it writes: an invitation
// renamed, or deleted, between the scan and the write is left as that change made it; one
// revoked, resent or accepted meanwhile still gets its folded name.
func TestSearchNameBackfillLeavesWhatChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	type step struct {
		name     string
		invName  string
		prep     func(f *fixture, id string, c org.Created) // before the backfill: as an older release left it
		race     func(f *fixture, id string, c org.Created) // between the scan and the write
		wantN    int
		wantSN   *string // nil: attribute absent
		wantItem bool
	}
	s := func(v string) *string { return &v }
	table := func(f *fixture) string { return f.env.Store.Table() }
	key := func(id string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "INV#" + id}}
	}
	upd := func(f *fixture, id, expr string, vals map[string]types.AttributeValue) {
		tb := table(f)
		in := &dynamodb.UpdateItemInput{TableName: &tb, Key: key(id), UpdateExpression: aws.String(expr), ExpressionAttributeValues: vals}
		if strings.Contains(expr, "#n") {
			in.ExpressionAttributeNames = map[string]string{"#n": "name"}
		}
		if _, err := f.env.Client.UpdateItem(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	cases := []step{
		{name: "no race", invName: "Ada Lovelace", wantN: 1, wantSN: s("ada lovelace"), wantItem: true},
		{name: "rename now", invName: "Ada Lovelace", race: func(f *fixture, id string, c org.Created) {
			if _, err := f.svc.RenameInvitation(ctx, f.admin, id, "Robert", ""); err != nil {
				t.Fatal(err)
			}
		}, wantN: 0, wantSN: s("robert"), wantItem: true},
		{name: "rename to empty now", invName: "Ada Lovelace", race: func(f *fixture, id string, c org.Created) {
			if _, err := f.svc.RenameInvitation(ctx, f.admin, id, "", ""); err != nil {
				t.Fatal(err)
			}
		}, wantN: 0, wantSN: s(""), wantItem: true},
		{name: "empty, renamed now", invName: "", race: func(f *fixture, id string, c org.Created) {
			if _, err := f.svc.RenameInvitation(ctx, f.admin, id, "Zed", ""); err != nil {
				t.Fatal(err)
			}
		}, wantN: 0, wantSN: s("zed"), wantItem: true},
		{name: "old release stored name empty string", invName: "Ada", prep: func(f *fixture, id string, c org.Created) {
			upd(f, id, "SET #n = :e", map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{Value: ""}})
		}, wantN: 1, wantSN: s(""), wantItem: true},
		{name: "old release renames meanwhile", invName: "Ada", race: func(f *fixture, id string, c org.Created) {
			upd(f, id, "SET #n = :e", map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{Value: "Other"}})
		}, wantN: 0, wantSN: nil, wantItem: true},
		{name: "old release renames empty to X meanwhile", invName: "", race: func(f *fixture, id string, c org.Created) {
			upd(f, id, "SET #n = :e", map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{Value: "Other"}})
		}, wantN: 0, wantSN: nil, wantItem: true},
		{name: "revoked meanwhile", invName: "Ada", race: func(f *fixture, id string, c org.Created) {
			if _, err := f.svc.Revoke(ctx, f.admin, id); err != nil {
				t.Fatal(err)
			}
		}, wantN: 1, wantSN: s("ada"), wantItem: true},
		{name: "resent meanwhile", invName: "Ada", race: func(f *fixture, id string, c org.Created) {
			f.clock.Add(time.Hour)
			if _, err := f.svc.Resend(ctx, f.admin, id); err != nil {
				t.Fatal(err)
			}
		}, wantN: 1, wantSN: s("ada"), wantItem: true},
		{name: "accepted meanwhile", invName: "Ada", race: func(f *fixture, id string, c org.Created) {
			if _, err := f.svc.Accept(ctx, org.SourceAPI, c.Token, "Ada"); err != nil {
				t.Fatal(err)
			}
		}, wantN: 1, wantSN: s("ada"), wantItem: true},
		{name: "named, deleted meanwhile", invName: "Ada", race: func(f *fixture, id string, c org.Created) {
			tb := table(f)
			if _, err := f.env.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &tb, Key: key(id)}); err != nil {
				t.Fatal(err)
			}
		}, wantN: 0, wantItem: false},
		{name: "nameless, deleted meanwhile", invName: "", race: func(f *fixture, id string, c org.Created) {
			tb := table(f)
			if _, err := f.env.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &tb, Key: key(id)}); err != nil {
				t.Fatal(err)
			}
		}, wantN: 0, wantItem: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, "acme")
			cr, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "ada@example.com", Name: c.invName, SendEmail: noEmail()})
			if err != nil {
				t.Fatal(err)
			}
			id := cr.Invitation.ID
			tb := table(f)
			if _, err := f.env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &tb, Key: key(id), UpdateExpression: aws.String("REMOVE searchName")}); err != nil {
				t.Fatal(err)
			}
			if c.prep != nil {
				c.prep(f, id, cr)
			}
			r := &racing{API: f.env.Client}
			if c.race != nil {
				r.after = func() { c.race(f, id, cr) }
			}
			st := dynamo.New(r, tb)
			n, err := st.Invitations.BackfillSearchNames(ctx)
			if err != nil || n != c.wantN {
				t.Errorf("backfill = %d, %v; want %d", n, err, c.wantN)
			}
			got, err := f.env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &tb, Key: key(id), ConsistentRead: aws.Bool(true)})
			if err != nil {
				t.Fatal(err)
			}
			if (got.Item != nil) != c.wantItem {
				t.Errorf("item exists = %v, want %v: %v", got.Item != nil, c.wantItem, got.Item)
			}
			if got.Item == nil {
				return
			}
			sn, ok := got.Item["searchName"].(*types.AttributeValueMemberS)
			switch {
			case c.wantSN == nil && ok:
				t.Errorf("searchName = %q, want none", sn.Value)
			case c.wantSN != nil && (!ok || sn.Value != *c.wantSN):
				t.Errorf("searchName = %v, want %q", got.Item["searchName"], *c.wantSN)
			}
		})
	}
}

// The backfill reads every page of the scan: with two items a page it still reaches all seven
// invitations.
func TestSearchNameBackfillReadsEveryPage(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "acme")
	tb := f.env.Store.Table()
	var ids []string
	for i := range 7 {
		cr, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: string(rune('a'+i)) + "@example.com", Name: "N " + string(rune('A'+i)), SendEmail: noEmail()})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cr.Invitation.ID)
		f.clock.Add(time.Millisecond)
	}
	for _, id := range ids {
		if _, err := f.env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &tb, UpdateExpression: aws.String("REMOVE searchName"),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "INV#" + id}}}); err != nil {
			t.Fatal(err)
		}
	}
	lim := int32(2)
	r := &racing{API: f.env.Client, limit: &lim}
	n, err := dynamo.New(r, tb).Invitations.BackfillSearchNames(ctx)
	if err != nil || n != 7 {
		t.Errorf("backfill = %d, %v; want 7 (scans %d)", n, err, r.scans)
	}
	if r.scans < 4 {
		t.Errorf("%d scans of two items a page for seven invitations", r.scans)
	}
}
