// Package validate holds the input rules shared by the request types and the
// command: a collector of field problems, the syntax checks the API documents
// name, and the loopback check for plain-http and listening addresses.
package validate

import (
	"fmt"
	"net/mail"
	"net/netip"
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

// UUIDs checks every element of ids, naming each by its index. The
// element's path is built only for an element that has a problem.
func (p *Problems) UUIDs(path string, ids []string) {
	for i, id := range ids {
		switch {
		case id == "":
			p.Add(fmt.Sprintf("%s[%d]", path, i), "is empty")
		case !IsUUID(id):
			p.UUID(fmt.Sprintf("%s[%d]", path, i), id)
		}
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
	if isPlainAddress(s) {
		return true // what mail.ParseAddress accepts unchanged, without its allocations
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

// isPlainAddress reports whether s is a dot-atom local part of RFC 5322
// atext, "@", and a domain of two or more dot-separated labels of letters,
// digits and hyphens: the common form, which mail.ParseAddress accepts with
// Address == s and which passes IsEmail's domain checks. Anything else is
// left to the full parser.
func isPlainAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 1 || at != strings.LastIndexByte(s, '@') {
		return false
	}
	domain := s[at+1:]
	return isDotAtom(s[:at], isAtext) && isDotAtom(domain, isDomainByte) && strings.IndexByte(domain, '.') > 0
}

// isDotAtom reports whether s is one or more runs of bytes that ok accepts,
// joined by single dots.
func isDotAtom(s string, ok func(byte) bool) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if s[i-1] == '.' {
				return false
			}
			continue
		}
		if !ok(c) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isAtext reports whether c is an ASCII atext character (RFC 5322 3.2.3).
func isAtext(c byte) bool {
	return isAlnum(c) || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isDomainByte(c byte) bool { return isAlnum(c) || c == '-' }

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

// IsLoopbackHost reports whether host is "localhost", in any case (RFC 4343),
// or a loopback IP address, IPv4-mapped included. An empty host, which
// listens on every interface, is not.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
