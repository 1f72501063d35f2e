package node

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// param describes one query parameter an endpoint accepts. parseQuery is
// strict: a parameter not described, a single-valued one given twice, an
// empty value where none is allowed and a value check fails are 400
// bad-query problems naming the parameter.
type param struct {
	name string
	// multi: the parameter may repeat and each value is a comma-separated
	// list (filters: OR within a filter).
	multi bool
	// empty: an empty value is allowed (q=) and kept.
	empty bool
	// check validates one value (each list element for multi); its error
	// text is the message, its rule the problem's rule.
	check func(string) *paramError
}

// paramError is a failed value check: the rule and a message.
type paramError struct{ rule, msg string }

// query is a strictly parsed query string: values by parameter (lists
// split and trimmed).
type query map[string][]string

func (q query) get(name string) string {
	if v := q[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (q query) has(name string) bool { _, ok := q[name]; return ok }

// limit is the checked limit (limitParam), or def when absent.
func (q query) limit(def int) (int, error) {
	s := q.get("limit")
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

// filters returns the values of the named parameters that are present.
func (q query) filters(names []string) map[string][]string {
	out := map[string][]string{}
	for _, name := range names {
		if v, ok := q[name]; ok {
			out[name] = v
		}
	}
	return out
}

// parseQuery reads r's query string against params. Every problem found is
// reported in one 400 problem, by parameter name.
func parseQuery(r *http.Request, params ...param) (query, error) {
	var errs []protocol.FieldError
	bad := func(field, rule, format string, args ...any) {
		errs = append(errs, protocol.FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	raw, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		bad("query", "syntax", "the query string is malformed: %v", err)
	}
	byName := map[string]param{}
	names := make([]string, 0, len(params))
	for _, p := range params {
		byName[p.name] = p
		names = append(names, p.name)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := query{}
	for _, k := range keys {
		vs := raw[k]
		p, ok := byName[k]
		switch {
		case !ok:
			known := "none"
			if len(names) > 0 {
				known = strings.Join(names, ", ")
			}
			bad(k, "unknown_parameter", "%q is not a parameter here (parameters: %s)", k, known)
			continue
		case !p.multi && len(vs) > 1:
			bad(k, "repeated", "%s is given %d times; give it once", k, len(vs))
			continue
		}
		var values []string
		for _, v := range vs {
			parts := []string{v}
			if p.multi {
				parts = strings.Split(v, ",")
			}
			for _, part := range parts {
				if p.multi {
					part = strings.TrimSpace(part)
				}
				if part == "" && !p.empty {
					bad(k, "required", "%s has an empty value: give a value or leave the parameter out", k)
					continue
				}
				if p.check != nil && part != "" {
					if pe := p.check(part); pe != nil {
						bad(k, pe.rule, "%s", pe.msg)
						continue
					}
				}
				values = append(values, part)
			}
		}
		out[k] = values
	}
	if len(errs) > 0 {
		details := make([]string, len(errs))
		for i, e := range errs {
			details[i] = e.Field + ": " + e.Message
		}
		return nil, &apiError{status: http.StatusBadRequest, name: "bad-query", title: "Bad query",
			detail: strings.Join(details, "; "), errs: errs}
	}
	return out, nil
}

// limitParam is ?limit=: a decimal number from 1 to max, written plainly
// (no sign, no leading zero).
func limitParam(max int) param {
	return param{name: "limit", check: func(s string) *paramError {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > max || strconv.Itoa(v) != s {
			return &paramError{"range", fmt.Sprintf("limit %q is not a number from 1 to %d", s, max)}
		}
		return nil
	}}
}

// oneOf is a check for an enumeration.
func oneOf(allowed ...string) func(string) *paramError {
	return func(s string) *paramError {
		if slices.Contains(allowed, s) {
			return nil
		}
		return &paramError{"enum", fmt.Sprintf("%q is not one of %s", s, strings.Join(allowed, ", "))}
	}
}

// checkLangParam accepts the language tags the search understands: a BCP 47
// language subtag (2 or 3 letters) with an optional script (4 letters) and
// region (2 letters or 3 digits): "en", "en-GB", "sr-Latn-RS", "es-419".
// Variants, extensions and private use change nothing in a search and are
// refused, as is anything that is not a BCP 47 tag.
func checkLangParam(s string) *paramError {
	parts := strings.Split(s, "-")
	ok := protocol.ValidBCP47(s) && len(parts) <= 3 && isLetters(parts[0], 2, 3)
	i := 1
	if ok && i < len(parts) && isLetters(parts[i], 4, 4) {
		i++
	}
	if ok && i < len(parts) && (isLetters(parts[i], 2, 2) || isDigits(parts[i], 3)) {
		i++
	}
	if !ok || i != len(parts) {
		return &paramError{"language", fmt.Sprintf("%q is not a language tag of the form language[-Script][-REGION] (e.g. en, en-GB, sr-Latn-RS, es-419)", s)}
	}
	return nil
}

// checkTagParam accepts any well-formed BCP 47 tag (the language filter
// matches the tags objects carry).
func checkTagParam(s string) *paramError {
	if !protocol.ValidBCP47(s) {
		return &paramError{"bcp47", fmt.Sprintf("%q is not a BCP 47 language tag (e.g. en, it, lv)", s)}
	}
	return nil
}

func checkKindParam(s string) *paramError {
	if !knownKind(protocol.Kind(s)) {
		return &paramError{"enum", fmt.Sprintf("%q is not an object type", s)}
	}
	return nil
}

func isLetters(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// filterParams describes the filters of listing and search.
func filterParams(names []string) []param {
	out := make([]param, 0, len(names))
	for _, name := range names {
		p := param{name: name, multi: true}
		switch name {
		case "type":
			p.check = checkKindParam
		case "language":
			p.check = checkTagParam
		case "verified":
			p.check = oneOf(protocol.Verified, protocol.Unverified, protocol.Invalid, "unsigned")
		}
		out = append(out, p)
	}
	return out
}
