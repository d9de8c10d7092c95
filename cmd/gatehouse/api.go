package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"gatehouse/internal/client"
)

// apiFlags are the flags every API command has: where the API is and which token to use.
type apiFlags struct {
	url, tokenFile *string
	getenv         func(string) string
	cmd            string
}

// addAPIFlags adds --api and --token-file to fs.
func addAPIFlags(fs *flag.FlagSet, getenv func(string) string) *apiFlags {
	return &apiFlags{
		url:       fs.String("api", getenv("GATEHOUSE_API"), "the API's base `URL`, such as http://127.0.0.1:3000 or the stack's ApiUrl output (default $GATEHOUSE_API)"),
		tokenFile: fs.String("token-file", "", "read the API token from `FILE` (default: $GATEHOUSE_TOKEN)"),
		getenv:    getenv,
		cmd:       cmdName(fs),
	}
}

// client makes the API client the flags name; retries are told to stderr by notify.
func (a *apiFlags) client(notify func(client.Retried)) (*client.Client, error) {
	token := a.getenv("GATEHOUSE_TOKEN")
	if *a.tokenFile != "" {
		raw, err := os.ReadFile(*a.tokenFile)
		if err != nil {
			return nil, usagef(a.cmd, "--token-file: %v", err)
		}
		token = string(raw)
	}
	c, err := client.New(client.Config{URL: *a.url, Token: token, Retrying: notify})
	if err != nil {
		return nil, usagef(a.cmd, "%v", err)
	}
	return c, nil
}

// retryNotice tells w of each retry.
func retryNotice(w io.Writer) func(client.Retried) {
	return func(r client.Retried) {
		fmt.Fprintf(w, "gatehouse: %v; retrying in %s\n", r.Err, r.Wait.Round(100*time.Millisecond))
	}
}

// listFormat is how a list is written: a table for people, JSON or CSV for programs.
type listFormat int

const (
	formatTable listFormat = iota
	formatJSON
	formatCSV
)

// outputFlags adds --json and --csv to fs.
func outputFlags(fs *flag.FlagSet, csvToo bool) func() (listFormat, error) {
	asJSON := fs.Bool("json", false, "print JSON: an array of the API's objects")
	asCSV := new(bool)
	if csvToo {
		asCSV = fs.Bool("csv", false, "print CSV with a header row")
	}
	return func() (listFormat, error) {
		switch {
		case *asJSON && *asCSV:
			return 0, usagef(cmdName(fs), "--json and --csv exclude each other")
		case *asJSON:
			return formatJSON, nil
		case *asCSV:
			return formatCSV, nil
		}
		return formatTable, nil
	}
}

// column is one column of a table or CSV: its heading and how to show an item in it.
type column[T any] struct {
	head string
	cell func(T) string
}

// writeList writes every item of items to w in format f, and how many it wrote; an error of
// items ends it (a JSON array is then left unclosed, so it never reads as complete). A table
// of nothing is nothing; CSV always has its header row.
func writeList[T any](w io.Writer, f listFormat, cols []column[T], items iter.Seq2[T, error]) (int, error) {
	bw := bufio.NewWriter(w)
	var tw *tabwriter.Writer
	var cw *csv.Writer
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	switch f {
	case formatTable:
		tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	case formatCSV:
		cw = csv.NewWriter(bw)
		_ = cw.Write(heads)
	case formatJSON:
		bw.WriteString("[")
	}
	n := 0
	var failed error
	for it, err := range items {
		if err != nil {
			failed = err
			break
		}
		switch f {
		case formatJSON:
			raw, err := json.Marshal(it)
			if err != nil {
				return n, err
			}
			if n > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
			bw.Write(raw)
		default:
			cells := make([]string, len(cols))
			for i, c := range cols {
				cells[i] = c.cell(it)
			}
			if cw != nil {
				_ = cw.Write(cells)
				break
			}
			if n == 0 { // a table's heading, once there is something under it
				fmt.Fprintln(tw, strings.ToUpper(strings.Join(heads, "\t")))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		n++
	}
	switch {
	case tw != nil:
		tw.Flush()
	case cw != nil:
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("write the list: %w", err)
		}
	case failed == nil:
		bw.WriteString("\n]\n")
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write the list: %w", err)
	}
	return n, failed
}

// day shows t as a date, or nothing for a zero time.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}
