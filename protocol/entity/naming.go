package entity

import (
	"fmt"
	"net/netip"
	"strings"
)

// NamingConstraints limit the entity ids below a superior. Entries are host
// names: ".gov.it" stands for every host strictly below gov.it (not gov.it
// itself, and never evilgov.it), "gov.it" for exactly that host; an IP
// literal stands for exactly that address.
//
// Hosts are compared in canonical form: ASCII lower case, a single trailing
// dot removed, letters, digits and hyphens only; IPv6 literals in their
// RFC 5952 form. Entries must already be canonical (Statement.Validate
// refuses others). A host with non-ASCII bytes (an IDN U-label) is refused
// whenever any constraint applies, and a host with a punycode label
// ("xn--") is permitted only by a permitted entry that names it exactly,
// never by a subtree entry, so that no homograph slips in under a
// permitted domain; both still count against excluded entries.
type NamingConstraints struct {
	Permitted []string `json:"permitted,omitempty"`
	Excluded  []string `json:"excluded,omitempty"`
}

// Permits reports whether entityID's host lies within nc: not matched by
// any excluded entry and, when permitted entries exist, matched by one.
// A nil nc, or one with no entries, permits everything. Errors wrap
// ErrNamingConstraint.
func (nc *NamingConstraints) Permits(entityID string) error {
	if nc == nil || len(nc.Permitted) == 0 && len(nc.Excluded) == 0 {
		return nil
	}
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("entity: %s: %w: %s", entityID, ErrNamingConstraint, fmt.Sprintf(format, args...))
	}
	u, err := parseURL(entityID)
	if err != nil {
		return refuse("%v", err)
	}
	h, err := canonicalHost(u.Hostname())
	if err != nil {
		return refuse("host: %v", err)
	}
	for _, e := range nc.Excluded {
		if h.matches(canonicalEntry(e), true) {
			return refuse("host %q is excluded by %q", h.name, e)
		}
	}
	if len(nc.Permitted) == 0 {
		if h.puny {
			return refuse("host %q has a punycode label and no permitted entry names it exactly", h.name)
		}
		return nil
	}
	for _, e := range nc.Permitted {
		if h.matches(canonicalEntry(e), !h.puny) {
			return nil
		}
	}
	if h.puny {
		return refuse("host %q has a punycode label and no permitted entry names it exactly", h.name)
	}
	return refuse("host %q is not within %s", h.name, strings.Join(nc.Permitted, ", "))
}

// host is a canonical host name or IP literal.
type host struct {
	name string
	ip   bool
	puny bool // a label starts with "xn--"
}

// matches reports whether entry (canonical) covers h; subtree entries
// (leading dot) count only when subtree is true.
func (h host) matches(entry string, subtree bool) bool {
	if rest, ok := strings.CutPrefix(entry, "."); ok {
		return subtree && !h.ip && len(h.name) > len(entry) && strings.HasSuffix(h.name, entry) && rest != ""
	}
	if h.ip {
		a, err := netip.ParseAddr(entry)
		return err == nil && a.Unmap().String() == h.name
	}
	return h.name == entry
}

// canonicalHost puts a URL's host (brackets already removed) into
// canonical form, or refuses it.
func canonicalHost(s string) (host, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return host{}, fmt.Errorf("%q: IP literals with a zone are refused", s)
		}
		return host{name: a.Unmap().String(), ip: true}, nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return host{}, fmt.Errorf("%q: non-ASCII host names (IDN) are refused; only exact punycode names can be permitted", s)
		}
	}
	name := strings.TrimSuffix(strings.ToLower(s), ".")
	puny, err := checkLabels(name)
	if err != nil {
		return host{}, fmt.Errorf("%q: %v", s, err)
	}
	return host{name: name, puny: puny}, nil
}

// checkLabels checks a lower-case host name without a trailing dot and
// reports whether a label is punycode.
func checkLabels(name string) (puny bool, err error) {
	if name == "" || len(name) > 253 {
		return false, fmt.Errorf("host name must have 1 to 253 bytes")
	}
	for _, l := range strings.Split(name, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false, fmt.Errorf("label %q must have 1 to 63 characters and not start or end with '-'", l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false, fmt.Errorf("label %q holds %q (only a-z, 0-9 and '-')", l, c)
			}
		}
		if strings.HasPrefix(l, "xn--") {
			puny = true
		}
	}
	return puny, nil
}

// canonicalEntry lowers an entry's case and drops a trailing dot (entries
// in parsed statements are canonical already; this guards hand-made ones).
func canonicalEntry(e string) string {
	return strings.TrimSuffix(strings.ToLower(e), ".")
}

// checkNamingEntry accepts only canonical entries: an IP literal, or a host
// name in lower case without a trailing dot, optionally after one leading
// dot.
func checkNamingEntry(e string) error {
	if a, err := netip.ParseAddr(e); err == nil {
		if a.Zone() != "" || a.String() != e {
			return fmt.Errorf("IP literal %q is not in canonical form", e)
		}
		return nil
	}
	name := strings.TrimPrefix(e, ".")
	if _, err := checkLabels(name); err != nil {
		return fmt.Errorf("entry %q: %v", e, err)
	}
	return nil
}
