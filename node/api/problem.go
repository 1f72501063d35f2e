package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// FieldError names a field of the request that breaks a rule:
// {"field", "rule", "message"}.
type FieldError = protocol.FieldError

// Problem is an RFC 9457 problem document, the body of every error answer
// (application/problem+json). Type is {public-url}/problems/{name}.
//
// A client returns a *Problem as the error of a failed call: errors.As
// finds it, Name says which problem it is.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	// Existing names the object that already holds a key (key-exists).
	Existing string `json:"existing,omitempty"`
}

// Error is one line: the title (the status text when there is none), the
// HTTP status and the detail.
func (p *Problem) Error() string {
	title := p.Title
	if title == "" {
		title = http.StatusText(p.Status)
	}
	s := fmt.Sprintf("%s (HTTP %d)", title, p.Status)
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// Name is the last path segment of the problem type ("validation",
// "not-found", "key-exists"), or "" when the type is absent or about:blank.
func (p *Problem) Name() string {
	if p.Type == "" || p.Type == "about:blank" {
		return ""
	}
	return p.Type[strings.LastIndex(p.Type, "/")+1:]
}
