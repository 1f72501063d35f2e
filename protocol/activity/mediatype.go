package activity

import (
	"mime"
	"strconv"
	"strings"
)

// Media types and header values, as the interoperability notes prescribe.
const (
	// ContentType is the Content-Type of every ActivityStreams document the
	// node sends or serves.
	ContentType = "application/activity+json"
	// LDContentType is the JSON-LD form of the ActivityStreams media type,
	// which peers may send instead of ContentType.
	LDContentType = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
	// AcceptHeader is the Accept header of every fetch of an ActivityStreams
	// document (GoToSocial answers 406 to application/json).
	AcceptHeader = ContentType + ", " + LDContentType
	// JRDContentType is the media type of a WebFinger answer.
	JRDContentType = "application/jrd+json"
	// NodeInfoContentType is the media type of a NodeInfo 2.1 document.
	NodeInfoContentType = `application/json; profile="` + NodeInfoSchema + `#"`
)

// IsActivityJSON reports whether a Content-Type names an ActivityStreams
// document: application/activity+json (any parameters), or
// application/ld+json whose profile lists
// https://www.w3.org/ns/activitystreams — quoted or not, with or without a
// space before the parameter, in any case.
func IsActivityJSON(contentType string) bool {
	mt, params, ok := parseMediaType(contentType)
	if !ok {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		return hasASProfile(params["profile"])
	}
	return false
}

// WantsActivityJSON reports whether a GET with this Accept header should be
// answered with ActivityStreams JSON rather than the API's JSON or HTML: an
// ActivityStreams type (application/activity+json, or application/ld+json
// with the ActivityStreams profile or without a profile) is acceptable
// (q > 0) and no other media range, wildcards included, has a higher q.
// application/json alone does not count: a plain JSON client gets the API's
// JSON. Unparseable ranges are skipped.
func WantsActivityJSON(accept string) bool {
	bestAS, bestOther := -1.0, -1.0
	for _, r := range splitAccept(accept) {
		mt, params, ok := parseMediaType(r)
		if !ok {
			continue
		}
		q := 1.0
		if s, has := params["q"]; has {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			q = v
		}
		isAS := mt == "application/activity+json"
		if mt == "application/ld+json" {
			p, has := params["profile"]
			isAS = !has || hasASProfile(p)
		}
		if isAS {
			bestAS = max(bestAS, q)
		} else {
			bestOther = max(bestOther, q)
		}
	}
	return bestAS > 0 && bestAS >= bestOther
}

// hasASProfile reports whether a profile parameter (a space-separated list
// of URIs, RFC 6906) names the ActivityStreams context.
func hasASProfile(profile string) bool {
	for _, p := range strings.Fields(profile) {
		if strings.EqualFold(strings.TrimRight(p, "#/"), ASContext) {
			return true
		}
	}
	return false
}

// parseMediaType parses a media type with mime.ParseMediaType, falling back
// to a lenient reading for what it refuses but servers send (an unquoted
// profile URI holds '/' and ':', which are not token characters). The type
// comes back in lower case, parameter names too.
func parseMediaType(s string) (string, map[string]string, bool) {
	if mt, params, err := mime.ParseMediaType(s); err == nil {
		return mt, params, true
	}
	parts := strings.Split(s, ";")
	mt := strings.ToLower(strings.TrimSpace(parts[0]))
	if i := strings.IndexByte(mt, '/'); i <= 0 || i == len(mt)-1 || strings.ContainsAny(mt, " \t\"") {
		return "", nil, false
	}
	params := map[string]string{}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return "", nil, false
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		params[k] = v
	}
	return mt, params, true
}

// splitAccept splits an Accept header on the commas that are not inside a
// quoted string.
func splitAccept(h string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, h[start:i])
				start = i + 1
			}
		}
	}
	return append(out, h[start:])
}
