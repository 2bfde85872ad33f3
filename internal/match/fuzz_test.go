package match

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzRoyalti feeds the matcher any submitted people and any answer. People
// are lines of "Name|email"; created names and error texts are lines. Whatever
// comes in, the matcher must not panic and must only claim what the answer
// supports:
//
//   - one result per person, deterministic (its maps are iterated in a
//     random order), and the same verdicts whatever order the people are in;
//   - no more people of a name created than the answer names;
//   - no one failed whom the answer also counts among the created: failed
//     and created people of one name never outnumber the people of it;
//   - a failure's reason is one of the answer's error texts, each used once;
//   - an unknown verdict says why, and a success carries no reason.
//
// The seeds are the document's example and the cases that make matching
// hard (namesakes, emails in errors, people without names); they run in
// every go test.
//
//	go test -run '^$' -fuzz '^FuzzRoyalti$' -fuzztime 30s ./internal/match
func FuzzRoyalti(f *testing.F) {
	// The document's example answer, to the five people it implies.
	f.Add("John Doe|john@example.com\nJericho Doe|jericho@example.com\nJane Doe|jane@example.com\nJacob Doe|jacob@example\nJake Doe|jake@",
		"John Doe\nJericho Doe",
		"User Jane Doe already associated with workspace!\nInvalid email format for Jacob Doe\nInvalid email format for Jake Doe")
	// Namesakes, one created.
	f.Add("Ann Lee|ann1@example.com\nAnn Lee|ann2@example.com", "Ann Lee", "User Ann Lee already associated with workspace!")
	// An error that names the email.
	f.Add("Bo Chen|bo@example.com\nBo Chen|bo.chen@example.com", "Bo Chen", "Invalid email format for bo@example.com")
	// No names, case and spacing differences, a name inside another.
	f.Add("|x@example.com\n  al   SMITH |al@example.com\nAl Smithers|als@example.com", "Al Smith", "something failed for user Al Smithers.")
	// Created, and refused by email: a contradiction.
	f.Add("Ada Lovelace|ada@example.com", "Ada Lovelace", "Could not send the invite to ada@example.com: mailbox full")
	// Nothing in the answer.
	f.Add("Dee Ray|dee@example.com", "", "")

	f.Fuzz(func(t *testing.T, peopleText, createdText, errsText string) {
		people := fuzzPeople(peopleText)
		created, errs := fuzzLines(createdText), fuzzLines(errsText)

		got := Royalti(people, created, errs)
		if len(got) != len(people) {
			t.Fatalf("%d results for %d people", len(got), len(people))
		}
		if again := Royalti(people, created, errs); !reflect.DeepEqual(got, again) {
			t.Fatalf("not deterministic:\n%+v\n%+v", got, again)
		}

		reversed := slices.Clone(people)
		slices.Reverse(reversed)
		back := Royalti(reversed, created, errs)
		for i := range got {
			if v := back[len(back)-1-i].Verdict; v != got[i].Verdict {
				t.Errorf("person %d (%+v): verdict %v, but %v when the people are reversed", i, people[i], got[i].Verdict, v)
			}
		}

		createdByName := map[string]int{}
		for _, n := range created {
			createdByName[Key(n)]++
		}
		unusedErrs := map[string]int{}
		for _, e := range errs {
			unusedErrs[e]++
		}
		createdSeen := map[string]int{}
		failedSeen, named := map[string]int{}, map[string]int{}
		for _, p := range people {
			named[Key(p.Name)]++
		}
		for i, r := range got {
			switch r.Verdict {
			case Created:
				if r.Reason != "" {
					t.Errorf("person %d created with a reason %q", i, r.Reason)
				}
				k := Key(people[i].Name)
				if createdSeen[k]++; createdSeen[k] > createdByName[k] {
					t.Errorf("more people named %q created than the answer names (%d)", people[i].Name, createdByName[k])
				}
			case Failed:
				if unusedErrs[r.Reason] == 0 {
					t.Errorf("person %d failed with %q, which is not an unused error of the answer", i, r.Reason)
				}
				unusedErrs[r.Reason]--
				if k := Key(people[i].Name); k != "" {
					failedSeen[k]++
					if failedSeen[k]+createdByName[k] > named[k] {
						t.Errorf("person %d (%q) failed, but the answer also names everyone else of that name and them created", i, people[i].Name)
					}
				}
			case Unknown:
				if r.Reason == "" {
					t.Errorf("person %d unknown with no reason", i)
				}
			default:
				t.Errorf("person %d: verdict %d", i, r.Verdict)
			}
		}
	})
}

// fuzzPeople reads lines of "Name|email", at most 64 of them.
func fuzzPeople(s string) []Person {
	var out []Person
	for _, line := range strings.Split(s, "\n") {
		if len(out) == 64 {
			break
		}
		name, email, _ := strings.Cut(line, "|")
		out = append(out, Person{Name: name, Email: email})
	}
	return out
}

// fuzzLines splits s into lines, none for an empty s, at most 64.
func fuzzLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	return lines[:min(len(lines), 64)]
}
