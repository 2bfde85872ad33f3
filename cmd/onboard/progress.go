package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/onboardkit/onboard"
)

// isTerminal reports whether w is a terminal, where a person reads.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// canDraw reports whether w is a terminal that can draw a progress bar.
func canDraw(w io.Writer, getenv func(string) string) bool {
	return isTerminal(w) && getenv("TERM") != "dumb"
}

// progress draws a bulk run's progress on standard error when it is a
// terminal, and nothing otherwise: a pipe or a CI log gets only the
// summary.
type progress struct {
	bar  *progressbar.ProgressBar // nil: no terminal
	desc string
}

// newProgress returns the progress of a run of total items (-1 when not
// known), described as desc ("inviting"), drawn on w if tty.
func newProgress(w io.Writer, tty bool, desc string, total int) *progress {
	if !tty {
		return &progress{}
	}
	return &progress{desc: desc, bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish(),
	)}
}

// update is a run's WithProgress function: the engine calls it on the
// goroutine that ranges over the outcomes, one call at a time.
func (p *progress) update(pr onboard.Progress) {
	if p.bar == nil {
		return
	}
	if pr.Total >= 0 && int64(pr.Total) != p.bar.GetMax64() {
		p.bar.ChangeMax(pr.Total)
	}
	if not := pr.Failed + pr.NotSent + pr.Unknown; not > 0 {
		p.bar.Describe(fmt.Sprintf("%s (%d not done)", p.desc, not))
	}
	_ = p.bar.Set(pr.Done) // drawing on a terminal; a failure there is not the run's
}

// finish clears the bar, if any.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish() // as in update
	}
}
