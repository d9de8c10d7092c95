package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/org"
)

// invitationKey is the key of invitation id of acme, the fixtures' organization.
func invitationKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "INV#" + id}}
}

// rawUpdate changes invitation id of acme underneath the store, as an older release would
// have written it: expr may name the name attribute #n, and use values.
func (f *fixture) rawUpdate(t *testing.T, id, expr string, values map[string]types.AttributeValue) {
	t.Helper()
	table := f.env.Store.Table()
	in := &dynamodb.UpdateItemInput{TableName: &table, Key: invitationKey(id), UpdateExpression: aws.String(expr), ExpressionAttributeValues: values}
	if values != nil {
		in.ExpressionAttributeNames = map[string]string{"#n": "name"}
	}
	if _, err := f.env.Client.UpdateItem(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// olderInvitations invites each of people (address, name), a millisecond apart, and takes
// their searchName away, as a release before it stored them; it returns their ids.
func (f *fixture) olderInvitations(t *testing.T, people ...[2]string) []string {
	t.Helper()
	var ids []string
	for _, p := range people {
		c, err := f.svc.Invite(context.Background(), f.admin, org.InviteRequest{Email: p[0], Name: p[1], SendEmail: noEmail()})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.Invitation.ID)
		f.rawUpdate(t, c.Invitation.ID, "REMOVE searchName", nil)
		f.clock.Add(time.Millisecond)
	}
	return ids
}

// racing is a table whose first Scan answer is followed, before the backfill writes, by a
// change (after); limit, when not 0, makes every Scan page that small.
type racing struct {
	dynamo.API
	after func()
	scans int
	limit int32
}

func (r *racing) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if r.limit != 0 {
		in.Limit = aws.Int32(r.limit)
	}
	out, err := r.API.Scan(ctx, in, opts...)
	r.scans++
	if r.after != nil {
		r.after()
		r.after = nil
	}
	return out, err
}

// Invitations an older release stored without a searchName are found by name, in any case,
// once the backfill has given them one; a second run has nothing left to do, and one renamed
// meanwhile keeps the name its rename folded.
func TestBackfillGivesOlderInvitationsTheirSearchNames(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	ids := f.olderInvitations(t, [2]string{"ada@example.com", "Ada Lovelace"}, [2]string{"nameless@example.com", ""}, [2]string{"bob@example.com", "Bob Byte"})
	found := func(q string) []string {
		t.Helper()
		page, err := f.svc.Invitations(ctx, f.admin, org.InvitationQuery{Search: q})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, inv := range page.Items {
			got = append(got, inv.ID)
		}
		return got
	}
	if got := found("lovelace"); len(got) != 0 {
		t.Fatalf("before the backfill %v were found by name; the fixture did not take searchName away", got)
	}
	if _, err := f.svc.RenameInvitation(ctx, f.admin, ids[2], "Robert Byte", ""); err != nil {
		t.Fatal(err)
	}
	n, err := f.env.Store.Invitations.BackfillSearchNames(ctx)
	if err != nil || n != 2 {
		t.Fatalf("backfill = %d, %v; want the two invitations without a searchName", n, err)
	}
	if n, err := f.env.Store.Invitations.BackfillSearchNames(ctx); err != nil || n != 0 {
		t.Errorf("a second backfill = %d, %v; want nothing more", n, err)
	}
	for q, want := range map[string][]string{"LOVELACE": {ids[0]}, "robert": {ids[2]}, "bob@": {ids[2]}, "nameless@": {ids[1]}, "byte": {ids[2]}} {
		if got := found(q); !cmp.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
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
	setName := func(f *fixture, id, name string) {
		f.rawUpdate(t, id, "SET #n = :n", map[string]types.AttributeValue{":n": &types.AttributeValueMemberS{Value: name}})
	}
	remove := func(f *fixture, id string) {
		table := f.env.Store.Table()
		if _, err := f.env.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: invitationKey(id)}); err != nil {
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
			setName(f, id, "")
		}, wantN: 1, wantSN: s(""), wantItem: true},
		{name: "old release renames meanwhile", invName: "Ada", race: func(f *fixture, id string, c org.Created) {
			setName(f, id, "Other")
		}, wantN: 0, wantSN: nil, wantItem: true},
		{name: "old release renames empty to X meanwhile", invName: "", race: func(f *fixture, id string, c org.Created) {
			setName(f, id, "Other")
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
		{name: "named, deleted meanwhile", invName: "Ada", race: func(f *fixture, id string, c org.Created) { remove(f, id) }, wantN: 0, wantItem: false},
		{name: "nameless, deleted meanwhile", invName: "", race: func(f *fixture, id string, c org.Created) { remove(f, id) }, wantN: 0, wantItem: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, "acme")
			cr, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "ada@example.com", Name: c.invName, SendEmail: noEmail()})
			if err != nil {
				t.Fatal(err)
			}
			id := cr.Invitation.ID
			f.rawUpdate(t, id, "REMOVE searchName", nil)
			if c.prep != nil {
				c.prep(f, id, cr)
			}
			r := &racing{API: f.env.Client}
			if c.race != nil {
				r.after = func() { c.race(f, id, cr) }
			}
			tb := f.env.Store.Table()
			st := dynamo.New(r, tb)
			n, err := st.Invitations.BackfillSearchNames(ctx)
			if err != nil || n != c.wantN {
				t.Errorf("backfill = %d, %v; want %d", n, err, c.wantN)
			}
			got, err := f.env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &tb, Key: invitationKey(id), ConsistentRead: aws.Bool(true)})
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
	var people [][2]string
	for i := range 7 {
		people = append(people, [2]string{string(rune('a'+i)) + "@example.com", "N " + string(rune('A'+i))})
	}
	f.olderInvitations(t, people...)
	r := &racing{API: f.env.Client, limit: 2}
	n, err := dynamo.New(r, tb).Invitations.BackfillSearchNames(ctx)
	if err != nil || n != 7 {
		t.Errorf("backfill = %d, %v; want 7 (scans %d)", n, err, r.scans)
	}
	if r.scans < 4 {
		t.Errorf("%d scans of two items a page for seven invitations", r.scans)
	}
}
