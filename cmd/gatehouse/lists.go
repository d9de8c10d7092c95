package main

import (
	"context"
	"fmt"
	"io"

	"gatehouse/internal/client"
	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// invitationColumns are the columns of invitations in a table or CSV.
func invitationColumns() []column[view.Invitation] {
	return []column[view.Invitation]{
		{"id", func(v view.Invitation) string { return v.ID }},
		{"email", func(v view.Invitation) string { return v.Email }},
		{"name", func(v view.Invitation) string { return v.Name }},
		{"role", func(v view.Invitation) string { return v.Role }},
		{"status", func(v view.Invitation) string { return v.Status }},
		{"delivery", func(v view.Invitation) string { return v.Delivery.State }},
		{"created", func(v view.Invitation) string { return day(v.CreatedAt.Time) }},
		{"expires", func(v view.Invitation) string { return day(v.ExpiresAt.Time) }},
	}
}

// memberColumns are the columns of members in a table or CSV.
func memberColumns() []column[view.Member] {
	return []column[view.Member]{
		{"id", func(v view.Member) string { return v.ID }},
		{"email", func(v view.Member) string { return v.Email }},
		{"name", func(v view.Member) string { return v.Name }},
		{"role", func(v view.Member) string { return v.Role }},
		{"status", func(v view.Member) string { return v.Status }},
		{"source", func(v view.Member) string { return v.Source }},
		{"joined", func(v view.Member) string { return day(v.JoinedAt.Time) }},
	}
}

// runInvitationsList prints every invitation (of a status), following the pages.
func runInvitationsList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("invitations list", "[--status STATUS] [--json | --csv]",
		`Prints the organization's invitations, newest first, every page of them: a table, or
JSON (an array of the API's invitation objects) or CSV for programs.`)
	api := addAPIFlags(fs, getenv)
	status := fs.String("status", "", "only invitations that are `STATUS`: pending, accepted, revoked or expired")
	format := outputFlags(fs, true)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *status != "" && !org.InvitationStatus(*status).Valid() {
		return usagef("invitations list", "--status %s: status must be one of pending, accepted, revoked, expired", *status)
	}
	f, err := format()
	if err != nil {
		return err
	}
	c, err := api.client(retryNotice(stderr))
	if err != nil {
		return err
	}
	_, err = writeList(stdout, f, invitationColumns(), c.Invitations(ctx, *status))
	return err
}

// runMembersList prints every member, following the pages.
func runMembersList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("members list", "[--json | --csv]",
		`Prints the organization's members, active and deactivated, every page of them: a table,
or JSON (an array of the API's member objects) or CSV for programs.`)
	api := addAPIFlags(fs, getenv)
	format := outputFlags(fs, true)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	f, err := format()
	if err != nil {
		return err
	}
	c, err := api.client(retryNotice(stderr))
	if err != nil {
		return err
	}
	_, err = writeList(stdout, f, memberColumns(), c.Members(ctx))
	return err
}

// runInvitationsRevoke withdraws each invitation named.
func runInvitationsRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return invitationAction(ctx, args, getenv, stdout, stderr, "invitations revoke",
		`Withdraws each pending invitation named (inv_…): its link stops working. Prints each
invitation as it now stands; one that cannot be revoked is reported and the others still are.`,
		(*client.Client).RevokeInvitation)
}

// runInvitationsResend resends each invitation named.
func runInvitationsResend(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return invitationAction(ctx, args, getenv, stdout, stderr, "invitations resend",
		`Resends each pending invitation named (inv_…) with a new link and a fresh expiry; the old
link stops working. An invitation made without email is not emailed: its new link is printed
instead (the acceptUrl column), once. One that cannot be resent is reported and the others
still are.`,
		(*client.Client).ResendInvitation)
}

// invitationAction runs act on each invitation named in args and prints what it answered.
func invitationAction(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, name, about string,
	act func(*client.Client, context.Context, string) (view.Invitation, error)) error {
	fs := newFlags(name, "ID [ID ...] [--json]", about)
	api := addAPIFlags(fs, getenv)
	format := outputFlags(fs, false)
	ids, err := parseInterspersed(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return usagef(name, "%s needs the id of at least one invitation (inv_…)", name)
	}
	f, err := format()
	if err != nil {
		return err
	}
	c, err := api.client(retryNotice(stderr))
	if err != nil {
		return err
	}
	cols := invitationColumns()[:6]
	if name == "invitations resend" {
		cols = append(cols, column[view.Invitation]{"accept_url", func(v view.Invitation) string { return v.AcceptURL }})
	}
	failed := 0
	done := func(yield func(view.Invitation, error) bool) {
		for _, id := range ids {
			inv, err := act(c, ctx, id)
			if err != nil {
				if ctx.Err() != nil {
					yield(view.Invitation{}, err)
					return
				}
				failed++
				fmt.Fprintln(stderr, "gatehouse:", err)
				continue
			}
			if !yield(inv, nil) {
				return
			}
		}
	}
	if _, err := writeList(stdout, f, cols, done); err != nil {
		return err
	}
	if failed > 0 {
		return &failedError{msg: fmt.Sprintf("%d of %d invitations failed", failed, len(ids)), reported: true}
	}
	return nil
}
