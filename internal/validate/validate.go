// Package validate holds the input rules shared by the request types: a
// collector of field problems and the syntax checks the API documents name.
package validate

import (
	"fmt"
	"net/mail"
	"strings"
)

// Problem is one thing wrong with one field of a request.
type Problem struct {
	Field   string
	Message string
}

// Problems collects every problem found in one request, each under its field
// path (for example "users[3].email").
type Problems struct {
	list []Problem
}

// Add records a problem with the field at path.
func (p *Problems) Add(path, format string, args ...any) {
	p.list = append(p.list, Problem{Field: path, Message: fmt.Sprintf(format, args...)})
}

// List returns the problems in the order they were found.
func (p *Problems) List() []Problem { return p.list }

// Empty reports whether no problem was found.
func (p *Problems) Empty() bool { return len(p.list) == 0 }

// Required records a problem when v is blank.
func (p *Problems) Required(path, v string) bool {
	if strings.TrimSpace(v) == "" {
		p.Add(path, "is required")
		return false
	}
	return true
}

// Email records a problem when v is blank or not a plain email address.
func (p *Problems) Email(path, v string) {
	if !p.Required(path, v) {
		return
	}
	if !IsEmail(v) {
		p.Add(path, "%q is not a valid email address", v)
	}
}

// UUID records a problem when v is set and is not a UUID.
func (p *Problems) UUID(path, v string) {
	if v != "" && !IsUUID(v) {
		p.Add(path, "%q is not a UUID", v)
	}
}

// RequiredUUID records a problem when v is blank or not a UUID.
func (p *Problems) RequiredUUID(path, v string) {
	if p.Required(path, v) {
		p.UUID(path, v)
	}
}

// UUIDs checks every element of ids, naming each by its index.
func (p *Problems) UUIDs(path string, ids []string) {
	for i, id := range ids {
		el := fmt.Sprintf("%s[%d]", path, i)
		if id == "" {
			p.Add(el, "is empty")
			continue
		}
		p.UUID(el, id)
	}
}

// OneOf records a problem when v is set and is not one of allowed.
func (p *Problems) OneOf(path, v string, allowed ...string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	p.Add(path, "%q is not one of %s", v, strings.Join(allowed, ", "))
}

// IsEmail reports whether s is a bare email address with a dotted domain,
// such as "ada@example.com". Display-name forms ("Ada <ada@example.com>") and
// surrounding spaces are refused, since the services take the address alone.
func IsEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	return true
}

// IsUUID reports whether s has the canonical 8-4-4-4-12 hexadecimal UUID form.
// Any version is accepted, as in the documents' examples.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
