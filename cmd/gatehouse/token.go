package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"gatehouse/internal/awsconfig"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/org"
)

// runTokenCreate creates an API token in a table, creating the organization first when it
// does not exist yet, and prints the secret (alone, on stdout, for scripts).
func runTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gatehouse token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	orgID := fs.String("org", "", "organization id (created if missing)")
	orgName := fs.String("org-name", "", "organization display name, when it is created")
	role := fs.String("role", "admin", "token role: admin, member or viewer")
	name := fs.String("name", "operator", "token name, to recognise it later")
	table := fs.String("table", getenv("TABLE_NAME"), "DynamoDB table (default $TABLE_NAME)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *orgID == "" || *table == "" {
		return errors.New("token create needs --org and --table (or TABLE_NAME)")
	}
	cfg, err := env.LoadCommon(func(k string) string {
		if k == "TABLE_NAME" {
			return *table
		}
		return getenv(k)
	})
	if err != nil {
		return err
	}
	awsCfg, err := awsconfig.Load(ctx, cfg.AWS)
	if err != nil {
		return err
	}
	svc := org.NewService(dynamo.New(dynamo.NewClient(awsCfg, cfg.Endpoint), cfg.Table).Org())
	actor := org.Actor{Type: "cli", ID: "gatehouse-cli"}
	if _, err := svc.CreateOrg(ctx, actor, org.SourceCLI, org.NewOrg{ID: *orgID, Name: *orgName}); err == nil {
		fmt.Fprintf(stderr, "created organization %s\n", *orgID)
	} else if !errors.Is(err, org.ErrExists) {
		return err
	}
	nt, err := svc.BootstrapToken(ctx, *orgID, actor, *name, *role)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created %s token %s (%s) for %s; the secret is shown only now:\n", nt.Token.Role, nt.Token.ID, nt.Token.Name, *orgID)
	fmt.Fprintln(stdout, nt.Secret)
	return nil
}
