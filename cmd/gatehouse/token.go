package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"gatehouse/internal/org"
)

// runTokenCreate creates an API token in a table, creating the organization first when it
// does not exist yet, and prints the secret (alone, on stdout, for scripts).
func runTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("token create", "--org ORG [--org-name NAME] [--role admin] [--name NAME] [--table TABLE]",
		`Creates an API token straight in a DynamoDB table, with your AWS credentials, creating the
organization first when it does not exist, and prints the token's secret, alone, on stdout.
This is how a deployment's first token is made; make the others through the API.`)
	orgID := fs.String("org", "", "organization id (created if missing)")
	orgName := fs.String("org-name", "", "organization display name, when it is created")
	role := fs.String("role", "admin", "token role: admin, member or viewer")
	name := fs.String("name", "operator", "token name, to recognise it later")
	table := fs.String("table", getenv("TABLE_NAME"), "DynamoDB table (default $TABLE_NAME)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *orgID == "" || *table == "" {
		return usagef("token create", "token create needs --org and --table (or TABLE_NAME)")
	}
	// Checked before the organization is created, so that a typo makes nothing.
	if _, err := org.ParseRole("role", *role, org.RoleAdmin); err != nil {
		return usagef("token create", "--role %s: %s", *role, fieldMessage(err))
	}
	if _, err := org.NormalizeName("name", *name); err != nil {
		return usagef("token create", "--name: %s", fieldMessage(err))
	}
	store, err := openStore(ctx, *table, getenv)
	if err != nil {
		return err
	}
	svc := org.NewService(store.Org())
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

// fieldMessage is the message of a domain validation error, without the field names the
// flag's name replaces.
func fieldMessage(err error) string {
	var verr *org.ValidationError
	if !errors.As(err, &verr) {
		return err.Error()
	}
	msgs := make([]string, len(verr.Fields))
	for i, f := range verr.Fields {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, "; ")
}
