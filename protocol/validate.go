package protocol

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits shared by the validators of every kind.
const (
	MaxNameRunes         = 512       // names and titles, per language
	MaxDescriptionBytes  = 64 << 10  // descriptions, per language (UTF-8 bytes; see TextBytes)
	MaxInstructionsBytes = 256 << 10 // instructions (markdown), per language (UTF-8 bytes)
	MaxDescriptionRunes  = 64 << 10  // descriptions, per language, for callers of Text that count runes
	MaxShortRunes        = 256       // enum-like and identifier-like strings
	MaxURLBytes          = 2048      // URLs and IRIs
	MaxKeyLength         = 128       // natural keys (slugs)
	MaxLanguages         = 64        // languages in one Text or TextList
	MaxListItems         = 1024      // items in one list field
	maxTagLength         = 64        // BCP 47 tags
)

// ValidBCP47 reports whether tag is a well-formed BCP 47 (RFC 5646) language
// tag in practice: a primary language subtag of 2-3 letters with up to three
// 3-letter extended subtags, then an optional script (4 letters), an
// optional region (2 letters or 3 digits), variants (5-8 alphanumerics, or a
// digit and 3 alphanumerics), extensions (a singleton and 2-8 alphanumerics)
// and a private-use part ("x-" and 1-8 alphanumerics); or a private-use tag
// alone ("x-..."). Case does not matter. The grammar also allows 4-8 letter
// primary subtags, but 4 letters are reserved and the IANA registry holds no
// 5-8 letter language, so such tags are refused: "english" is a spelling
// mistake, not a language tag. "", "en_US" and "en-" are refused too.
func ValidBCP47(tag string) bool {
	if tag == "" || len(tag) > maxTagLength {
		return false
	}
	parts := strings.Split(tag, "-")
	for _, p := range parts {
		if p == "" || len(p) > 8 || !isAlnum(p) {
			return false
		}
	}
	i := 0
	// A tag that is all private use: "x-whatever".
	if strings.EqualFold(parts[0], "x") {
		return privateUse(parts[1:])
	}
	lang := parts[0]
	if !isAlpha(lang) || len(lang) < 2 || len(lang) > 3 {
		return false
	}
	i++
	// Up to three extended language subtags.
	for n := 0; n < 3 && i < len(parts) && len(parts[i]) == 3 && isAlpha(parts[i]); n++ {
		i++
	}
	if i < len(parts) && len(parts[i]) == 4 && isAlpha(parts[i]) { // script
		i++
	}
	if i < len(parts) && ((len(parts[i]) == 2 && isAlpha(parts[i])) || (len(parts[i]) == 3 && isDigit(parts[i]))) { // region
		i++
	}
	for i < len(parts) && isVariant(parts[i]) {
		i++
	}
	for i < len(parts) && len(parts[i]) == 1 && !strings.EqualFold(parts[i], "x") { // extensions
		i++
		n := 0
		for i < len(parts) && len(parts[i]) >= 2 {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	if i < len(parts) && strings.EqualFold(parts[i], "x") {
		return privateUse(parts[i+1:])
	}
	return i == len(parts)
}

func privateUse(parts []string) bool {
	return len(parts) > 0 // every part is already 1-8 alphanumerics
}

func isVariant(s string) bool {
	switch {
	case len(s) >= 5:
		return true // 5-8 alphanumerics (length and charset checked by the caller)
	case len(s) == 4:
		return s[0] >= '0' && s[0] <= '9'
	}
	return false
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9') && !((c|0x20) >= 'a' && (c|0x20) <= 'z') {
			return false
		}
	}
	return true
}

// ValidSlug reports whether s is a natural key: 1-128 ASCII letters, digits,
// '_', '-' and '.', starting with a letter or a digit (so that a key is
// always a safe file name: never "." or "..").
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxKeyLength || !isAlnum(s[:1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9') && !((c|0x20) >= 'a' && (c|0x20) <= 'z') && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// MapField names the member key of the map at field: "name.en", or
// `name["en US"]` when key is empty or holds characters other than ASCII
// letters, digits, '_' and '-'.
func MapField(field, key string) string {
	plain := key != ""
	for i := 0; i < len(key) && plain; i++ {
		c := key[i]
		plain = (c >= '0' && c <= '9') || ((c|0x20) >= 'a' && (c|0x20) <= 'z') || c == '_' || c == '-'
	}
	if plain {
		return field + "." + key
	}
	return field + "[" + strconv.Quote(key) + "]"
}

// IndexField names element i of the list at field: "targets[2]".
func IndexField(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// textChecks is what a string value must pass: valid UTF-8, at most maxRunes
// runes, and no control characters (multiline allows tab, LF and CR).
// It records at most one failure and reports whether the value passed.
func (e *ValidationError) textChecks(field, value string, maxRunes int, multiline bool) bool {
	if !utf8.ValidString(value) {
		e.Add(field, "utf8", "is not valid UTF-8")
		return false
	}
	if maxRunes > 0 && utf8.RuneCountInString(value) > maxRunes {
		e.Add(field, "max_length", "is longer than %d characters", maxRunes)
		return false
	}
	for _, r := range value {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			e.Add(field, "control_char", "holds the control character %U", r)
			return false
		}
	}
	return true
}

// Text checks multilingual text: every key a well-formed BCP 47 tag (rule
// "bcp47"), every value valid UTF-8 ("utf8"), at most maxRunes runes
// ("max_length", 0 = unbounded) and free of control characters other than
// tab, LF and CR ("control_char"); at most MaxLanguages languages
// ("max_items"). When required, at least one language must hold non-blank
// text ("required"); single languages may be empty, as in the INTERLINK data.
func (e *ValidationError) Text(field string, t Text, required bool, maxRunes int) {
	filled := false
	eachLanguage(e, field, t, func(f, v string) {
		if e.textChecks(f, v, maxRunes, true) && strings.TrimSpace(v) != "" {
			filled = true
		}
	})
	if required && !filled && len(t) <= MaxLanguages {
		e.Add(field, "required", "is required in at least one language")
	}
}

// eachLanguage checks a per-language value: at most MaxLanguages languages
// ("max_items"; nothing else is checked then), each key a well-formed BCP
// 47 tag ("bcp47"), then each value with check, in the order of the tags.
func eachLanguage[V any](e *ValidationError, field string, m map[string]V, check func(field string, value V)) {
	if len(m) > MaxLanguages {
		e.Add(field, "max_items", "has %d languages, more than %d", len(m), MaxLanguages)
		return
	}
	for _, lang := range slices.Sorted(maps.Keys(m)) {
		f := MapField(field, lang)
		if !ValidBCP47(lang) {
			e.Add(f, "bcp47", "%q is not a well-formed BCP 47 language tag", lang)
		}
		check(f, m[lang])
	}
}

// TextBytes checks multilingual text as Text does, bounding each value by
// its size in UTF-8 bytes instead of runes ("max_length"): for long prose
// (descriptions, instructions) whose limits are sizes.
func (e *ValidationError) TextBytes(field string, t Text, required bool, maxBytes int) {
	n := len(e.Errors)
	e.Text(field, t, required, 0)
	if len(e.Errors) > n && len(t) > MaxLanguages {
		return
	}
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		if len(t[lang]) > maxBytes {
			e.Add(MapField(field, lang), "max_length", "is larger than %d bytes", maxBytes)
		}
	}
}

// TextList checks a multilingual list (tags, keywords): every key a
// well-formed BCP 47 tag ("bcp47"), at most MaxLanguages languages and
// MaxListItems items per language ("max_items"), every item non-blank
// ("required"), single-line ("control_char"), valid UTF-8 ("utf8") and at most
// maxRunes runes ("max_length", 0 = unbounded).
func (e *ValidationError) TextList(field string, t TextList, maxRunes int) {
	eachLanguage(e, field, t, func(f string, items []string) {
		if len(items) > MaxListItems {
			e.Add(f, "max_items", "has %d items, more than %d", len(items), MaxListItems)
			return
		}
		for i, v := range items {
			fi := IndexField(f, i)
			if e.textChecks(fi, v, maxRunes, false) && strings.TrimSpace(v) == "" {
				e.Add(fi, "required", "is empty")
			}
		}
	})
}

// Enum checks that a non-empty value is one of allowed (rule "enum"). An
// empty value passes: use String with required=true to demand one.
func (e *ValidationError) Enum(field, value string, allowed ...string) {
	if value == "" || slices.Contains(allowed, value) {
		return
	}
	if !utf8.ValidString(value) {
		e.Add(field, "utf8", "is not valid UTF-8")
		return
	}
	e.Add(field, "enum", "%q is not one of %s", Clip(value, 64), strings.Join(allowed, ", "))
}

// String checks a single-line string: non-blank when required ("required"),
// valid UTF-8 ("utf8"), at most maxRunes runes ("max_length", 0 = unbounded)
// and free of control characters, newlines included ("control_char").
// Multi-line prose belongs in a Text.
func (e *ValidationError) String(field, value string, required bool, maxRunes int) {
	if strings.TrimSpace(value) == "" {
		if required {
			e.Add(field, "required", "is required")
		} else if value != "" {
			e.textChecks(field, value, maxRunes, false)
		}
		return
	}
	e.textChecks(field, value, maxRunes, false)
}

// StringList checks every item of a list with String (items required, i.e.
// non-blank) and the list's length (at most MaxListItems, "max_items").
func (e *ValidationError) StringList(field string, values []string, maxRunes int) {
	if len(values) > MaxListItems {
		e.Add(field, "max_items", "has %d items, more than %d", len(values), MaxListItems)
		return
	}
	for i, v := range values {
		e.String(IndexField(field, i), v, true, maxRunes)
	}
}

// Slug checks a natural key (see ValidSlug): rule "slug"; "required" when
// empty and required.
func (e *ValidationError) Slug(field, value string, required bool) {
	switch {
	case value == "":
		if required {
			e.Add(field, "required", "is required")
		}
	case !ValidSlug(value):
		e.Add(field, "slug", "%q is not 1-%d letters, digits, '_', '-' or '.' starting with a letter or digit", Clip(value, 64), MaxKeyLength)
	}
}

// Languages checks a list of BCP 47 tags (rule "bcp47" per item).
func (e *ValidationError) Languages(field string, tags []string) {
	if len(tags) > MaxLanguages {
		e.Add(field, "max_items", "has %d languages, more than %d", len(tags), MaxLanguages)
		return
	}
	for i, tag := range tags {
		if !ValidBCP47(tag) {
			e.Add(IndexField(field, i), "bcp47", "%q is not a well-formed BCP 47 language tag", Clip(tag, 64))
		}
	}
}

// URL checks an absolute http or https URL with a host, at most MaxURLBytes
// long, free of spaces and control characters: "required" when empty and
// required, "max_length", "url" otherwise.
func (e *ValidationError) URL(field, value string, required bool) {
	if value == "" {
		if required {
			e.Add(field, "required", "is required")
		}
		return
	}
	if len(value) > MaxURLBytes {
		e.Add(field, "max_length", "is longer than %d bytes", MaxURLBytes)
		return
	}
	if !ValidHTTPURL(value) {
		e.Add(field, "url", "%q is not an absolute http or https URL", Clip(value, 64))
	}
}

// ValidHTTPURL reports whether s is an absolute http or https URL with a host
// and without whitespace, control characters or invalid UTF-8.
func ValidHTTPURL(s string) bool {
	if s == "" || len(s) > MaxURLBytes || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}
