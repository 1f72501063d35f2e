package entity

import "testing"

// TestNamingConstraints holds the naming-constraint bypasses of
// trust-threats.md §1 (look-alike suffixes, case, punycode, trailing dots,
// IP literals) with the expected answer.
func TestNamingConstraints(t *testing.T) {
	gov := &NamingConstraints{Permitted: []string{".gov.it", "comune.reggioemilia.it", "xn--comune-citt-9hb.it", "127.0.0.2", "::1"}, Excluded: []string{".bad.gov.it", "evil.gov.it"}}
	onlyExcluded := &NamingConstraints{Excluded: []string{".example.lv"}}
	tests := []struct {
		name string
		nc   *NamingConstraints
		id   string
		want error
	}{
		{"subdomain", gov, "https://mef.gov.it", nil},
		{"deep subdomain with a path", gov, "https://a.b.mef.gov.it/node", nil},
		{"subtree entry excludes the domain itself", gov, "https://gov.it", ErrNamingConstraint},
		{"look-alike suffix", gov, "https://evilgov.it", ErrNamingConstraint},
		{"look-alike label", gov, "https://mef.evilgov.it", ErrNamingConstraint},
		{"suffix as a prefix", gov, "https://gov.it.evil.example", ErrNamingConstraint},
		{"exact host", gov, "https://comune.reggioemilia.it", nil},
		{"exact entry is not a subtree", gov, "https://x.comune.reggioemilia.it", ErrNamingConstraint},
		{"upper case permitted", gov, "https://MEF.GOV.IT", nil},
		{"upper case look-alike", gov, "https://EVILGOV.IT", ErrNamingConstraint},
		{"upper case does not escape exclusion", gov, "https://EVIL.GOV.IT", ErrNamingConstraint},
		{"upper case does not escape subtree exclusion", gov, "https://X.Bad.Gov.It", ErrNamingConstraint},
		{"trailing dot does not escape exclusion", gov, "https://evil.gov.it.", ErrNamingConstraint},
		{"trailing dot on a look-alike", gov, "https://evilgov.it.", ErrNamingConstraint},
		{"trailing dot on a permitted host", gov, "https://mef.gov.it.", nil},
		{"two trailing dots", gov, "https://mef.gov.it..", ErrNamingConstraint},
		{"punycode under a permitted subtree", gov, "https://xn--mf-bja.gov.it", ErrNamingConstraint},
		{"punycode named exactly", gov, "https://xn--comune-citt-9hb.it", nil},
		{"punycode in upper case named exactly", gov, "https://XN--COMUNE-CITT-9HB.IT", nil},
		{"unicode host", gov, "https://mèf.gov.it", ErrNamingConstraint},
		{"percent-encoded host", gov, "https://m%C3%A8f.gov.it", ErrNamingConstraint},
		{"underscore label", gov, "https://a_b.gov.it", ErrNamingConstraint},
		{"IP literal exact", gov, "http://127.0.0.2:8080", nil},
		{"IP literal other", gov, "http://127.0.0.3", ErrNamingConstraint},
		{"IPv6 literal exact", gov, "http://[::1]:8080", nil},
		{"IPv6 literal long form", gov, "http://[0:0:0:0:0:0:0:1]", nil},
		{"IP literal never matches a subtree", &NamingConstraints{Permitted: []string{".0.0.1"}}, "http://127.0.0.1", ErrNamingConstraint},
		{"only excluded: outside", onlyExcluded, "https://varam.gov.lv", nil},
		{"only excluded: inside", onlyExcluded, "https://varam.example.lv", ErrNamingConstraint},
		{"only excluded: punycode refused", onlyExcluded, "https://xn--mf-bja.gov.lv", ErrNamingConstraint},
		{"no constraints", nil, "https://xn--mf-bja.gov.lv", nil},
		{"empty constraints", &NamingConstraints{}, "https://anything.example", nil},
		{"not a URL", gov, "mef.gov.it", ErrNamingConstraint},
		{"user info", gov, "https://mef.gov.it@evil.example", ErrNamingConstraint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantReason(t, tc.nc.Permits(tc.id), tc.want)
		})
	}
}
