package node

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	var errs []string
	bad := func(key, format string, args ...any) { errs = append(errs, key) }
	p := proxies(parseTrustedProxies([]string{"10.0.0.0/8", "127.0.0.1", "fd00::/8"}, bad))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	parseTrustedProxies([]string{"10.0.0.0/33", "proxy.example"}, bad)
	if len(errs) != 2 || errs[0] != "trusted_proxies" {
		t.Fatalf("bad entries: %v", errs)
	}
	cases := []struct {
		name, remote string
		h            http.Header
		want         string
	}{
		{"direct", "192.0.2.7:5000", nil, "192.0.2.7"},
		{"spoofed from an untrusted peer", "192.0.2.7:5000", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, "192.0.2.7"},
		{"spoofed Forwarded from an untrusted peer", "192.0.2.7:5000", http.Header{"Forwarded": {"for=203.0.113.9"}}, "192.0.2.7"},
		{"proxy", "127.0.0.1:4000", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"proxy, client-written entry left of the real one", "127.0.0.1:4000", http.Header{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9"}}, "203.0.113.9"},
		{"two trusted hops", "127.0.0.1:4000", http.Header{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9, 10.1.2.3"}}, "203.0.113.9"},
		{"several header lines", "127.0.0.1:4000", http.Header{"X-Forwarded-For": {"1.2.3.4", "203.0.113.9:8080"}}, "203.0.113.9"},
		{"Forwarded wins over X-Forwarded-For", "127.0.0.1:4000",
			http.Header{"Forwarded": {`for=1.2.3.4;proto=https, for="[2001:db8::1]:443"`}, "X-Forwarded-For": {"203.0.113.9"}}, "2001:db8::1"},
		{"proxy without header", "127.0.0.1:4000", nil, "127.0.0.1"},
		{"all hops trusted", "127.0.0.1:4000", http.Header{"X-Forwarded-For": {"10.0.0.5, 10.0.0.6"}}, "10.0.0.5"},
		{"garbage hop ends the walk", "127.0.0.1:4000", http.Header{"X-Forwarded-For": {"203.0.113.9, unknown, 10.0.0.6"}}, "10.0.0.6"},
		{"ipv6 proxy", "[fd00::1]:4000", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
	}
	for _, c := range cases {
		r := &http.Request{RemoteAddr: c.remote, Header: c.h}
		if r.Header == nil {
			r.Header = http.Header{}
		}
		if got := p.clientAddr(r).String(); got != c.want {
			t.Errorf("%s: client %s, want %s", c.name, got, c.want)
		}
	}
	// No trusted proxies: headers never count.
	r := &http.Request{RemoteAddr: "127.0.0.1:1", Header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}}
	if got := proxies(nil).clientAddr(r).String(); got != "127.0.0.1" {
		t.Errorf("no trusted_proxies: %s", got)
	}
}

// Behind a trusted proxy, the inbox's buckets are per signing host (and per
// forwarded client for unsigned requests); a spoofed X-Forwarded-For from
// an untrusted peer buys nothing.
func TestInboxRateLimitBehindProxy(t *testing.T) {
	a := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.InboxRate, c.Federation.InboxBurst = 1, 2
		c.TrustedProxies = []string{"127.0.0.1/32"}
	})
	from := func(host string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)}}
		return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DialContext: d.DialContext}}
	}
	post := func(c *http.Client, h map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, a.url+"/inbox", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/activity+json")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return resp.StatusCode, b.String()
	}
	sig := func(host string) map[string]string {
		return map[string]string{"Signature": `keyId="https://` + host + `/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2ln"`}
	}

	// An untrusted peer (127.0.0.2) changing X-Forwarded-For each time still spends its own budget.
	untrusted := from("127.0.0.2")
	for i, spoof := range []string{"203.0.113.1", "203.0.113.2"} {
		if s, _ := post(untrusted, map[string]string{"X-Forwarded-For": spoof}); s == http.StatusTooManyRequests {
			t.Fatalf("untrusted request %d within the burst was limited", i)
		}
	}
	if s, body := post(untrusted, map[string]string{"X-Forwarded-For": "203.0.113.3"}); s != http.StatusTooManyRequests || !strings.Contains(body, "127.0.0.2") {
		t.Fatalf("a spoofed X-Forwarded-For from an untrusted peer got a fresh bucket: %d %s", s, body)
	}

	// Two actors behind the proxy: separate buckets.
	proxy := from("127.0.0.1")
	for i := range 2 {
		if s, _ := post(proxy, sig("a.example")); s == http.StatusTooManyRequests {
			t.Fatalf("a.example request %d within the burst was limited", i)
		}
	}
	if s, body := post(proxy, sig("a.example")); s != http.StatusTooManyRequests || !strings.Contains(body, "a.example") {
		t.Fatalf("a.example past its burst: %d %s", s, body)
	}
	if s, _ := post(proxy, sig("b.example")); s == http.StatusTooManyRequests {
		t.Fatal("b.example behind the same proxy was limited by a.example's budget")
	}
	// A sender naming a new host in every keyId gets no more than
	// addressScale signers' budgets from its own address.
	rotator := from("127.0.0.3")
	for i := range 2 * addressScale {
		if s, _ := post(rotator, sig(fmt.Sprintf("h%d.example", i))); s == http.StatusTooManyRequests {
			t.Fatalf("rotating request %d within the address's budget was limited", i)
		}
	}
	if s, body := post(rotator, sig("one-more.example")); s != http.StatusTooManyRequests || !strings.Contains(body, "127.0.0.3") {
		t.Fatalf("a sender rotating its claimed host got a fresh bucket each time: %d %s", s, body)
	}

	// Unsigned requests behind the proxy: per forwarded client.
	for i := range 2 {
		if s, _ := post(proxy, map[string]string{"X-Forwarded-For": "198.51.100.1"}); s == http.StatusTooManyRequests {
			t.Fatalf("client 198.51.100.1 request %d limited", i)
		}
	}
	if s, body := post(proxy, map[string]string{"X-Forwarded-For": "198.51.100.1"}); s != http.StatusTooManyRequests || !strings.Contains(body, "198.51.100.1") {
		t.Fatalf("forwarded client past its burst: %d %s", s, body)
	}
	if s, _ := post(proxy, map[string]string{"X-Forwarded-For": "198.51.100.2"}); s == http.StatusTooManyRequests {
		t.Fatal("another forwarded client shares a bucket")
	}
}
