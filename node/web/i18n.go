package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
)

//go:embed locales/*.json
var localeFS embed.FS

// supported are the interface's languages, English the default.
var supported = []struct{ tag, name string }{
	{"en", "English"}, {"es", "Español"}, {"it", "Italiano"}, {"lv", "Latviešu"},
}

// dateLayouts format dates and times per language.
var dateLayouts = map[string]string{
	"en": "2 Jan 2006, 15:04 MST",
	"es": "02/01/2006 15:04 MST",
	"it": "02/01/2006 15:04 MST",
	"lv": "02.01.2006. 15:04 MST",
}

type translations struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	tags    []language.Tag
}

func loadTranslations() (*translations, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := make([]language.Tag, 0, len(supported))
	for _, l := range supported {
		files, err := localeFiles(l.tag)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if _, err := b.LoadMessageFileFS(localeFS, f); err != nil {
				return nil, fmt.Errorf("web: messages %s: %w", f, err)
			}
		}
		tags = append(tags, language.MustParse(l.tag))
	}
	return &translations{bundle: b, matcher: language.NewMatcher(tags), tags: tags}, nil
}

// localeFiles are the message files of one language: locales/TAG.json and
// one locales/AREA.TAG.json per area of the interface (editor, admin,
// processes...), so that each area keeps its messages together.
func localeFiles(tag string) ([]string, error) {
	main := "locales/" + tag + ".json"
	areas, err := fs.Glob(localeFS, "locales/*."+tag+".json")
	if err != nil {
		return nil, fmt.Errorf("web: messages %s: %w", tag, err)
	}
	return append([]string{main}, areas...), nil
}

// locale is the reader's language: messages, numbers and dates.
type locale struct {
	Tag string
	loc *i18n.Localizer
	p   *message.Printer
}

// langCookie remembers the language picked with the switcher.
const langCookie = "lang"

func isSupported(tag string) bool {
	for _, l := range supported {
		if l.tag == tag {
			return true
		}
	}
	return false
}

// pick chooses the language: ?lang= (remembered in a cookie), then the
// cookie, then Accept-Language, then English.
func (t *translations) pick(w http.ResponseWriter, r *http.Request, secure bool) string {
	if q := strings.ToLower(r.URL.Query().Get("lang")); isSupported(q) {
		if c, err := r.Cookie(langCookie); (err != nil || c.Value != q) && w != nil {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
		}
		return q
	}
	if c, err := r.Cookie(langCookie); err == nil && isSupported(c.Value) {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		if prefs, _, err := language.ParseAcceptLanguage(al); err == nil && len(prefs) > 0 {
			_, i, conf := t.matcher.Match(prefs...)
			if conf != language.No {
				return supported[i].tag
			}
		}
	}
	return "en"
}

func (t *translations) locale(tag string) *locale {
	return &locale{Tag: tag, loc: i18n.NewLocalizer(t.bundle, tag), p: message.NewPrinter(language.MustParse(tag))}
}

func (h *Handler) locale(w http.ResponseWriter, r *http.Request) *locale {
	if l, ok := r.Context().Value(localeKey{}).(*locale); ok {
		return l
	}
	return h.i18n.locale(h.i18n.pick(w, r, h.d.Secure))
}

type localeKey struct{}

// T translates a message id.
func (l *locale) T(id string) string {
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return id
	}
	return s
}

// Tf translates a message id whose text has {{.N}}, given n (formatted
// for the language).
func (l *locale) Tf(id string, n any) string {
	if i, ok := n.(int); ok {
		n = l.Num(i)
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: map[string]any{"N": n}})
	if err != nil {
		return id
	}
	return s
}

// Td translates a message id whose text has named fields ({{.Signer}}).
func (l *locale) Td(id string, data map[string]any) string {
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Num formats a whole number with the language's digit grouping.
func (l *locale) Num(n any) string { return l.p.Sprintf("%d", n) }

// Date formats a time in the language's way (UTC).
func (l *locale) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(dateLayouts[l.Tag])
}

// LangName names a language tag in the reader's language when it is one
// of the interface's, else returns the tag.
func (l *locale) LangName(tag string) string {
	if isSupported(tag) {
		return l.T("lang." + tag)
	}
	return tag
}

var funcs = template.FuncMap{
	"lower": strings.ToLower,
	"arr":   func(v ...any) []any { return v },
}

// CountryName names an ISO 3166-1 alpha-2 code in the reader's language
// (CLDR names from golang.org/x/text), else returns the code.
func (l *locale) CountryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if name := display.Regions(language.Make(l.Tag)).Name(r); name != "" {
		return name
	}
	return code
}
