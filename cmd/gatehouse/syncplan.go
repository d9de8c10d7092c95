package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"gatehouse/internal/idp"
)

// fileList is a repeatable --file flag: the page files of one export.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// planJSON is `sync plan --json`: the normalized email of every person in each action list.
type planJSON struct {
	Format     string              `json:"format"`
	Held       bool                `json:"held"`
	HeldReason string              `json:"heldReason,omitempty"`
	Counts     map[string]int      `json:"counts"`
	Actions    map[string][]string `json:"actions"`
	Skipped    []skipJSON          `json:"skipped"`
}

type skipJSON struct {
	Page   int    `json:"page,omitempty"`
	Row    int    `json:"row,omitempty"`
	Email  string `json:"email,omitempty"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason"`
}

// runSyncPlan prints the plan an export gives against an empty organization, touching no
// store: a check of an export before it is configured.
func runSyncPlan(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	fs := newFlags("sync plan", "--file EXPORT [--file PAGE2 ...] [--format auto] [--json]",
		`Prints what directory sync would do with an identity provider's export, against an empty
organization: whom it would invite, and which records it would skip and why. It reads no
table and calls no API.`)
	var files fileList
	fs.Var(&files, "file", "the export file (repeat for the pages of a paged export)")
	format := fs.String("format", "auto", "the export's format: auto, okta-csv, okta-json, entra-csv, entra-json, google-csv, google-json, scim")
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	useUPN := fs.Bool("use-upn-when-no-mail", false, "read Entra users without mail at their user principal name (never guests' or *.onmicrosoft.com names), as sync's useUpnWhenNoMail does")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("sync plan", "sync plan needs --file")
	}
	f, err := idp.ParseFormat(*format)
	if err != nil {
		return usagef("sync plan", "--format: %v", err)
	}
	pages := make([]io.Reader, 0, len(files))
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			return err
		}
		defer fh.Close()
		pages = append(pages, fh)
	}
	snap, err := idp.ParseWith(idp.ParseOptions{UseUPNWhenNoMail: *useUPN}, f, pages...)
	if err != nil {
		return err
	}
	plan, err := idp.NewPlan(snap, nil, idp.Options{})
	if err != nil {
		return err
	}
	if *asJSON {
		out := planJSON{Format: string(snap.Format), Held: plan.Held, HeldReason: plan.HeldReason,
			Counts:  map[string]int{"people": plan.People, "skipped": len(plan.Skipped)},
			Actions: map[string][]string{}, Skipped: make([]skipJSON, len(plan.Skipped))}
		for _, k := range idp.ActionKinds() {
			out.Counts[string(k)] = plan.Counts[k]
			out.Actions[string(k)] = []string{}
		}
		for _, a := range plan.Actions {
			out.Actions[string(a.Kind)] = append(out.Actions[string(a.Kind)], a.Email)
		}
		for i, s := range plan.Skipped {
			out.Skipped[i] = skipJSON{Page: s.Page, Row: s.Row, Email: s.Email, Name: s.Name, Reason: s.Reason}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "Export: %s, %d people present, %d records skipped.\n", snap.Format, plan.People, len(plan.Skipped))
	fmt.Fprintf(stdout, "Against an empty organization, sync would invite %d people:\n", plan.Counts[idp.ActionInvite])
	for _, a := range plan.Actions {
		line := "  + " + a.Email
		if a.Name != "" {
			line += "  (" + a.Name + ")"
		}
		fmt.Fprintln(stdout, line)
	}
	if len(plan.Skipped) > 0 {
		fmt.Fprintln(stdout, "Skipped:")
		for _, s := range plan.Skipped {
			where := fmt.Sprintf("row %d", s.Row)
			if s.Page > 0 {
				where = fmt.Sprintf("page %d row %d", s.Page, s.Row)
			}
			who := s.Email
			if who == "" {
				who = s.Name
			}
			fmt.Fprintf(stdout, "  - %s %s: %s\n", where, who, s.Reason)
		}
	}
	return nil
}
