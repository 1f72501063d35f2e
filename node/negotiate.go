package node

import (
	"net/http"
	"strings"
)

// notAcceptable is the 406 problem naming what the endpoint offers.
func notAcceptable(r *http.Request, offers ...string) *apiError {
	return errorf(http.StatusNotAcceptable, "not-acceptable", "Not acceptable",
		"Accept %q matches none of %s", r.Header.Get("Accept"), strings.Join(offers, ", "))
}
