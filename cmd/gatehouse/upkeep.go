package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"gatehouse/internal/awsconfig"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
)

// runUpkeepExpiries puts the live pending invitations an older release stored into the
// expiry index, so that their expiry is announced (invitation.expired) like everyone's.
func runUpkeepExpiries(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runUpkeep(ctx, "upkeep expiries", `Reads the whole table once and makes every pending invitation stored before expiries were
announced (before this release) due at its expiry, so its invitation.expired audit entry
and webhook event follow like everyone's; those already expired are left alone. Safe to run
again, and alongside a running deployment.`, "%d pending invitations made due at their expiry\n",
		func(ctx context.Context, s *dynamo.Store) (int, error) {
			return s.Invitations.BackfillExpiries(ctx, time.Now())
		},
		args, getenv, stdout)
}

// runUpkeepSearchNames gives the invitations an older release stored the folded name that
// searches compare with, so that they are found by name in any case like everyone's.
func runUpkeepSearchNames(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runUpkeep(ctx, "upkeep search-names", `Reads the whole table once and gives every invitation stored before names were searched in
any case (before this release) its name in the form searches compare with, so that the
Settings page and GET /api/v1/invitations?q= find it by name. Safe to run again, and
alongside a running deployment.`, "%d invitations given the folded name searches compare with\n",
		func(ctx context.Context, s *dynamo.Store) (int, error) { return s.Invitations.BackfillSearchNames(ctx) },
		args, getenv, stdout)
}

// runUpkeep runs the one-off upkeep name describes (help) over the table of --table or
// $TABLE_NAME, and prints how many items it changed (done, a format of that count).
func runUpkeep(ctx context.Context, name, help, done string, upkeep func(context.Context, *dynamo.Store) (int, error),
	args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags(name, "[--table TABLE]", help)
	table := fs.String("table", getenv("TABLE_NAME"), "DynamoDB table (default $TABLE_NAME)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *table == "" {
		return usagef(name, "%s needs --table (or TABLE_NAME)", name)
	}
	store, err := openStore(ctx, *table, getenv)
	if err != nil {
		return err
	}
	n, err := upkeep(ctx, store)
	fmt.Fprintf(stdout, done, n)
	return err
}

// openStore is the store over table, reached as the environment (getenv) says: the AWS
// account's DynamoDB, or DYNAMODB_ENDPOINT's.
func openStore(ctx context.Context, table string, getenv func(string) string) (*dynamo.Store, error) {
	cfg, err := env.LoadCommon(func(k string) string {
		if k == "TABLE_NAME" {
			return table
		}
		return getenv(k)
	})
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.Load(ctx, cfg.AWS)
	if err != nil {
		return nil, err
	}
	return dynamo.New(dynamo.NewClient(awsCfg, cfg.Endpoint), cfg.Table), nil
}
