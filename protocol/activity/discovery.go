package activity

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// WebFinger link relations and the NodeInfo schema.
const (
	// RelSelf is the WebFinger relation of the actor document.
	RelSelf = "self"
	// RelProfilePage is the WebFinger relation of the human-readable profile.
	RelProfilePage = "http://webfinger.net/rel/profile-page"
	// NodeInfoSchema is the NodeInfo 2.1 schema IRI, the relation of the
	// /.well-known/nodeinfo link to the document.
	NodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	// NodeInfoSchema20 is the NodeInfo 2.0 schema IRI: servers that read
	// only that relation find the node's document through it.
	NodeInfoSchema20 = "http://nodeinfo.diaspora.software/ns/schema/2.0"
)

// ErrAcct is wrapped by ParseAcct's errors.
var ErrAcct = errors.New("not an acct URI")

// acctUser is RFC 7565's userpart without percent-encoding: unreserved and
// sub-delims characters.
var acctUser = regexp.MustCompile(`^[A-Za-z0-9._~!$&'()*+,;=-]+$`)

// hostLabel is one DNS label.
var hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ParseAcct reads "acct:name@host[:port]" (also without "acct:" and with a
// leading '@', as people type it) and returns the name as given and the
// host in lower case with its port. The host is a DNS name (ASCII; use
// punycode), an IPv4 address or a bracketed IPv6 address; the port, when
// present, 1 to 65535. Anything else (spaces, paths, a second '@', an empty
// part) is refused with an error wrapping ErrAcct.
func ParseAcct(s string) (name, host string, err error) {
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("activity: %q: %w: %s", protocol.Clip(s, 96), ErrAcct, why)
	}
	if len(s) > 512 {
		return bad("too long")
	}
	rest := s
	if len(rest) >= 5 && strings.EqualFold(rest[:5], "acct:") {
		rest = rest[5:]
	} else {
		rest = strings.TrimPrefix(rest, "@")
	}
	name, host, ok := strings.Cut(rest, "@")
	switch {
	case !ok:
		return bad("no '@'")
	case name == "":
		return bad("empty user name")
	case !acctUser.MatchString(name):
		return bad("the user name holds characters an acct URI does not allow")
	}
	host, err = parseHostPort(strings.ToLower(host))
	if err != nil {
		return bad(err.Error())
	}
	return name, host, nil
}

// parseHostPort checks host[:port] (host already lower case).
func parseHostPort(hp string) (string, error) {
	h, port, hasPort := hp, "", false
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", errors.New("unclosed '[' in the host")
		}
		h = hp[1:end]
		if rest := hp[end+1:]; rest != "" {
			if rest[0] != ':' {
				return "", errors.New("junk after ']'")
			}
			port, hasPort = rest[1:], true
		}
		if !net6(h) {
			return "", errors.New("not an IPv6 address inside '[]'")
		}
	} else {
		if i := strings.LastIndexByte(hp, ':'); i >= 0 {
			h, port, hasPort = hp[:i], hp[i+1:], true
		}
		if !validDNSHost(h) {
			return "", errors.New("not a host name or IPv4 address")
		}
	}
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
			return "", errors.New("the port is not a number from 1 to 65535")
		}
	}
	return hp, nil
}

// validDNSHost reports whether h is a DNS name of labels (a trailing dot is
// refused) or a dotted IPv4 address, at most 253 bytes.
func validDNSHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if !hostLabel.MatchString(l) {
			return false
		}
	}
	return true
}

// net6 reports whether s is an IPv6 address (url.Parse's check).
func net6(s string) bool {
	u, err := url.Parse("http://[" + s + "]/")
	return err == nil && u.Hostname() == s && strings.Contains(s, ":")
}

// Acct returns the acct URI of user on the node u describes:
// "acct:user@host[:port]".
func Acct(u protocol.URIs, user string) (string, error) {
	b, err := url.Parse(u.Base())
	if err != nil || b.Host == "" {
		return "", fmt.Errorf("activity: acct: base %q is not a URL", protocol.Clip(u.Base(), 96))
	}
	s := "acct:" + user + "@" + strings.ToLower(b.Host)
	if _, _, err := ParseAcct(s); err != nil {
		return "", err
	}
	return s, nil
}

type jrdLink struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href"`
}

type jrdDoc struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

// WebFinger renders the JRD that /.well-known/webfinger answers for the
// node's actor: subject (an acct URI, see Acct), aliases, and links
// rel=self (type application/activity+json, href actorIRI) and
// rel=profile-page (text/html, href profileURL; omitted when ""). The
// profile page is an explicit parameter, not the first alias.
func WebFinger(subject, actorIRI, profileURL string, aliases ...string) ([]byte, error) {
	if _, _, err := ParseAcct(subject); err != nil || !strings.HasPrefix(subject, "acct:") {
		return nil, fmt.Errorf("activity: webfinger: subject %q is not an acct URI", protocol.Clip(subject, 96))
	}
	if !protocol.ValidHTTPURL(actorIRI) {
		return nil, fmt.Errorf("activity: webfinger: actor %q is not an absolute http or https URL", protocol.Clip(actorIRI, 96))
	}
	for _, s := range append([]string{profileURL}, aliases...) {
		if s != "" && !protocol.ValidHTTPURL(s) {
			return nil, fmt.Errorf("activity: webfinger: %q is not an absolute http or https URL", protocol.Clip(s, 96))
		}
	}
	var kept []string
	for _, a := range aliases {
		if a != "" {
			kept = append(kept, a)
		}
	}
	doc := jrdDoc{Subject: subject, Aliases: kept,
		Links: []jrdLink{{Rel: RelSelf, Type: ContentType, Href: actorIRI}}}
	if profileURL != "" {
		doc.Links = append(doc.Links, jrdLink{Rel: RelProfilePage, Type: "text/html", Href: profileURL})
	}
	return encode("webfinger", doc)
}

// ParseWebFinger returns the actor IRI of a WebFinger answer: the href of
// the first link with rel "self" and an ActivityStreams type (see
// IsActivityJSON); a self link without a type is taken when there is no
// typed one.
func ParseWebFinger(raw []byte) (string, error) {
	const what = "webfinger"
	if _, err := load(what, raw); err != nil {
		return "", err
	}
	var doc struct {
		Links []struct {
			Rel  string `json:"rel"`
			Type string `json:"type"`
			Href string `json:"href"`
		} `json:"links"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", fieldErr(what, "links", "type", "must be an array of {rel, type, href}: %v", err)
	}
	untyped := ""
	for _, l := range doc.Links {
		if l.Rel != RelSelf || !protocol.ValidHTTPURL(l.Href) {
			continue
		}
		if IsActivityJSON(l.Type) {
			return l.Href, nil
		}
		if l.Type == "" && untyped == "" {
			untyped = l.Href
		}
	}
	if untyped != "" {
		return untyped, nil
	}
	return "", fieldErr(what, "links", "required", "has no rel=self link to an ActivityStreams actor")
}

// NodeInfoLinks renders the /.well-known/nodeinfo document pointing to the
// NodeInfo 2.1 document at href (u.NodeInfo()) and, when href20 is not
// empty, to the 2.0 document at href20.
func NodeInfoLinks(href, href20 string) ([]byte, error) {
	type link struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	}
	links := []link{{Rel: NodeInfoSchema, Href: href}}
	if href20 != "" {
		links = append(links, link{Rel: NodeInfoSchema20, Href: href20})
	}
	for _, l := range links {
		if !protocol.ValidHTTPURL(l.Href) {
			return nil, fmt.Errorf("activity: nodeinfo links: %q is not an absolute http or https URL", protocol.Clip(l.Href, 96))
		}
	}
	return encode("nodeinfo links", struct {
		Links []link `json:"links"`
	}{links})
}

// NodeInfoParams describes the node for NodeInfo.
type NodeInfoParams struct {
	Version    string                // the software version; required
	Repository string                // source repository URL; optional
	Homepage   string                // project homepage URL; optional
	NodeName   string                // the organisation's name (metadata.nodeName)
	Counts     map[protocol.Kind]int // live local objects per kind; their sum is usage.localPosts
}

type nodeInfoDoc struct {
	Version  string `json:"version"`
	Software struct {
		Name       string `json:"name"`
		Version    string `json:"version"`
		Repository string `json:"repository,omitempty"`
		Homepage   string `json:"homepage,omitempty"`
	} `json:"software"`
	Protocols []string `json:"protocols"`
	Services  struct {
		Inbound  []string `json:"inbound"`
		Outbound []string `json:"outbound"`
	} `json:"services"`
	OpenRegistrations bool `json:"openRegistrations"`
	Usage             struct {
		Users struct {
			Total          int `json:"total"`
			ActiveHalfyear int `json:"activeHalfyear"`
			ActiveMonth    int `json:"activeMonth"`
		} `json:"users"`
		LocalPosts int `json:"localPosts"`
	} `json:"usage"`
	Metadata struct {
		NodeName string         `json:"nodeName,omitempty"`
		Objects  map[string]int `json:"objects"`
	} `json:"metadata"`
}

// NodeInfo renders the NodeInfo 2.1 document: software "interlink" with
// its version, protocols ["activitypub"], no services, closed
// registrations, one user (the node's actor), localPosts the sum of
// Counts, and metadata.objects the count per kind (every kind listed, 0
// when absent).
func NodeInfo(p NodeInfoParams) ([]byte, error) {
	d, err := nodeInfoDocument(p)
	if err != nil {
		return nil, err
	}
	return encode("nodeinfo", d)
}

// NodeInfo20 renders the same facts as a NodeInfo 2.0 document: version
// "2.0", and software holds only name and version (2.0 allows no more).
func NodeInfo20(p NodeInfoParams) ([]byte, error) {
	d, err := nodeInfoDocument(p)
	if err != nil {
		return nil, err
	}
	d.Version = "2.0"
	d.Software.Repository, d.Software.Homepage = "", ""
	return encode("nodeinfo", d)
}

func nodeInfoDocument(p NodeInfoParams) (*nodeInfoDoc, error) {
	if strings.TrimSpace(p.Version) == "" {
		return nil, errors.New("activity: nodeinfo: software version is required")
	}
	for _, s := range []string{p.Repository, p.Homepage} {
		if s != "" && !protocol.ValidHTTPURL(s) {
			return nil, fmt.Errorf("activity: nodeinfo: %q is not an absolute http or https URL", protocol.Clip(s, 96))
		}
	}
	var d nodeInfoDoc
	d.Version = "2.1"
	d.Software.Name = "interlink"
	d.Software.Version = p.Version
	d.Software.Repository = p.Repository
	d.Software.Homepage = p.Homepage
	d.Protocols = []string{"activitypub"}
	d.Services.Inbound, d.Services.Outbound = []string{}, []string{}
	d.Usage.Users.Total, d.Usage.Users.ActiveHalfyear, d.Usage.Users.ActiveMonth = 1, 1, 1
	d.Metadata.NodeName = collapseSpaces(p.NodeName)
	d.Metadata.Objects = map[string]int{}
	for _, k := range protocol.Kinds {
		d.Metadata.Objects[string(k)] = 0
	}
	for k, n := range p.Counts {
		if !slices.Contains(protocol.Kinds, k) || n < 0 {
			return nil, fmt.Errorf("activity: nodeinfo: count %d of %q: not a known kind or negative", n, protocol.Clip(string(k), 64))
		}
		d.Metadata.Objects[string(k)] = n
		d.Usage.LocalPosts += n
	}
	return &d, nil
}
