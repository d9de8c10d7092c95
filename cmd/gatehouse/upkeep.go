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
	fs := newFlags("upkeep expiries", "[--table TABLE]",
		`Reads the whole table once and makes every pending invitation stored before expiries were
announced (before this release) due at its expiry, so its invitation.expired audit entry
and webhook event follow like everyone's; those already expired are left alone. Safe to run
again, and alongside a running deployment.`)
	table := fs.String("table", getenv("TABLE_NAME"), "DynamoDB table (default $TABLE_NAME)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *table == "" {
		return usagef("upkeep expiries", "upkeep expiries needs --table (or TABLE_NAME)")
	}
	store, err := openStore(ctx, *table, getenv)
	if err != nil {
		return err
	}
	n, err := store.Invitations.BackfillExpiries(ctx, time.Now())
	fmt.Fprintf(stdout, "%d pending invitations made due at their expiry\n", n)
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
