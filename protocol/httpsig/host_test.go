package httpsig

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHostBinding: a request signed for another host, sent with that Host,
// verifies as a signature but is refused by a verifier that knows this
// node's hosts (a delivery captured on one node replayed to another within
// the Date window), before any key is fetched. Hosts compare
// case-insensitively, a default port (80, 443) on either side ignored.
func TestHostBinding(t *testing.T) {
	a, _ := testKeys(t)
	tests := []struct {
		name  string
		url   string // where the request was signed for (its Host)
		hosts []string
		ok    bool
	}{
		{"no hosts configured: no check", "https://127.0.0.3:8443/actor/inbox", nil, true},
		{"empty list: no check", "https://127.0.0.3:8443/actor/inbox", []string{}, true},
		{"this node", inboxURL, []string{"127.0.0.2:8443"}, true},
		{"one of this node's hosts", inboxURL, []string{"node.example", "127.0.0.2:8443"}, true},
		{"another node: replay refused", "https://127.0.0.3:8443/actor/inbox", []string{"127.0.0.2:8443"}, false},
		{"same IP, another port", "https://127.0.0.2:9443/actor/inbox", []string{"127.0.0.2:8443"}, false},
		{"port missing on the request", "https://127.0.0.2/actor/inbox", []string{"127.0.0.2:8443"}, false},
		{"port missing in the list", inboxURL, []string{"127.0.0.2"}, false},
		{"case-insensitive", "https://Node.EXAMPLE/actor/inbox", []string{"node.example"}, true},
		{"case-insensitive list", "https://node.example/actor/inbox", []string{"NODE.example"}, true},
		{"default https port on the request", "https://node.example:443/actor/inbox", []string{"node.example"}, true},
		{"default http port on the request", "http://node.example:80/actor/inbox", []string{"node.example"}, true},
		{"default port in the list", "https://node.example/actor/inbox", []string{"node.example:443"}, true},
		{"default http port in the list", "https://node.example/actor/inbox", []string{"node.example:80"}, true},
		{"IPv6 default port", "https://[::1]:443/actor/inbox", []string{"[::1]"}, true},
		{"IPv6 other port", "https://[::1]:8443/actor/inbox", []string{"[::1]"}, false},
		{"suffix is not a match", "https://evil-node.example/actor/inbox", []string{"node.example"}, false},
		{"subdomain is not a match", "https://a.node.example/actor/inbox", []string{"node.example"}, false},
		{"prefix is not a match", "https://node.example.evil/actor/inbox", []string{"node.example"}, false},
		{"port 4430 is not 443", "https://node.example:4430/actor/inbox", []string{"node.example"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tt.url, strings.NewReader(string(testBody)))
			if err != nil {
				t.Fatal(err)
			}
			if err := (&Signer{KeyID: keyIDA, Key: a}).SignRequest(req, testBody, testNow); err != nil {
				t.Fatal(err)
			}
			r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
			v := newVerifier(r)
			v.Hosts = tt.hosts
			_, err = v.Verify(context.Background(), req, testBody)
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrWrongHost) {
				t.Fatalf("Verify = %v, want ErrWrongHost", err)
			}
			if errors.Is(err, ErrBadSignature) || errors.Is(err, ErrMissingHeaders) {
				t.Fatalf("ErrWrongHost wraps another sentinel: %v", err)
			}
			if !strings.Contains(err.Error(), req.Host) || !strings.Contains(err.Error(), tt.hosts[0]) {
				t.Fatalf("error %q names neither the host received (%s) nor the expected one (%s)", err, req.Host, tt.hosts[0])
			}
			if r.calls != 0 {
				t.Fatalf("key fetched %d times for a request to another host", r.calls)
			}
		})
	}
}

// TestHostBindingOverHTTP replays, on loopback, a request signed for another
// node to this one's listener with the other node's Host line (as a
// captured delivery would be replayed): the server sees that Host, the
// signature verifies without Hosts and is refused with them.
func TestHostBindingOverHTTP(t *testing.T) {
	a, _ := testKeys(t)
	type result struct{ loose, strict error }
	got := make(chan result, 2)
	var hosts []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
		loose := &Verifier{Resolve: r.resolve}
		strict := &Verifier{Resolve: r.resolve, Hosts: hosts}
		_, errLoose := loose.Verify(req.Context(), req, body)
		_, errStrict := strict.Verify(req.Context(), req, body)
		got <- result{errLoose, errStrict}
	}))
	hosts = []string{srv.Listener.Addr().String()} // before the handler runs
	srv.Start()
	defer srv.Close()
	for _, host := range []string{"", "127.0.0.3:8443"} { // "" = the server's own
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/actor/inbox", bytes.NewReader(testBody))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if err := (&Signer{KeyID: keyIDA, Key: a}).SignRequest(req, testBody, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		res := <-got
		if res.loose != nil {
			t.Fatalf("Host %q: without Hosts: %v", host, res.loose)
		}
		if host == "" && res.strict != nil {
			t.Fatalf("to this node: %v", res.strict)
		}
		if host != "" && !errors.Is(res.strict, ErrWrongHost) {
			t.Fatalf("replayed with Host %q: %v, want ErrWrongHost", host, res.strict)
		}
	}
}
