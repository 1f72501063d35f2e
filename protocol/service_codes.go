package protocol

import (
	"strings"
	"sync"
)

// Bases of the EU authority tables (the Publications Office's controlled
// vocabularies) and of the NUTS codes, which CPSV-AP uses for dct:spatial,
// dct:language and cv:currency.
const (
	CountryAuthority  = "http://publications.europa.eu/resource/authority/country/"
	LanguageAuthority = "http://publications.europa.eu/resource/authority/language/"
	ATUAuthority      = "http://publications.europa.eu/resource/authority/atu/"
	CurrencyAuthority = "http://publications.europa.eu/resource/authority/currency/"
	NUTSBase          = "http://data.europa.eu/nuts/code/"
)

// alpha2ByAlpha3 is the reverse of countryAlpha3.
var alpha2ByAlpha3 = sync.OnceValue(func() map[string]string { return reverse(countryAlpha3) })

// languageByAlpha3 maps ISO 639-3 and 639-2/B codes back to ISO 639-1.
var languageByAlpha3 = sync.OnceValue(func() map[string]string {
	m := reverse(languageAlpha3)
	for two, three := range languageBibliographic {
		m[three] = two
	}
	return m
})

func reverse(m map[string]string) map[string]string {
	r := make(map[string]string, len(m))
	for k, v := range m {
		r[v] = k
	}
	return r
}

// ValidCountryCode reports whether code is an ISO 3166-1 alpha-2 country code
// in upper case ("IT"), or XK (Kosovo, as the EU country table lists it).
func ValidCountryCode(code string) bool {
	_, ok := countryAlpha3[code]
	return ok
}

// CountryIRI returns the EU country authority IRI of an ISO 3166-1 alpha-2
// code ("IT" gives ".../authority/country/ITA"), or "" for an unknown code.
func CountryIRI(alpha2 string) string {
	if a3, ok := countryAlpha3[strings.ToUpper(alpha2)]; ok {
		return CountryAuthority + a3
	}
	return ""
}

// CountryFromSpatial returns the ISO 3166-1 alpha-2 code that a spatial
// value names, or "" when it names no country: an alpha-2 code in either
// case ("it"), an EU country authority IRI (".../country/ITA"), an EU
// administrative-territorial-unit IRI whose code is a country
// (".../atu/BEL"), or a NUTS IRI (".../nuts/code/BE1", where EL is Greece
// and UK the United Kingdom). http and https forms are both read.
func CountryFromSpatial(s string) string {
	if len(s) == 2 {
		if up := strings.ToUpper(s); ValidCountryCode(up) {
			return up
		}
		return ""
	}
	if code, ok := authorityCode(s, CountryAuthority); ok {
		return alpha2ByAlpha3()[strings.ToUpper(code)]
	}
	if code, ok := authorityCode(s, ATUAuthority); ok && len(code) == 3 {
		return alpha2ByAlpha3()[strings.ToUpper(code)]
	}
	if code, ok := authorityCode(s, NUTSBase); ok && len(code) >= 2 {
		c := strings.ToUpper(code[:2])
		switch c {
		case "EL":
			c = "GR"
		case "UK":
			c = "GB"
		}
		if ValidCountryCode(c) {
			return c
		}
	}
	return ""
}

// authorityCode returns the code after base in iri, accepting https for http.
func authorityCode(iri, base string) (string, bool) {
	if code, ok := strings.CutPrefix(iri, base); ok && code != "" && !strings.Contains(code, "/") {
		return code, true
	}
	if code, ok := strings.CutPrefix(iri, "https"+strings.TrimPrefix(base, "http")); ok && code != "" && !strings.Contains(code, "/") {
		return code, true
	}
	return "", false
}

// LanguageIRI returns the EU language authority IRI for a BCP 47 tag whose
// primary subtag is an ISO 639-1 code or an ISO 639-3 code ("en" and "en-GB"
// give ".../authority/language/ENG"), or "" when it knows no such entry.
// Subtags after the primary one (region, script) have no place in the table
// and are dropped.
func LanguageIRI(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
	switch len(primary) {
	case 2:
		if a3, ok := languageAlpha3[primary]; ok {
			return LanguageAuthority + strings.ToUpper(a3)
		}
	case 3:
		if two, ok := languageByAlpha3()[primary]; ok {
			return LanguageAuthority + strings.ToUpper(languageAlpha3[two])
		}
		if isAlpha(primary) {
			return LanguageAuthority + strings.ToUpper(primary)
		}
	}
	return ""
}

// LanguageFromIRI returns the BCP 47 tag of an EU language authority IRI:
// the ISO 639-1 code when there is one (".../language/ENG" gives "en";
// 639-2/B codes such as FRE are read too), else the 3-letter code in lower
// case. It returns "" when iri is not a language authority IRI.
func LanguageFromIRI(iri string) string {
	code, ok := authorityCode(iri, LanguageAuthority)
	if !ok || len(code) != 3 || !isAlpha(code) {
		return ""
	}
	code = strings.ToLower(code)
	if two, ok := languageByAlpha3()[code]; ok {
		return two
	}
	return code
}

// LanguageTag normalises one entry of a language list, a BCP 47 tag or an EU
// language authority IRI, to a BCP 47 tag; it returns "" for anything else.
func LanguageTag(s string) string {
	if ValidBCP47(s) {
		return s
	}
	return LanguageFromIRI(s)
}
