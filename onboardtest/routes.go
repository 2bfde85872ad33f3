package onboardtest

import "strings"

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
