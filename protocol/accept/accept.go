// Package accept reads the HTTP content negotiation headers, Accept and
// Accept-Encoding (RFC 9110 §12.5): their ranges with q-values, the quality
// a header gives an offer (the most specific matching range decides), and
// the offer a header prefers. The node's format negotiation, the pages'
// choice of HTML and the gzip middleware all read the headers through it.
package accept

import (
	"mime"
	"strconv"
	"strings"
)

// Range is one element of the header: a media range (type/subtype,
// type/*, */*) or a content coding (gzip, *), lower-cased, with its
// parameters and its q-value (1 when absent or malformed, within [0, 1]).
type Range struct {
	Value  string
	Params map[string]string
	Q      float64
}

// Parse reads a header's ranges in order, skipping malformed ones.
func Parse(header string) []Range {
	var out []Range
	for part := range strings.SplitSeq(header, ",") {
		v, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		out = append(out, Range{Value: v, Params: params, Q: q})
	}
	return out
}

// Quality is the q-value ranges give offer: that of the most specific
// range matching it (the offer itself, then type/*, then */* or *), 0 when
// none matches.
func Quality(ranges []Range, offer string) float64 {
	offer = strings.ToLower(offer)
	typ, _, _ := strings.Cut(offer, "/")
	q, best := 0.0, -1
	for _, r := range ranges {
		s := -1
		switch r.Value {
		case offer:
			s = 2
		case typ + "/*":
			s = 1
		case "*/*", "*":
			s = 0
		}
		if s < 0 || s < best {
			continue
		}
		if s > best || r.Q > q {
			q, best = r.Q, s
		}
	}
	return q
}

// Negotiate picks the offer header prefers: the highest quality, earlier
// offers winning ties. An absent or empty header picks the first offer; ok
// is false when the header excludes every offer.
func Negotiate(header string, offers ...string) (string, bool) {
	if strings.TrimSpace(header) == "" {
		return offers[0], true
	}
	ranges := Parse(header)
	best, bestQ := "", 0.0
	for _, offer := range offers {
		if q := Quality(ranges, offer); q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best, bestQ > 0
}
