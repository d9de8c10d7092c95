package main

import (
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how far an import has got, on stderr.
type progress interface {
	// answered counts n more rows answered; tally says what became of those so far.
	answered(n int, tally string)
	// note shows a message, such as a retry, on a line of its own.
	note(msg string)
	// finish ends the display.
	finish()
}

// newProgress shows the progress of total rows on w: a bar on a terminal, a line per
// request otherwise (a log, a CI job).
func newProgress(w io.Writer, total int) progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return newBar(w, total)
	}
	return &lineProgress{w: w, total: total}
}

// newBar is a progress bar of total rows on w. It is drawn at each request's answer (so
// never more than a few times a second), unthrottled so that it never lags one behind.
func newBar(w io.Writer, total int) *barProgress {
	return &barProgress{w: w, bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("inviting"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
}

// barProgress is a progress bar.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *barProgress) answered(n int, tally string) {
	p.bar.Describe("inviting (" + tally + ")")
	_ = p.bar.Add(n)
}

func (p *barProgress) note(msg string) {
	_ = p.bar.Clear()
	fmt.Fprintln(p.w, msg)
	_ = p.bar.RenderBlank()
}

func (p *barProgress) finish() {
	_ = p.bar.Clear()
	_ = p.bar.Exit()
}

// lineProgress writes a line each time rows are answered.
type lineProgress struct {
	w           io.Writer
	done, total int
}

func (p *lineProgress) answered(n int, tally string) {
	p.done += n
	fmt.Fprintf(p.w, "invite: %d of %d rows answered (%s)\n", p.done, p.total, tally)
}

func (p *lineProgress) note(msg string) { fmt.Fprintln(p.w, msg) }

func (p *lineProgress) finish() {}

// notesOnly shows notes alone: the progress of one person is its answer.
type notesOnly struct{ w io.Writer }

func (p notesOnly) answered(int, string) {}
func (p notesOnly) note(msg string)      { fmt.Fprintln(p.w, msg) }
func (p notesOnly) finish()              {}
