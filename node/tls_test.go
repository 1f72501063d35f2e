package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// selfSigned writes a self-signed certificate for ips into dir and returns
// the pool that trusts it.
func selfSigned(t testing.TB, dir string, ips ...string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "interlink test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, ip := range ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLSConfigValidation(t *testing.T) {
	dir := t.TempDir()
	cert, key, _ := selfSigned(t, dir, "127.0.0.1")
	data := filepath.Join(dir, "data")
	cases := []struct {
		name string
		set  func(c *Config)
		want string // "" valid
	}{
		{"off", func(c *Config) {}, ""},
		{"files", func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile = cert, key }, ""},
		{"cert without key", func(c *Config) { c.TLS.CertFile = cert }, "setting tls.key_file: must be set with tls.cert_file"},
		{"key without cert", func(c *Config) { c.TLS.KeyFile = key }, "setting tls.cert_file: must be set with tls.key_file"},
		{"missing file", func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile = filepath.Join(dir, "nope.pem"), key }, "setting tls.cert_file: with tls.key_file: open"},
		{"key of another cert", func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile = cert, cert }, "setting tls.cert_file: with tls.key_file"},
		{"http public_url", func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile, c.PublicURL = cert, key, "http://node.example.org" }, "setting public_url: \"http://node.example.org\" must start with https://"},
		{"files and acme", func(c *Config) {
			c.TLS.CertFile, c.TLS.KeyFile, c.TLS.ACME.Domains = cert, key, []string{"node.example.org"}
		}, "setting tls.acme.domains: certificate files (tls.cert_file) and ACME are exclusive"},
		{"acme", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains = "https://node.example.org", []string{"Node.Example.org"}
		}, ""},
		{"acme without the public host", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains = "https://node.example.org", []string{"other.example.org"}
		}, "setting tls.acme.domains: must include the host of public_url (node.example.org)"},
		{"acme ip", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains = "https://node.example.org", []string{"node.example.org", "10.0.0.1"}
		}, `setting tls.acme.domains: "10.0.0.1" is not a DNS name`},
		{"acme wildcard", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains = "https://node.example.org", []string{"node.example.org", "*.example.org"}
		}, `"*.example.org" is not a DNS name`},
		{"acme email", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains, c.TLS.ACME.Email = "https://node.example.org", []string{"node.example.org"}, "nobody"
		}, `setting tls.acme.email: "nobody" is not an email address`},
		{"acme cache outside data", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains, c.TLS.ACME.CacheDir = "https://node.example.org", []string{"node.example.org"}, filepath.Join(dir, "elsewhere")
		}, "setting tls.acme.cache_dir: " + `"` + filepath.Join(dir, "elsewhere") + `" must be a directory inside the data directory`},
		{"acme cache is data", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains, c.TLS.ACME.CacheDir = "https://node.example.org", []string{"node.example.org"}, data
		}, "setting tls.acme.cache_dir"},
		{"acme directory http", func(c *Config) {
			c.PublicURL, c.TLS.ACME.Domains, c.TLS.ACME.DirectoryURL = "https://node.example.org", []string{"node.example.org"}, "http://ca.example.org/dir"
		}, "setting tls.acme.directory_url"},
		{"listen_http without tls", func(c *Config) { c.ListenHTTP = "127.0.0.1:8081" }, "setting listen_http: is the plain-HTTP listener that redirects to https; it needs tls.cert_file"},
		{"listen_http bad", func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile, c.ListenHTTP = cert, key, "8081" }, `setting listen_http: "8081" is not HOST:PORT`},
		{"hsts negative", func(c *Config) { c.TLS.HSTSMaxAge = -time.Second }, "setting tls.hsts_max_age: must not be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			c.Data, c.Listen = data, "127.0.0.1:8443"
			tc.set(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}

	c := Defaults()
	c.Data, c.Listen, c.TLS.CertFile, c.TLS.KeyFile = data, "127.0.0.1:8443", cert, key
	if err := c.Validate(); err != nil || c.PublicURL != "https://127.0.0.1:8443" {
		t.Errorf("TLS on derives public_url %q (%v), want https://127.0.0.1:8443", c.PublicURL, err)
	}
	c = Defaults()
	c.Data, c.PublicURL, c.TLS.ACME.Domains = data, "https://node.example.org", []string{"node.example.org"}
	if err := c.Validate(); err != nil || c.TLS.ACME.CacheDir != filepath.Join(data, "acme") {
		t.Errorf("acme cache dir %q (%v), want DATA/acme", c.TLS.ACME.CacheDir, err)
	}
	// Environment and file set the same keys.
	c = Defaults()
	if err := c.LoadEnv([]string{"INTERLINK_TLS_ACME_DOMAINS=a.example.org, b.example.org", "INTERLINK_LISTEN_HTTP=:80",
		"INTERLINK_TLS_CERT_FILE=/x.pem", "INTERLINK_TLS_HSTS_MAX_AGE=1h"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.TLS.ACME.Domains, []string{"a.example.org", "b.example.org"}) || c.ListenHTTP != ":80" || c.TLS.CertFile != "/x.pem" || c.TLS.HSTSMaxAge != time.Hour {
		t.Errorf("environment: %+v %q", c.TLS, c.ListenHTTP)
	}
}

// The ACME manager is built from the configuration alone (no ACME server
// here): certificates only for the configured names, the cache in
// DATA/acme, the configured CA and contact, TLS-ALPN-01 offered.
func TestACMEManager(t *testing.T) {
	c := Defaults()
	c.Data, c.Listen, c.PublicURL = filepath.Join(t.TempDir(), "data"), "127.0.0.1:8443", "https://node.example.org"
	c.ListenHTTP = "127.0.0.1:8080"
	c.TLS.ACME = ACMEConfig{Email: "ops@example.org", Domains: []string{"node.example.org", "www.node.example.org"},
		DirectoryURL: "https://acme-staging-v02.api.letsencrypt.org/directory"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	m := acmeManager(c.TLS.ACME)
	ctx := context.Background()
	for _, ok := range []string{"node.example.org", "www.node.example.org"} {
		if err := m.HostPolicy(ctx, ok); err != nil {
			t.Errorf("host policy refuses %s: %v", ok, err)
		}
	}
	for _, no := range []string{"evil.example.org", "127.0.0.1", "example.org"} {
		if err := m.HostPolicy(ctx, no); err == nil {
			t.Errorf("host policy accepts %s", no)
		}
	}
	if m.Email != "ops@example.org" || m.Client == nil || m.Client.DirectoryURL != c.TLS.ACME.DirectoryURL {
		t.Errorf("manager email %q client %+v", m.Email, m.Client)
	}
	if d, ok := m.Cache.(autocert.DirCache); !ok || string(d) != filepath.Join(c.Data, "acme") {
		t.Errorf("cache %#v, want DirCache DATA/acme", m.Cache)
	}
	st, err := newServerTLS(c)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(c.Data, "acme")); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("acme cache dir: %v %v", fi, err)
	}
	if !slices.Contains(st.config.NextProtos, acme.ALPNProto) || st.config.MinVersion != tls.VersionTLS12 {
		t.Errorf("tls config protos %v min %x", st.config.NextProtos, st.config.MinVersion)
	}
	// A name outside the list is refused at the handshake without asking a CA.
	if _, err := st.config.GetCertificate(&tls.ClientHelloInfo{ServerName: "evil.example.org"}); err == nil {
		t.Error("certificate for a name outside tls.acme.domains")
	}
	// The plain-HTTP side redirects everything but ACME challenges.
	rec := &recorder{h: http.Header{}}
	req, _ := http.NewRequest("GET", "http://node.example.org/objects/x?y=1", nil)
	st.httpSide.ServeHTTP(rec, req)
	if rec.status != http.StatusPermanentRedirect || rec.h.Get("Location") != "https://node.example.org/objects/x?y=1" {
		t.Errorf("http side: %d %q", rec.status, rec.h.Get("Location"))
	}
}

type recorder struct {
	h      http.Header
	status int
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// A node with certificate files serves HTTPS with HSTS on every response,
// and its listen_http redirects to the https public URL.
func TestServeTLSFromFiles(t *testing.T) {
	dir := t.TempDir()
	cert, key, pool := selfSigned(t, dir, "127.0.0.1")
	addr, plain := freeAddr(t, "127.0.0.1"), freeAddr(t, "127.0.0.1")
	cfg := Defaults()
	cfg.Data, cfg.Listen, cfg.ListenHTTP, cfg.Log.Level = filepath.Join(dir, "data"), addr, plain, "error"
	cfg.TLS.CertFile, cfg.TLS.KeyFile = cert, key
	n, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		n.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	if n.PublicURL() != "https://"+addr {
		t.Fatalf("public url %s", n.PublicURL())
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/healthz", "/api/v1/status", "/no-such-page"} {
		resp, err := client.Get("https://" + addr + path)
		if err != nil {
			t.Fatalf("GET https %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
			t.Errorf("%s (%d): Strict-Transport-Security %q", path, resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
		}
		if path == "/healthz" && (resp.StatusCode != 200 || resp.ProtoMajor != 2) {
			t.Errorf("healthz over TLS: %d %s", resp.StatusCode, resp.Proto)
		}
	}
	resp, err := client.Get("http://" + plain + "/api/v1/search?q=a%20b")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "https://"+addr+"/api/v1/search?q=a%20b" {
		t.Errorf("listen_http: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP (browsers ignore it there; it must come from https)")
	}
	// Plain HTTP on the TLS port is not served.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP served on the TLS listener")
		}
	}
	if rt, err := os.ReadFile(filepath.Join(cfg.Data, runtimeFile)); err != nil || !strings.Contains(string(rt), `"server":"https://`+addr+`"`) {
		t.Errorf("node.json %s (%v)", rt, err)
	}
}

// Without TLS no HSTS is sent (a proxy in front decides).
func TestNoHSTSWithoutTLS(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	if h := tn.get("/healthz").header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS %q without TLS", h)
	}
}

// A renewed certificate is served without a restart: the pair is read
// again when either file changes; a half-written renewal keeps the last
// good pair.
func TestKeyPairFilesReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir, "127.0.0.1")
	kp := &keyPairFiles{cert: certFile, key: keyFile}
	first, err := kp.load()
	if err != nil {
		t.Fatal(err)
	}
	// The renewal: a new pair in the same files, with a later mtime.
	renewed := t.TempDir()
	c2, k2, _ := selfSigned(t, renewed, "127.0.0.1")
	for _, f := range [][2]string{{c2, certFile}, {k2, keyFile}} {
		b, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f[1], b, 0o600); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Minute)
		if err := os.Chtimes(f[1], later, later); err != nil {
			t.Fatal(err)
		}
	}
	kp.checkedAt = time.Time{} // past the one-second check interval
	second, err := kp.load()
	if err != nil {
		t.Fatal(err)
	}
	if string(second.Certificate[0]) == string(first.Certificate[0]) {
		t.Fatal("the renewed certificate was not read again")
	}
	if err := os.WriteFile(certFile, []byte("-----BEGIN CERT"), 0o600); err != nil {
		t.Fatal(err)
	}
	even := time.Now().Add(2 * time.Minute)
	_ = os.Chtimes(certFile, even, even)
	kp.checkedAt = time.Time{}
	third, err := kp.load()
	if err != nil || string(third.Certificate[0]) != string(second.Certificate[0]) {
		t.Fatalf("a half-written renewal: %v; want the last good pair kept", err)
	}
}
