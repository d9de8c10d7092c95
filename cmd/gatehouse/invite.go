package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gatehouse/internal/client"
	"gatehouse/internal/org"
	"gatehouse/internal/pause"
)

// chunkSize is how many rows each bulk request carries.
const chunkSize = 100

// rowRounds is how many times rows the API did not store for a passing reason are sent
// again.
const rowRounds = 3

// maxListed is how many failed rows are listed on stderr; the results file has them all.
const maxListed = 20

const inviteAbout = `Invites people through the API's bulk call, 100 rows a request. A file is a CSV of
email,name,role: with a header row naming its columns (any order; name and role may be left
out), or without one in that order. Every row is checked first by the rules the API applies,
and each bad row is shown with its line; nothing is sent while any row is bad, unless
--skip-invalid. Addresses repeated in the file are invited once.

Each request's Idempotency-Key is derived from the file's content and the request's rows, so
running the same command again after an interruption resumes: the API replays its answers to
the requests it already had (for 24 hours) and nobody is invited twice. Answers of 503 and
429, and lost connections, are retried with backoff, honouring Retry-After.

Progress goes to stderr (a bar on a terminal); --results writes a CSV line per row:
line,email,outcome,id,error,detail, the outcome one of created, already_invited,
already_member, duplicate, invalid, domain_not_allowed, failed or not_answered.
Exit status 0 when every row was invited or already was, 1 when some were not, 2 for misuse.`

// runInvite invites a file of people, or one person.
func runInvite(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("invite", "--file people.csv [--role ROLE] [--skip-invalid] [--results out.csv]\n--email EMAIL [--name NAME] [--role ROLE] [--results out.csv]", inviteAbout)
	api := addAPIFlags(fs, getenv)
	file := fs.String("file", "", "the CSV `FILE` of people to invite")
	email := fs.String("email", "", "invite one person, at `EMAIL`")
	name := fs.String("name", "", "the person's `NAME`, with --email")
	role := fs.String("role", "", "the `ROLE` of the person, or of the file's rows that name none: admin, member or viewer (default member)")
	skip := fs.Bool("skip-invalid", false, "send the valid rows even when some are invalid (those are reported and not sent)")
	resultsPath := fs.String("results", "", "write a CSV line per row to `FILE` (- for stdout)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case (*file == "") == (*email == ""):
		return usagef("invite", "invite needs --file or --email, not both")
	case *file != "" && *name != "":
		return usagef("invite", "--name goes with --email; a file's names are in its name column")
	}
	if _, err := org.ParseRole("role", *role, org.RoleMember); err != nil {
		return usagef("invite", "--role %s: %s", *role, fieldMessage(err))
	}
	var prog progress = notesOnly{w: stderr}
	c, err := api.client(func(r client.Retried) {
		prog.note(fmt.Sprintf("gatehouse: %v; retrying in %s", r.Err, r.Wait.Round(100*time.Millisecond)))
	})
	if err != nil {
		return err
	}
	im := &importer{where: *file}
	var seed string // what the requests' Idempotency-Keys derive from
	if *file != "" {
		data, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		if im.rows, err = readImport(data, *role); err != nil {
			return fmt.Errorf("%s: %w", *file, err)
		}
		sum := sha256.Sum256(data)
		seed = hex.EncodeToString(sum[:])
	} else {
		im.rows = []importRow{checkRow(0, *email, *name, *role, "")}
		seed = client.NewKey() // one person: a later run is a new request
	}
	if sameFile(*file, *resultsPath) {
		return usagef("invite", "--results %s would overwrite the file being imported", *resultsPath)
	}
	if im.results, err = openResults(*resultsPath, stdout); err != nil {
		return err
	}
	summaryTo := stdout
	if *resultsPath == "-" {
		summaryTo = stderr
	}
	im.outcomes = make([]outcome, len(im.rows))
	bad, sendable := 0, 0
	for i, r := range im.rows {
		switch {
		case !r.valid():
			bad++
			im.outcomes[i] = invalidOutcome(r.errs)
			for _, e := range r.errs {
				fmt.Fprintf(stderr, "%s: %q: %s\n", im.at(i), r.email, e.Message)
			}
		case r.dupOf < 0:
			sendable++
			im.outcomes[i] = outcome{status: outcomeNotAnswered}
		}
	}
	if bad > 0 && !*skip {
		if err := im.finish(); err != nil {
			return err
		}
		msg := "the address is invalid, so nobody was invited"
		if len(im.rows) > 1 {
			msg = fmt.Sprintf("%d of %d rows are invalid, so nothing was sent: fix them, or pass --skip-invalid to send the other %d", bad, len(im.rows), len(im.rows)-bad)
		}
		fmt.Fprintln(stderr, "gatehouse:", msg)
		return &failedError{msg: msg, reported: true}
	}
	if *file != "" {
		if bad > 0 {
			fmt.Fprintf(stderr, "gatehouse: skipping the %d invalid rows\n", bad)
		}
		prog = newProgress(stderr, sendable)
	}
	stopped := im.send(ctx, c, seed, prog)
	prog.finish()
	if err := im.finish(); err != nil {
		return err
	}
	return im.report(ctx, stopped, summaryTo, stderr)
}

// The outcomes of a row besides the API's own (org.Bulk*).
const (
	// outcomeDuplicate is a row repeating an earlier row's address, which is invited once.
	outcomeDuplicate = "duplicate"
	// outcomeNotAnswered is a row the run ended before the API answered for: running the
	// same command again sends it (or replays the answer it was given).
	outcomeNotAnswered = "not_answered"
)

// outcome is what became of a row.
type outcome struct {
	status       string
	id           string // the invitation made, or the invitation or member holding the address
	code, detail string
	// whole says the row's request failed as a whole, which is told once, not per row.
	whole bool
}

// ok reports whether the row's person is invited or a member now.
func (o outcome) ok() bool {
	switch o.status {
	case org.BulkCreated, org.BulkAlreadyInvited, org.BulkAlreadyMember, outcomeDuplicate:
		return true
	}
	return false
}

// invalidOutcome is the outcome of a row the domain refused.
func invalidOutcome(errs []org.FieldError) outcome {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	return outcome{status: org.BulkInvalid, code: errs[0].Code, detail: strings.Join(msgs, "; ")}
}

// importer sends the rows of an import and keeps what became of each.
type importer struct {
	where    string // the file's name; empty for one person given by flags
	rows     []importRow
	outcomes []outcome
	results  *resultsWriter
	written  int // how many rows the results file has
}

// at names row i for messages: the file and line, or the flag.
func (im *importer) at(i int) string {
	if im.where == "" {
		return "--email"
	}
	return fmt.Sprintf("%s:%d", im.where, im.rows[i].line)
}

// send invites every valid row but repeats, a chunk at a time, until done or a request
// fails for good; the results file follows each chunk.
func (im *importer) send(ctx context.Context, c *client.Client, seed string, prog progress) error {
	var sendable []int
	for i, r := range im.rows {
		if r.valid() && r.dupOf < 0 {
			sendable = append(sendable, i)
		}
	}
	for start := 0; start < len(sendable); start += chunkSize {
		chunk := sendable[start:min(start+chunkSize, len(sendable))]
		if err := im.sendChunk(ctx, c, seed, chunk, prog); err != nil {
			return err
		}
		prog.answered(len(chunk), im.tally())
		if err := im.write(chunk[len(chunk)-1] + 1); err != nil {
			return err
		}
	}
	return nil
}

// sendChunk sends the rows chunk, then again those the API did not store for a passing
// reason (it was busy, or could not tell), up to rowRounds times. Each request's key is
// derived from the one before it and its rows, so a later run sends the same requests.
func (im *importer) sendChunk(ctx context.Context, c *client.Client, key string, chunk []int, prog progress) error {
	pending := chunk
	for round := 0; ; round++ {
		reqs := make([]org.InviteRequest, len(pending))
		for j, i := range pending {
			reqs[j] = im.rows[i].req
		}
		key = requestKey(key, reqs)
		bulk, err := c.BulkInvite(ctx, key, reqs)
		if err != nil {
			if round == 0 && ctx.Err() == nil {
				o := failure(err)
				for _, i := range pending {
					im.outcomes[i] = o
				}
			}
			return err
		}
		var again []int
		for j, res := range bulk.Results {
			o := outcome{status: res.Status, id: res.ExistingID}
			if res.Invitation != nil {
				o.id = res.Invitation.ID
			}
			if len(res.Errors) > 0 {
				o = invalidOutcome(res.Errors)
				o.status = res.Status
			}
			im.outcomes[pending[j]] = o
			if o.status == org.BulkFailed && (o.code == "temporarily_unavailable" || o.code == "conflict" || o.code == "outcome_unknown") {
				again = append(again, pending[j])
			}
		}
		if len(again) == 0 || round == rowRounds {
			return nil
		}
		prog.note(fmt.Sprintf("gatehouse: the API did not store %d rows for a passing reason (%s); sending them again", len(again), im.outcomes[again[0]].code))
		if err := pause.For(ctx, time.Duration(round+1)*time.Second); err != nil {
			return err
		}
		pending = again
	}
}

// requestKey is the Idempotency-Key of a bulk request of reqs following from seed (the
// file's hash, or the key of the request before).
func requestKey(seed string, reqs []org.InviteRequest) string {
	body, _ := json.Marshal(reqs) // strings and nil pointers always encode
	h := sha256.New()
	h.Write([]byte(seed + "\n"))
	h.Write(body)
	return "gatehouse-import-" + hex.EncodeToString(h.Sum(nil)[:24])
}

// failure is the outcome of rows whose request failed as a whole.
func failure(err error) outcome {
	var p *client.Problem
	if errors.As(err, &p) {
		code := p.Code
		if code == "" {
			code = fmt.Sprintf("http_%d", p.Status)
		}
		return outcome{status: org.BulkFailed, code: code, detail: p.Detail, whole: true}
	}
	return outcome{status: org.BulkFailed, code: "request_failed", detail: err.Error(), whole: true}
}

// resolved is the outcome of row i, a repeated address taking its first row's.
func (im *importer) resolved(i int) outcome {
	first := im.rows[i].dupOf
	if first < 0 {
		return im.outcomes[i]
	}
	f := im.outcomes[first]
	same := fmt.Sprintf("the same address as line %d", im.rows[first].line)
	if f.ok() {
		return outcome{status: outcomeDuplicate, id: f.id, detail: same}
	}
	return outcome{status: f.status, code: f.code, detail: same + ": " + f.detail, whole: f.whole}
}

// sameFile reports whether the paths a and b name one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" || b == "-" {
		return false
	}
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
