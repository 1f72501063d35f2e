package node

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// parseTrustedProxies reads trusted_proxies: CIDRs ("10.0.0.0/8") or single
// addresses ("127.0.0.1"), each an error naming the entry.
func parseTrustedProxies(list []string, bad func(key, format string, args ...any)) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		bad("trusted_proxies", "%q is neither a CIDR (10.0.0.0/8, fd00::/8) nor an IP address", s)
	}
	return out
}

// proxies are the trusted reverse proxies: only a connection from one of
// them may say, in X-Forwarded-For or Forwarded, whom it forwards for.
type proxies []netip.Prefix

func (p proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address of the client a request comes from: the
// connection's peer, unless that peer is a trusted proxy; then the
// rightmost address of the forwarding chain (Forwarded when present, else
// X-Forwarded-For) that is not itself a trusted proxy. Addresses left of it
// were written by the client or by proxies nobody vouches for, so they are
// never believed. When every hop is trusted the leftmost is the client;
// an unreadable hop ends the walk at the last trusted one.
func (p proxies) clientAddr(r *http.Request) netip.Addr {
	peer := remoteIP(r.RemoteAddr)
	if !peer.IsValid() || len(p) == 0 || !p.trusted(peer) {
		return peer
	}
	chain := forwardedFor(r.Header)
	client := peer
	for i := len(chain) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(chain[i])
		if err != nil {
			return client
		}
		client = a.Unmap()
		if !p.trusted(client) {
			return client
		}
	}
	return client
}

func remoteIP(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// forwardedFor lists the forwarding chain, client first: the for= of every
// element of the Forwarded headers (RFC 7239) when there is one, else the
// X-Forwarded-For entries. Ports and brackets are stripped; obfuscated
// identifiers ("unknown", "_hidden") stay and end the walk.
func forwardedFor(h http.Header) []string {
	var chain []string
	if fw := h.Values("Forwarded"); len(fw) > 0 {
		for _, line := range fw {
			for _, elem := range strings.Split(line, ",") {
				for _, pair := range strings.Split(elem, ";") {
					k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
					if ok && strings.EqualFold(k, "for") {
						chain = append(chain, nodeAddr(strings.Trim(v, `"`)))
					}
				}
			}
		}
		return chain
	}
	for _, line := range h.Values("X-Forwarded-For") {
		for _, e := range strings.Split(line, ",") {
			if e = strings.TrimSpace(e); e != "" {
				chain = append(chain, nodeAddr(e))
			}
		}
	}
	return chain
}

// nodeAddr strips a port and IPv6 brackets: "[2001:db8::1]:443" → "2001:db8::1",
// "192.0.2.1:80" → "192.0.2.1".
func nodeAddr(s string) string {
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i > 0 {
			return s[1:i]
		}
		return s
	}
	if strings.Count(s, ":") == 1 {
		s, _, _ = strings.Cut(s, ":")
	}
	return s
}

type clientKey struct{}

// clientIP is the client address the middleware resolved ("" outside it).
func clientIP(ctx context.Context) string {
	a, _ := ctx.Value(clientKey{}).(netip.Addr)
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// withClientAddr resolves the client address once per request: for the
// logs, the inbox's rate limit and (through RemoteAddr, which it rewrites
// to the client's address when a trusted proxy forwarded the request) the
// sign-in limits of the web pages.
func (p proxies) withClientAddr(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := p.clientAddr(r)
		if a.IsValid() && a != remoteIP(r.RemoteAddr) {
			r2 := r.Clone(r.Context())
			r2.RemoteAddr = net.JoinHostPort(a.String(), "0")
			r = r2
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, a)))
	})
}
