package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"time"

	"gatehouse/internal/view"
)

// auditColumns are the columns of an audit export in CSV; details is the entry's details as
// a JSON object.
func auditColumns() []column[view.AuditEntry] {
	return []column[view.AuditEntry]{
		{"id", func(a view.AuditEntry) string { return a.ID }},
		{"at", func(a view.AuditEntry) string { return a.At.UTC().Format(time.RFC3339Nano) }},
		{"action", func(a view.AuditEntry) string { return a.Action }},
		{"actor_type", func(a view.AuditEntry) string { return a.Actor.Type }},
		{"actor_id", func(a view.AuditEntry) string { return a.Actor.ID }},
		{"actor_name", func(a view.AuditEntry) string { return a.Actor.Name }},
		{"source", func(a view.AuditEntry) string { return a.Source }},
		{"target_type", func(a view.AuditEntry) string { return a.Target.Type }},
		{"target_id", func(a view.AuditEntry) string { return a.Target.ID }},
		{"details", func(a view.AuditEntry) string {
			if len(a.Details) == 0 {
				return ""
			}
			raw, _ := json.Marshal(a.Details) // a map of strings always encodes
			return string(raw)
		}},
	}
}

// runAuditExport writes every audit entry of a period, reading the log's pages as it goes.
func runAuditExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("audit export", "--since 2026-11-01 [--until 2026-11-30] [--format jsonl | csv]",
		`Writes every audit entry from --since up to --until (now when absent), newest first as the
log is kept, reading its pages as it goes and stopping at the first entry before --since. A
date means midnight UTC: --since from its start, --until through its end; an RFC 3339 time
means that instant, --until excluding it. jsonl is one API audit object a line; csv has a
header row, and the entry's details as a JSON object in its last column.`)
	api := addAPIFlags(fs, getenv)
	sinceFlag := fs.String("since", "", "the first day (or `TIME`) to export; required")
	untilFlag := fs.String("until", "", "the last day (or `TIME`, excluded) to export (default: now)")
	format := fs.String("format", "jsonl", "`jsonl` or csv")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *sinceFlag == "" {
		return usagef("audit export", "audit export needs --since, such as --since 2026-11-01")
	}
	since, err := auditTime("since", *sinceFlag, false)
	if err != nil {
		return err
	}
	until := time.Now()
	if *untilFlag != "" {
		if until, err = auditTime("until", *untilFlag, true); err != nil {
			return err
		}
	}
	if !since.Before(until) {
		return usagef("audit export", "--since %s is not before --until %s", *sinceFlag, *untilFlag)
	}
	if *format != "jsonl" && *format != "csv" {
		return usagef("audit export", "--format %s: give jsonl or csv", *format)
	}
	c, err := api.client(retryNotice(stderr))
	if err != nil {
		return err
	}
	entries := within(c.AuditLog(ctx), since, until)
	var n int
	if *format == "csv" {
		n, err = writeList(stdout, formatCSV, auditColumns(), entries)
	} else {
		n, err = writeLines(stdout, entries)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d audit entries from %s to %s\n", n, since.Format(time.RFC3339), until.UTC().Format(time.RFC3339))
	return nil
}

// within keeps the entries of a newest-first log at or after since and before until,
// stopping at the first one before since.
func within(log iter.Seq2[view.AuditEntry, error], since, until time.Time) iter.Seq2[view.AuditEntry, error] {
	return func(yield func(view.AuditEntry, error) bool) {
		for a, err := range log {
			switch {
			case err != nil:
				yield(a, err)
				return
			case a.At.Before(since):
				return
			case !a.At.Before(until):
				continue
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// writeLines writes each item as a line of JSON, and how many it wrote.
func writeLines[T any](w io.Writer, items iter.Seq2[T, error]) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	var failed error
	for it, err := range items {
		if err != nil {
			failed = err
			break
		}
		if err := enc.Encode(it); err != nil {
			return n, fmt.Errorf("write the export: %w", err)
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write the export: %w", err)
	}
	return n, failed
}

// auditTime reads a --since or --until value: a date (the midnight UTC starting it; for the
// end of a period, the midnight ending it) or an RFC 3339 time.
func auditTime(flagName, raw string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("audit export", "--%s %s: give a date such as 2026-11-01 or a time such as 2026-11-01T09:30:00Z", flagName, raw)
}
