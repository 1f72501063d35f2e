package httpsig

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Limits on the Signature header; far above anything a real server sends (an
// RSA-4096 signature is 684 base64 characters).
const (
	maxSignatureHeader = 8 << 10
	maxSignedHeaders   = 32
)

// sigParams are the parameters of one Signature header.
type sigParams struct {
	keyID      string
	algorithm  string   // lower-cased; "" when absent
	headers    []string // lower-cased, in signing order
	sigB64     string
	created    int64
	expires    int64
	hasCreated bool
	hasExpires bool
}

// parseSignature parses a draft-cavage Signature header value strictly:
// comma-separated name=value parameters (optional whitespace around the
// separators), values quoted or, for created and expires, bare integers; no
// parameter twice; keyId and signature required; signature valid base64;
// signed header names valid tokens, each named once. Unknown parameters are
// ignored, as the draft requires.
func parseSignature(v string) (*sigParams, error) {
	if len(v) > maxSignatureHeader {
		return nil, fmt.Errorf("header of %d bytes exceeds %d", len(v), maxSignatureHeader)
	}
	p := &sigParams{}
	seen := map[string]bool{}
	var headersRaw string
	hasHeaders := false
	rest := v
	for {
		rest = trimOWS(rest)
		if rest == "" {
			break
		}
		name, value, tail, err := nextParam(rest)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("parameter %q appears twice", name)
		}
		seen[name] = true
		switch name {
		case "keyId":
			p.keyID = value
		case "algorithm":
			p.algorithm = strings.ToLower(value)
		case "headers":
			headersRaw, hasHeaders = value, true
		case "signature":
			p.sigB64 = value
		case "created":
			p.created, err = parseUnix(name, value)
			p.hasCreated = true
		case "expires":
			p.expires, err = parseUnix(name, value)
			p.hasExpires = true
		}
		if err != nil {
			return nil, err
		}
		rest = trimOWS(tail)
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("expected ',' after parameter %q", name)
		}
		rest = rest[1:]
	}
	if p.keyID == "" {
		return nil, errors.New(`missing "keyId" parameter`)
	}
	if p.sigB64 == "" {
		return nil, errors.New(`missing "signature" parameter`)
	}
	if _, err := base64.StdEncoding.DecodeString(p.sigB64); err != nil {
		return nil, fmt.Errorf(`"signature" is not base64: %w`, err)
	}
	if !hasHeaders {
		p.headers = []string{hdrDate} // the draft's default
		return p, nil
	}
	names := strings.Fields(strings.ToLower(headersRaw))
	if len(names) == 0 {
		return nil, errors.New(`empty "headers" parameter`)
	}
	if len(names) > maxSignedHeaders {
		return nil, fmt.Errorf(`"headers" names %d headers, more than %d`, len(names), maxSignedHeaders)
	}
	dup := map[string]bool{}
	for _, h := range names {
		if !validHeaderName(h) {
			return nil, fmt.Errorf("invalid signed header name %q", h)
		}
		if dup[h] {
			return nil, fmt.Errorf("signed header %q listed twice", h)
		}
		dup[h] = true
	}
	p.headers = names
	return p, nil
}

// nextParam reads one name=value parameter from the start of s.
func nextParam(s string) (name, value, rest string, err error) {
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == 0 {
		return "", "", "", fmt.Errorf("expected a parameter name at %q", clip(s))
	}
	name = s[:i]
	s = trimOWS(s[i:])
	if s == "" || s[0] != '=' {
		return "", "", "", fmt.Errorf("parameter %q has no '='", name)
	}
	s = trimOWS(s[1:])
	if s != "" && s[0] == '"' {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return "", "", "", fmt.Errorf("parameter %q: unterminated quoted value", name)
		}
		value = s[1 : 1+end]
		if strings.ContainsAny(value, "\\\r\n") {
			return "", "", "", fmt.Errorf("parameter %q: escapes and line breaks are not accepted", name)
		}
		return name, value, s[2+end:], nil
	}
	j := 0
	for j < len(s) && isTokenChar(s[j]) {
		j++
	}
	if j == 0 {
		return "", "", "", fmt.Errorf("parameter %q has an empty value", name)
	}
	return name, s[:j], s[j:], nil
}

func parseUnix(name, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("parameter %q is not a positive Unix time: %q", name, clip(v))
	}
	return n, nil
}

func trimOWS(s string) string { return strings.TrimLeft(s, " \t") }

// isTokenChar reports whether c is an RFC 9110 tchar.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func validHeaderName(h string) bool {
	switch h {
	case hdrRequestTarget, hdrCreated, hdrExpires:
		return true
	}
	for i := 0; i < len(h); i++ {
		if !isTokenChar(h[i]) {
			return false
		}
	}
	return h != ""
}

// canonical renders the parameters in the one form go-fed's own parser reads
// exactly as parseSignature did (go-fed splits on ',' and does not skip
// whitespace, so a header it would misread is never handed to it). keyId is
// not part of the signed string and is left out of the way of commas.
func (p *sigParams) canonical() string {
	var b strings.Builder
	b.WriteString(`keyId="k",headers="`)
	b.WriteString(strings.Join(p.headers, " "))
	b.WriteString(`",signature="`)
	b.WriteString(p.sigB64)
	b.WriteString(`"`)
	// created and expires only when signed: go-fed checks them against the
	// real clock, and checkTime has already judged them by the Verifier's.
	if p.hasCreated && p.signs(hdrCreated) {
		b.WriteString(",created=" + strconv.FormatInt(p.created, 10))
	}
	if p.hasExpires && p.signs(hdrExpires) {
		b.WriteString(",expires=" + strconv.FormatInt(p.expires, 10))
	}
	return b.String()
}

func (p *sigParams) signs(h string) bool {
	for _, x := range p.headers {
		if x == h {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
