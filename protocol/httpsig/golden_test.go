package httpsig

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden: a fixed key, Date and body give exactly the headers recorded
// in testdata, byte for byte (RSASSA-PKCS1-v1_5 is deterministic). The
// signature is also checked with crypto/rsa against a signing string written
// out by hand, so the golden file cannot merely record a self-consistent
// mistake.
func TestGolden(t *testing.T) {
	a, _ := testKeys(t)
	tests := []struct {
		name, method, url string
		body              []byte
		signingString     string
	}{
		{"post", http.MethodPost, inboxURL, testBody,
			"(request-target): post /actor/inbox\nhost: 127.0.0.2:8443\ndate: Sun, 01 Jun 2025 12:00:00 GMT\ndigest: SHA-256=8JFvW9J5xdr/9WyE+q/zWZQkWiXeXGFFlLCKF001BQg="},
		{"get", http.MethodGet, "https://127.0.0.2:8443/actor/outbox?page=1", nil,
			"(request-target): get /actor/outbox?page=1\nhost: 127.0.0.2:8443\ndate: Sun, 01 Jun 2025 12:00:00 GMT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if err := (&Signer{KeyID: keyIDA, Key: a}).SignRequest(req, tt.body, testNow); err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, h := range []string{"Host", "Date", "Digest", "Signature"} {
				v := req.Header.Get(h)
				if h == "Host" {
					v = req.Host
				}
				if v != "" {
					fmt.Fprintf(&got, "%s: %s\n", h, v)
				}
			}
			path := filepath.Join("testdata", "golden-"+tt.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if got.String() != string(want) {
				t.Fatalf("headers differ from %s\ngot:\n%s\nwant:\n%s", path, got.String(), want)
			}

			sig := req.Header.Get("Signature")
			headers := "(request-target) host date"
			if tt.body != nil {
				headers += " digest"
			}
			prefix := `keyId="https://127.0.0.1:8443/actor#main-key",algorithm="rsa-sha256",headers="` + headers + `",signature="`
			if !strings.HasPrefix(sig, prefix) || !strings.HasSuffix(sig, `"`) {
				t.Fatalf("Signature = %s\nwant prefix %s", sig, prefix)
			}
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(sig, prefix), `"`))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(tt.signingString))
			if err := rsa.VerifyPKCS1v15(&a.PublicKey, crypto.SHA256, sum[:], raw); err != nil {
				t.Fatalf("signature does not cover the hand-written signing string: %v", err)
			}
		})
	}
}
