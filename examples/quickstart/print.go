package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/onboardkit/onboard"
)

// console writes a program's output. It keeps the first error, so that the
// program can write freely and check once.
type console struct {
	w   io.Writer
	err error
}

func (c *console) printf(format string, a ...any) {
	if c.err == nil {
		_, c.err = fmt.Fprintf(c.w, format, a...)
	}
}

// printer prints one step's results as aligned rows:
//
//	✓  alan.turing@example.com  invited  User invited successfully
//
// The mark says what a row is: ✓ done, ✗ refused (with the server's
// reason), ? not known, • listed, – skipped.
type printer struct {
	out  *console
	rows [][4]string // mark, who, what happened, why
	sum  string      // the counts line, printed under the rows
}

func (q *quickstart) section(svc, method, what string) *printer {
	q.out.printf("\n%s · %s · %s\n", svc, method, what)
	return &printer{out: q.out}
}

func (p *printer) row(mark, who, what, why string) {
	p.rows = append(p.rows, [4]string{mark, who, what, why})
}

func (p *printer) ok(who, what, why string)     { p.row("✓", who, what, why) }
func (p *printer) fail(who, what, why string)   { p.row("✗", who, what, why) }
func (p *printer) listed(who, what, why string) { p.row("•", who, what, why) }
func (p *printer) skipped(who, why string)      { p.row("–", who, "skipped", why) }

// outcome prints one item of a bulk run; done names a success ("invited").
func (p *printer) outcome(who, done string, state onboard.State, message string, err error) {
	switch state {
	case onboard.StateSucceeded:
		p.ok(who, done, message)
	case onboard.StateFailed:
		p.fail(who, "failed", message)
	case onboard.StateNotSent:
		p.fail(who, "not sent", describe(err))
	default:
		p.row("?", who, "unknown", message)
	}
}

// counts sets the line under the rows: "3 invited, 2 failed, 1 not sent".
func (p *printer) counts(c onboard.Progress, done string) {
	parts := []string{fmt.Sprintf("%d %s", c.Succeeded, done)}
	for _, n := range []struct {
		n    int
		what string
	}{{c.Failed, "failed"}, {c.NotSent, "not sent"}, {c.Unknown, "unknown"}} {
		if n.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n.n, n.what))
		}
	}
	p.sum = strings.Join(parts, ", ")
}

// flush prints the rows in aligned columns, then the counts.
func (p *printer) flush() error {
	var width [4]int
	for _, r := range p.rows {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, r := range p.rows {
		line := "  " + pad(r[0], width[0]) + "  " + pad(r[1], width[1]) + "  " + pad(r[2], width[2]) + "  " + r[3]
		p.out.printf("%s\n", strings.TrimRight(line, " "))
	}
	if p.sum != "" {
		p.out.printf("  %s  %s\n", pad("", width[0]), p.sum)
	}
	return p.out.err
}

// pad fills s with spaces to width columns.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}
