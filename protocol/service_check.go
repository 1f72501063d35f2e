package protocol

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidIRI reports whether s is an absolute IRI: a scheme (a letter, then
// letters, digits, '+', '-', '.'), a colon and a non-empty rest, at most
// MaxURLBytes long, valid UTF-8, without whitespace or control characters.
// http and https IRIs must also have a host. Blank-node labels ("_:b0") and
// relative references are not IRIs.
func ValidIRI(s string) bool {
	if s == "" || len(s) > MaxURLBytes || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" || !validScheme(scheme) {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return ValidHTTPURL(s)
	}
	return true
}

func validScheme(s string) bool {
	if s == "" || !isAlpha(s[:1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(s[i:i+1]) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// ValidDuration reports whether s is an ISO 8601 duration as xsd:duration
// writes it ("P1Y2M10DT2H30M", "PT36H", "P0.5D"), or the ISO 8601 week form
// ("P2W"). At least one component; a 'T' must be followed by a time
// component; a decimal fraction (with '.' or ',') only on the last component.
// Negative durations are refused: a processing time cannot be negative.
func ValidDuration(s string) bool {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return false
	}
	if n, ok := strings.CutSuffix(rest, "W"); ok {
		return durationNumber(n)
	}
	date, tm, hasT := strings.Cut(rest, "T")
	if hasT && tm == "" {
		return false
	}
	components := 0
	fraction := false
	parse := func(part, designators string) bool {
		last := -1
		for part != "" {
			if fraction {
				return false // a fraction was not on the last component
			}
			i := strings.IndexFunc(part, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.' || r == ',') })
			if i <= 0 {
				return false
			}
			num, d := part[:i], part[i]
			pos := strings.IndexByte(designators, d)
			if pos <= last || !durationNumber(num) {
				return false
			}
			fraction = strings.ContainsAny(num, ".,")
			last = pos
			components++
			part = part[i+1:]
		}
		return true
	}
	if !parse(date, "YMD") {
		return false
	}
	before := components
	if hasT && (!parse(tm, "HMS") || components == before) {
		return false
	}
	return components > 0
}

func durationNumber(n string) bool {
	whole, frac, hasFrac := strings.Cut(strings.Replace(n, ",", ".", 1), ".")
	return whole != "" && isDigit(whole) && (!hasFrac || (frac != "" && isDigit(frac)))
}

// ValidEmail reports whether s is a bare e-mail address ("a@b.example",
// without a display name or angle brackets).
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "<> \t\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// ValidTelephone reports whether s looks like a telephone number: an
// optional "tel:" prefix, then digits with '+', spaces, '(', ')', '-', '.'
// and '/', and at least three digits.
func ValidTelephone(s string) bool {
	s = strings.TrimPrefix(s, "tel:")
	if s == "" || len(s) > 64 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case strings.IndexByte("+ ()-./", c) >= 0:
		default:
			return false
		}
	}
	return digits >= 3
}

// iri checks an absolute IRI (rule "iri"; "required" when empty and required).
func (e *ValidationError) iri(field, value string, required bool) {
	switch {
	case value == "":
		if required {
			e.Add(field, "required", "is required")
		}
	case len(value) > MaxURLBytes:
		e.Add(field, "max_length", "is longer than %d bytes", MaxURLBytes)
	case !ValidIRI(value):
		e.Add(field, "iri", "%q is not an absolute IRI", Clip(value, 64))
	}
}

// iris checks a list of absolute IRIs, each present once (rule "unique").
func (e *ValidationError) iris(field string, values []string) {
	if len(values) > MaxListItems {
		e.Add(field, "max_items", "has %d items, more than %d", len(values), MaxListItems)
		return
	}
	for i, v := range values {
		f := IndexField(field, i)
		e.iri(f, v, true)
		if slices.Index(values, v) < i {
			e.Add(f, "unique", "%q is listed twice", Clip(v, 64))
		}
	}
}

// maxItems checks the length of a list of structured items.
func (e *ValidationError) maxItems(field string, n int) bool {
	if n > MaxListItems {
		e.Add(field, "max_items", "has %d items, more than %d", n, MaxListItems)
		return false
	}
	return true
}
