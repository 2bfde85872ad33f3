package onboardtest

import (
	"net/url"
	"strconv"
	"strings"
)

// paramRoute is a route whose path has parameters, such as
// "/royalti/user/{id}".
type paramRoute struct {
	pattern string
	ep      *endpoint
}

// match reports whether path fits the pattern segment by segment, and
// returns the parameters. A parameter matches one non-empty segment.
func (rt paramRoute) match(path string) (map[string]string, bool) {
	var params map[string]string
	pat := rt.pattern
	for {
		pseg, prest, pmore := strings.Cut(pat, "/")
		seg, rest, more := strings.Cut(path, "/")
		if name, ok := strings.CutPrefix(pseg, "{"); ok {
			if seg == "" {
				return nil, false
			}
			if params == nil {
				params = make(map[string]string, 2)
			}
			params[strings.TrimSuffix(name, "}")] = seg
		} else if seg != pseg {
			return nil, false
		}
		if pmore != more {
			return nil, false
		}
		if !more {
			return params, true
		}
		pat, path = prest, rest
	}
}

// lookup finds the endpoint for a path and method. allow lists the methods
// the path is served with (none: 404); ep is nil when method is not one of
// them (405). A fixed route hides the parameter routes its path would
// match.
func lookup(path, method string) (ep *endpoint, params map[string]string, allow []string) {
	if fixed := endpoints[path]; fixed != nil {
		if fixed.method == method {
			return fixed, nil, []string{method}
		}
		return nil, nil, []string{fixed.method}
	}
	for _, rt := range paramRoutes {
		p, ok := rt.match(path)
		if !ok {
			continue
		}
		if rt.ep.method == method {
			return rt.ep, p, []string{method}
		}
		allow = append(allow, rt.ep.method)
	}
	return nil, nil, allow
}

// unknownQuery returns the first query parameter, in sorted order, that is
// not one of known, or "" if there is none. List endpoints refuse unknown
// names as the JSON decoder refuses unknown fields: a misspelt parameter
// fails instead of being ignored.
func unknownQuery(q url.Values, known ...string) string {
	first := ""
	for name := range q {
		found := false
		for _, k := range known {
			if name == k {
				found = true
				break
			}
		}
		if !found && (first == "" || name < first) {
			first = name
		}
	}
	return first
}

// intQuery reads an integer query parameter. It returns def when the
// parameter is absent, and false when it is not a whole number in
// [lo, hi].
func intQuery(q url.Values, name string, def, lo, hi int) (int, bool) {
	if !q.Has(name) {
		return def, true
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// pageBounds returns the slice bounds of page (from 1) of size items out of
// total; a page past the end is empty.
func pageBounds(page, size, total int) (lo, hi int) {
	if page-1 > total/size {
		return total, total
	}
	lo = min((page-1)*size, total)
	return lo, min(lo+size, total)
}
