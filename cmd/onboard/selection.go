package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard"
)

// selection is how resend and cancel pick the invites they act on: by
// email (--email, --file) or every pending one (--pending), optionally
// only those pending longer than --older-than.
type selection struct {
	emails    []string
	file      string
	pending   bool
	olderThan time.Duration
}

// addSelectionFlags adds the selection flags to cmd. dated says what
// --older-than measures, as the service dates an invite: "dated
// (Royalti's meta.date, when the invite was sent)".
func addSelectionFlags(cmd *cobra.Command, s *selection, dated string) {
	f := cmd.Flags()
	f.StringSliceVar(&s.emails, "email", nil, "the `address` of a person whose invite to act on; repeat it, or separate addresses with commas")
	f.StringVar(&s.file, "file", "", "act on the people of this CSV or JSON-lines `file`, by its email column (other columns are ignored)")
	f.BoolVar(&s.pending, "pending", false, "act on every pending invite (with --older-than: only the older ones)")
	f.DurationVar(&s.olderThan, "older-than", 0, "act only on invites "+dated+" more than this `duration` ago, such as 168h; "+
		"a person named by --email or --file whose invite is more recent is skipped")
}

// check requires exactly one way of picking.
func (s *selection) check() error {
	n := 0
	for _, set := range []bool{len(s.emails) > 0, s.file != "", s.pending} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return usageErrorf("say whose invites to act on with one of --email, --file or --pending")
	case s.olderThan < 0:
		return usageErrorf("--older-than %v is negative", s.olderThan)
	}
	return nil
}

// wanted is one person a selection names: the line of --file (0 for
// --email), the address, and what is wrong with the row, if anything.
type wanted struct {
	line     int
	email    string
	problems []fieldProblem
}

// emailRow is a row of a selection's --file: only its email is read.
type emailRow struct {
	Email string `json:"email"`
}

// people returns the people --email or --file names, each checked as an
// address. A problem with the file as a whole is an error.
func (s *selection) people() ([]wanted, error) {
	if s.file == "" {
		out := make([]wanted, len(s.emails))
		for i, e := range s.emails {
			out[i] = checkEmail(wanted{email: strings.TrimSpace(e)})
		}
		return out, nil
	}
	sch := schemaOf[emailRow]("email")
	sch.ignoreUnknown = true
	rows, err := openRows[emailRow](s.file, sch)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }() // read only
	var out []wanted
	for r := range rows.all() {
		w := wanted{line: r.line, email: r.item.Email, problems: r.problems}
		if len(w.problems) == 0 {
			w = checkEmail(w)
		}
		out = append(out, w)
	}
	return out, rows.err
}

// checkEmail records a problem when w's address is not one, by the SDK's
// rule for an invite's email.
func checkEmail(w wanted) wanted {
	err := (&onboard.RoyaltiInviteRequest{Email: w.email}).Validate()
	if ve := asValidation(err); ve != nil {
		for _, p := range ve.Problems {
			w.problems = append(w.problems, fieldProblem{"email", p.Message})
		}
	}
	return w
}

// tooRecent reports whether an invite pending since since is left alone
// at now, not being older than --older-than, and says why. A zero since
// is unknown, and left alone too.
func (s *selection) tooRecent(since, now time.Time) (string, bool) {
	if s.olderThan == 0 {
		return "", false
	}
	if since.IsZero() {
		return "the service gives no time for this invite, so --older-than cannot be applied", true
	}
	if age := now.Sub(since); age < s.olderThan {
		return fmt.Sprintf("pending for %s, not longer than --older-than %s", shortDuration(age), shortDuration(s.olderThan)), true
	}
	return "", false
}

// each calls fn for items 0 to n-1, at most conc at once, and returns
// their verdicts in order. Once ctx has ended, no new call starts: the
// items left are not sent. p shows the progress.
func each(ctx context.Context, n, conc int, p *progress, fn func(ctx context.Context, i int) verdict) []verdict {
	out := make([]verdict, n)
	jobs := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := ctx.Err(); err != nil {
					out[i] = verdict{outcome: outNotSent, reason: "not sent: " + err.Error()}
				} else {
					out[i] = fn(ctx, i)
				}
				done <- i
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range n {
			jobs <- i
		}
	}()
	pr := onboard.Progress{Total: n}
	for range n {
		switch out[<-done].outcome {
		case outSucceeded:
			pr.Succeeded++
		case outNotSent:
			pr.NotSent++
		default:
			pr.Failed++
		}
		pr.Done++
		p.update(pr)
	}
	wg.Wait()
	return out
}
