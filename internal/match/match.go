// Package match ties Royalti's bulk-create answer back to the users sent.
// Royalti reports only names ("John Doe") in createdUsers and free text in
// errors ("User Jane Doe already associated with workspace!", "Invalid
// email format for Jacob Doe"), so each submitted user is matched by name or
// email, and whatever cannot be matched for certain is reported as unknown.
// It reads Royalti's bulk-delete answer the same way (RoyaltiDeleted).
package match

import (
	"fmt"
	"regexp"
	"strings"
)

// Verdict is what the answer says about one submitted user.
type Verdict int

// The verdicts.
const (
	Unknown Verdict = iota
	Created
	Failed
)

// Person is what identifies one submitted user in the answer.
type Person struct {
	Name  string // "First Last", as Royalti writes it
	Email string
}

// Result is the verdict for one submitted user, with the server's error text
// when it failed, or why it is unknown.
type Result struct {
	Verdict Verdict
	Reason  string
}

// subjectPatterns pull the person out of the error texts Royalti documents.
var subjectPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^User (.+?) already associated with workspace!?$`),
	regexp.MustCompile(`(?i)^Invalid email(?: format)? for (.+?)\.?$`),
	regexp.MustCompile(`(?i)\bfor (?:user )?(.+?)\.?$`),
}

// Key folds a name or email for comparison.
func Key(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Royalti returns one Result per person, in order.
func Royalti(people []Person, created, errs []string) []Result {
	out := make([]Result, len(people))
	byName := map[string][]int{}
	byEmail := map[string][]int{}
	for i, p := range people {
		if k := Key(p.Name); k != "" {
			byName[k] = append(byName[k], i)
		}
		if k := Key(p.Email); k != "" {
			byEmail[k] = append(byEmail[k], i)
		}
	}

	// Errors that name exactly one submitted user by email settle that
	// user; the rest are grouped under the name they mention.
	settled := make([]bool, len(people))
	errsByName := map[string][]string{}
	for _, e := range errs {
		subject := subjectOf(e, byName, byEmail)
		if idx, ok := byEmail[subject]; ok && len(idx) == 1 && !settled[idx[0]] {
			out[idx[0]] = Result{Verdict: Failed, Reason: e}
			settled[idx[0]] = true
			continue
		}
		if _, ok := byName[subject]; ok {
			errsByName[subject] = append(errsByName[subject], e)
		}
	}
	createdByName := map[string]int{}
	for _, n := range created {
		createdByName[Key(n)]++
	}
	done := make([]bool, len(people)) // decided with their namesakes

	for i, p := range people {
		if done[i] {
			continue
		}
		name := Key(p.Name)
		if name == "" {
			if !settled[i] {
				out[i] = Result{Reason: "user has no name, and Royalti reports created users only by name"}
			}
			continue
		}
		settleName(out, people, byName[name], settled, createdByName[name], errsByName[name])
		for _, j := range byName[name] {
			done[j] = true
		}
	}
	return out
}

// settleName decides the people who share one name (group, their indexes),
// given c created users of that name and the errors that mention it. Those
// already settled by an error naming their email count as failed; the
// answer must account for the rest. An answer that names more people
// created than the rest can be, or both creates and refuses one person, is
// contradictory, and every person of the name is unknown then: the answer
// supports no verdict for any of them.
func settleName(out []Result, people []Person, group []int, settled []bool, c int, failed []string) {
	var rest []int
	for _, j := range group {
		if !settled[j] {
			rest = append(rest, j)
		}
	}
	name := people[group[0]].Name
	switch {
	case c > len(rest) && len(rest) < len(group):
		// Someone refused by email is also among the created.
		for _, j := range group {
			out[j] = Result{Reason: fmt.Sprintf("%q is both in createdUsers and named in errors, so the answer contradicts itself", name)}
		}
	case len(rest) == 0:
	case c == len(rest) && len(failed) == 0:
		for _, j := range rest {
			out[j] = Result{Verdict: Created}
		}
	case c == 0 && len(failed) == len(rest):
		for n, j := range rest {
			out[j] = Result{Verdict: Failed, Reason: failed[n]}
		}
	case len(rest) == 1 && c == 0 && len(failed) == 0:
		out[rest[0]] = Result{Reason: fmt.Sprintf("%q is in neither createdUsers nor errors", name)}
	case len(rest) == 1 && c == 1:
		out[rest[0]] = Result{Reason: fmt.Sprintf("%q is both in createdUsers and named in errors, so the answer contradicts itself", name)}
	default:
		for _, j := range rest {
			out[j] = Result{Reason: fmt.Sprintf("%d users are named %q: %d created and %d errors cannot be told apart", len(rest), name, c, len(failed))}
		}
	}
}

// subjectOf finds whom an error text is about: the name or email a known
// pattern names, else the longest submitted name or email found in the text
// as whole words. It returns "" when it cannot tell.
func subjectOf(e string, byName, byEmail map[string][]int) string {
	text := strings.TrimSpace(e)
	for _, re := range subjectPatterns {
		if m := re.FindStringSubmatch(text); m != nil {
			k := Key(m[1])
			if _, ok := byName[k]; ok {
				return k
			}
			if _, ok := byEmail[k]; ok {
				return k
			}
		}
	}
	lower := Key(text)
	best, tie := "", false
	for _, keys := range []map[string][]int{byEmail, byName} {
		for k := range keys {
			if !containsWord(lower, k) {
				continue
			}
			switch {
			case len(k) > len(best):
				best, tie = k, false
			case len(k) == len(best) && k != best:
				tie = true
			}
		}
	}
	if tie {
		return ""
	}
	return best
}

// containsWord reports whether w occurs in s with no letter or digit right
// before or after it.
func containsWord(s, w string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(w)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		from = i + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}
