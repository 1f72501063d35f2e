package node

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// negotiate picks the offered media type the Accept header prefers: the
// highest quality among the ranges that match it (exact, type/*, */*),
// earlier offers winning ties. No Accept header picks the first offer; ok
// is false when Accept excludes every offer.
func negotiate(accept string, offers ...string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return offers[0], true
	}
	best, bestQ := "", 0.0
	for _, offer := range offers {
		q := acceptQuality(accept, offer)
		if q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best, bestQ > 0
}

// acceptQuality is the quality Accept gives offer: that of its most
// specific matching range, 0 when none matches.
func acceptQuality(accept, offer string) float64 {
	typ, _, _ := strings.Cut(offer, "/")
	q, specificity := 0.0, -1
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		s := -1
		switch {
		case mt == offer:
			s = 2
		case mt == typ+"/*":
			s = 1
		case mt == "*/*":
			s = 0
		}
		if s < specificity || s < 0 {
			continue
		}
		v := 1.0
		if p, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(p, 64); err == nil && f >= 0 && f <= 1 {
				v = f
			}
		}
		if s > specificity || v > q {
			q, specificity = v, s
		}
	}
	return q
}

// notAcceptable is the 406 problem naming what the endpoint offers.
func notAcceptable(r *http.Request, offers ...string) *apiError {
	return errorf(http.StatusNotAcceptable, "not-acceptable", "Not acceptable",
		"Accept %q matches none of %s", r.Header.Get("Accept"), strings.Join(offers, ", "))
}
