package protocol

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"
)

// SameOriginURL compares two URLs given as strings on their parsed scheme,
// host and port (never by substring); a URL that does not parse, or has no
// host, matches nothing.
func SameOriginURL(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && SameOrigin(ua, ub)
}

// HostKey is the lower-case "host:port" of an http(s) URL, the port
// defaulted from the scheme: the one key per-host state (delivery queues,
// circuit breakers, pauses, peers) is kept under.
func HostKey(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("%q: %w", Clip(rawURL, 80), err)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", fmt.Errorf("%q has no host", Clip(rawURL, 80))
	}
	port := effectivePort(u)
	if port == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", Clip(rawURL, 80))
	}
	return net.JoinHostPort(host, port), nil
}

// Clip shortens s to at most n bytes (cut at a character boundary, invalid
// UTF-8 replaced) for an error message or a log line, marking the cut
// with "…".
func Clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
