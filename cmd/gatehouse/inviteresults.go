package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"gatehouse/internal/client"
	"gatehouse/internal/org"
)

// resultsWriter writes the results file of an import: a CSV line per row.
type resultsWriter struct {
	w *csv.Writer
	f *os.File // nil for stdout
}

// openResults creates the results file at path (stdout for "-"); nil for no path.
func openResults(path string, stdout io.Writer) (*resultsWriter, error) {
	r := &resultsWriter{}
	switch path {
	case "":
		return nil, nil
	case "-":
		r.w = csv.NewWriter(stdout)
	default:
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		r.f, r.w = f, csv.NewWriter(f)
	}
	_ = r.w.Write([]string{"line", "email", "outcome", "id", "error", "detail"})
	return r, nil
}

// row writes a row's line (empty for a person given by flags), address and outcome.
func (r *resultsWriter) row(line int, email string, o outcome) {
	if r == nil {
		return
	}
	l := ""
	if line > 0 {
		l = strconv.Itoa(line)
	}
	_ = r.w.Write([]string{l, email, o.status, o.id, o.code, o.detail})
}

// flush writes out what is buffered; a write that failed is reported here.
func (r *resultsWriter) flush() error {
	if r == nil {
		return nil
	}
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return fmt.Errorf("write the results: %w", err)
	}
	return nil
}

// close flushes and closes the file.
func (r *resultsWriter) close() error {
	if err := r.flush(); err != nil || r == nil || r.f == nil {
		return err
	}
	return r.f.Close()
}

// tally says what became of the rows answered so far.
func (im *importer) tally() string {
	counts := map[string]int{}
	for i, r := range im.rows {
		if r.dupOf < 0 {
			counts[im.outcomes[i].status]++
		}
	}
	return describeCounts(counts, false)
}

// describeCounts lists how many rows had each outcome, in a fixed order, leaving out
// outcomes no row had (and, unless all, those not sent yet).
func describeCounts(counts map[string]int, all bool) string {
	var parts []string
	for _, o := range []struct{ status, say string }{
		{org.BulkCreated, "created"}, {org.BulkAlreadyInvited, "already invited"}, {org.BulkAlreadyMember, "already members"},
		{outcomeDuplicate, "repeated in the file"}, {org.BulkInvalid, "invalid"}, {org.BulkDomainNotAllowed, "outside the allowed domains"},
		{org.BulkFailed, "failed"}, {outcomeNotAnswered, "not answered"},
	} {
		if n := counts[o.status]; n > 0 && (all || (o.status != outcomeNotAnswered && o.status != org.BulkInvalid)) {
			parts = append(parts, fmt.Sprintf("%d %s", n, o.say))
		}
	}
	if len(parts) == 0 {
		return "none yet"
	}
	return strings.Join(parts, ", ")
}

// write adds the rows before upTo to the results file, whose outcomes are all known.
func (im *importer) write(upTo int) error {
	for ; im.written < upTo; im.written++ {
		r := im.rows[im.written]
		email := r.email
		if r.valid() {
			email = r.req.Email
		}
		im.results.row(r.line, email, im.resolved(im.written))
	}
	return im.results.flush()
}

// finish writes the rest of the results file and closes it.
func (im *importer) finish() error {
	if err := im.write(len(im.rows)); err != nil {
		return err
	}
	return im.results.close()
}

// report tells how the import went: the summary on out, the rows that failed and why the
// run stopped (stopped, if it did) on stderr.
func (im *importer) report(ctx context.Context, stopped error, out, stderr io.Writer) error {
	counts := map[string]int{}
	listed, failed := 0, 0
	for i := range im.rows {
		o := im.resolved(i)
		counts[o.status]++
		if o.ok() {
			continue
		}
		failed++
		if o.status == org.BulkInvalid || o.status == outcomeNotAnswered || o.whole {
			continue // shown before sending, summed, or told once below
		}
		if listed++; listed <= maxListed {
			fmt.Fprintf(stderr, "%s: %s: %s: %s\n", im.at(i), im.rows[i].req.Email, o.code, o.detail)
		}
	}
	if listed > maxListed {
		fmt.Fprintf(stderr, "… and %d more rows failed (--results lists every row)\n", listed-maxListed)
	}
	if im.where == "" {
		o := im.resolved(0)
		line := im.rows[0].req.Email + ": " + o.status
		if o.id != "" {
			line += " " + o.id
		}
		if o.code != "" {
			line += ": " + o.code + ": " + o.detail
		}
		fmt.Fprintln(out, line)
	} else {
		fmt.Fprintf(out, "%d rows: %s\n", len(im.rows), describeCounts(counts, true))
	}
	switch {
	case stopped != nil && ctx.Err() != nil:
		msg := fmt.Sprintf("interrupted with %d rows not answered; run the same command again to resume (answers already given are replayed, and nobody is invited twice)", counts[outcomeNotAnswered])
		fmt.Fprintln(stderr, "gatehouse:", msg)
		return &failedError{msg: msg, reported: true}
	case stopped != nil:
		msg := fmt.Sprintf("stopped: %v", stopped)
		var p *client.Problem
		if !errors.As(stopped, &p) || p.Retryable() || p.Status >= 500 {
			msg += "; run the same command again to resume"
		}
		fmt.Fprintln(stderr, "gatehouse:", msg)
		return &failedError{msg: msg, reported: true}
	case failed > 0:
		return &failedError{msg: fmt.Sprintf("%d rows were not invited", failed), reported: true}
	}
	return nil
}
