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

func TestUpkeepExpiriesIndexesWhatAnOlderReleaseStored(t *testing.T) {
	t.Parallel() // its own table
	env := dynamotest.New(t)
	getenv := func(k string) string {
		if k == "DYNAMODB_ENDPOINT" {
			return env.Endpoint
		}
		return ""
	}
	ctx := context.Background()
	svc := org.NewService(env.Store.Org())
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	c, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "ada@acme.com", Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	table := env.Store.Table()
	_, err = env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, UpdateExpression: aws.String("REMOVE queue, due"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "INV#" + c.Invitation.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1 pending invitations made due", "0 pending invitations made due"} {
		var stdout bytes.Buffer
		if err := run(ctx, []string{"upkeep", "expiries", "--table", table}, getenv, &stdout, &stdout); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("run %d: %q, want %q", i+1, stdout.String(), want)
		}
	}
	if err := run(ctx, []string{"upkeep", "expiries"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--table") {
		t.Errorf("without a table: %v", err)
	}
}

func TestUpkeepSearchNamesFoldsWhatAnOlderReleaseStored(t *testing.T) {
	t.Parallel() // its own table
	env := dynamotest.New(t)
	getenv := func(k string) string {
		if k == "DYNAMODB_ENDPOINT" {
			return env.Endpoint
		}
		return ""
	}
	ctx := context.Background()
	svc := org.NewService(env.Store.Org())
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	c, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "ada@acme.com", Name: "Ada Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	table := env.Store.Table()
	_, err = env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, UpdateExpression: aws.String("REMOVE searchName"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "INV#" + c.Invitation.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1 invitations made searchable by name", "0 invitations made searchable by name"} {
		var stdout bytes.Buffer
		if err := run(ctx, []string{"upkeep", "search-names", "--table", table}, getenv, &stdout, &stdout); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("run %d: %q, want %q", i+1, stdout.String(), want)
		}
	}
	page, err := svc.Invitations(ctx, admin, org.InvitationQuery{Search: "LOVELACE"})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("search by name after the upkeep: %v, %v; want Ada", page.Items, err)
	}
	if err := run(ctx, []string{"upkeep", "search-names"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--table") {
		t.Errorf("without a table: %v", err)
	}
}
