package node

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// TLSConfig makes the node serve HTTPS itself: from certificate files
// (cert_file and key_file, PEM) or from ACME (acme.domains). Off when both
// are empty, e.g. behind a reverse proxy that terminates TLS
// (docs/deployment.md).
type TLSConfig struct {
	// CertFile is the PEM certificate chain, the node's own first. Read
	// again when the file changes (a renewal needs no restart).
	CertFile string `yaml:"cert_file"`
	// KeyFile is the PEM private key of CertFile.
	KeyFile string `yaml:"key_file"`
	// HSTSMaxAge is the max-age of the Strict-Transport-Security header
	// sent on every response while serving TLS; 0 sends none.
	HSTSMaxAge time.Duration `yaml:"hsts_max_age"`
	// ACME obtains and renews the certificate from an ACME CA
	// (golang.org/x/crypto/acme/autocert).
	ACME ACMEConfig `yaml:"acme"`
}

// ACMEConfig configures certificates from an ACME CA (Let's Encrypt by default).
type ACMEConfig struct {
	// Email is the contact the CA writes to about expiring certificates.
	Email string `yaml:"email"`
	// Domains are the host names the node may get certificates for; the
	// public_url's host must be one of them. Setting them turns ACME on.
	Domains []string `yaml:"domains"`
	// CacheDir keeps the ACME account key and certificates; default
	// DATA/acme, and it must lie inside the data directory (backups and
	// the service's writable paths cover it).
	CacheDir string `yaml:"cache_dir"`
	// DirectoryURL is the CA's ACME directory; default Let's Encrypt's
	// production directory.
	DirectoryURL string `yaml:"directory_url"`
}

// Enabled reports whether the node serves TLS itself.
func (c TLSConfig) Enabled() bool {
	return c.CertFile != "" || c.KeyFile != "" || len(c.ACME.Domains) > 0
}

// validateTLS checks the tls settings and listen_http, and fills the ACME
// cache directory's default. It runs inside Config.Validate, after data,
// listen and public_url.
func (c *Config) validateTLS(bad func(key, format string, args ...any)) {
	t := &c.TLS
	if c.ListenHTTP != "" {
		if !t.Enabled() {
			bad("listen_http", "is the plain-HTTP listener that redirects to https; it needs tls.cert_file or tls.acme.domains")
		} else if _, port, err := net.SplitHostPort(c.ListenHTTP); err != nil {
			bad("listen_http", "%q is not HOST:PORT (%v)", c.ListenHTTP, err)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			bad("listen_http", "port %q is not a number in 0-65535", port)
		}
	}
	if t.HSTSMaxAge < 0 {
		bad("tls.hsts_max_age", "must not be negative (0 sends no Strict-Transport-Security)")
	}
	if !t.Enabled() {
		return
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "https://") {
		bad("public_url", "%q must start with https:// when the node serves TLS (tls.cert_file or tls.acme)", c.PublicURL)
	}
	files := t.CertFile != "" || t.KeyFile != ""
	switch {
	case files && len(t.ACME.Domains) > 0:
		bad("tls.acme.domains", "certificate files (tls.cert_file) and ACME are exclusive: set one")
	case files && t.CertFile == "":
		bad("tls.cert_file", "must be set with tls.key_file")
	case files && t.KeyFile == "":
		bad("tls.key_file", "must be set with tls.cert_file")
	case files:
		if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
			bad("tls.cert_file", "with tls.key_file: %v", err)
		}
	default:
		c.validateACME(bad)
	}
}

func (c *Config) validateACME(bad func(key, format string, args ...any)) {
	a := &c.TLS.ACME
	for i, d := range a.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		a.Domains[i] = d
		if d == "" || strings.ContainsAny(d, "/:*@ ") || net.ParseIP(d) != nil || !strings.Contains(d, ".") {
			bad("tls.acme.domains", "%q is not a DNS name an ACME CA certifies (no IP addresses, ports or wildcards)", d)
		}
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Host != "" {
		host := u.Hostname()
		found := false
		for _, d := range a.Domains {
			found = found || d == host
		}
		if !found {
			bad("tls.acme.domains", "must include the host of public_url (%s): it is the name peers connect to", host)
		}
	}
	if a.Email != "" && (!strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " \t<>")) {
		bad("tls.acme.email", "%q is not an email address", a.Email)
	}
	if a.DirectoryURL != "" {
		if u, err := url.Parse(a.DirectoryURL); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("tls.acme.directory_url", "%q is not an https:// URL", a.DirectoryURL)
		}
	}
	if strings.TrimSpace(c.Data) == "" {
		return
	}
	if a.CacheDir == "" {
		a.CacheDir = filepath.Join(c.Data, "acme")
	}
	data, err1 := filepath.Abs(c.Data)
	cache, err2 := filepath.Abs(a.CacheDir)
	if err1 != nil || err2 != nil {
		bad("tls.acme.cache_dir", "cannot resolve %q", a.CacheDir)
		return
	}
	if rel, err := filepath.Rel(data, cache); err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		bad("tls.acme.cache_dir", "%q must be a directory inside the data directory %s (it holds the ACME account key)", a.CacheDir, c.Data)
	}
}

// acmeManager builds the ACME certificate manager of a validated
// configuration: certificates only for the configured domains, cached in
// the cache directory.
func acmeManager(a ACMEConfig) *autocert.Manager {
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(a.CacheDir),
		HostPolicy: autocert.HostWhitelist(a.Domains...),
		Email:      a.Email,
	}
	if a.DirectoryURL != "" {
		m.Client = &acme.Client{DirectoryURL: a.DirectoryURL}
	}
	return m
}

// serverTLS is what Start needs to serve TLS: the tls.Config of the main
// listener and the handler of the plain-HTTP listener (a redirect to https,
// which also answers ACME's HTTP-01 challenges under ACME).
type serverTLS struct {
	config   *tls.Config
	httpSide http.Handler
}

// newServerTLS prepares TLS for a validated configuration (nil when off).
func newServerTLS(c Config) (*serverTLS, error) {
	t := c.TLS
	if !t.Enabled() {
		return nil, nil
	}
	redirect := redirectToHTTPS(c.PublicURL)
	if t.CertFile != "" {
		kp := &keyPairFiles{cert: t.CertFile, key: t.KeyFile}
		if _, err := kp.load(); err != nil {
			return nil, err
		}
		cfg := &tls.Config{MinVersion: tls.VersionTLS12,
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return kp.load() }}
		return &serverTLS{config: cfg, httpSide: redirect}, nil
	}
	if err := os.MkdirAll(t.ACME.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("setting tls.acme.cache_dir: %w", err)
	}
	m := acmeManager(t.ACME)
	cfg := m.TLSConfig() // answers TLS-ALPN-01 challenges too
	cfg.MinVersion = tls.VersionTLS12
	return &serverTLS{config: cfg, httpSide: m.HTTPHandler(redirect)}, nil
}

// keyPairFiles reads a certificate and key from files, again whenever
// either file changes, so that a renewed certificate needs no restart.
type keyPairFiles struct {
	cert, key string

	mu        sync.Mutex
	loaded    *tls.Certificate
	certMod   time.Time
	keyMod    time.Time
	checkedAt time.Time
}

func (k *keyPairFiles) load() (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	if k.loaded != nil && now.Sub(k.checkedAt) < time.Second {
		return k.loaded, nil
	}
	k.checkedAt = now
	cs, err1 := os.Stat(k.cert)
	ks, err2 := os.Stat(k.key)
	if k.loaded != nil && err1 == nil && err2 == nil && cs.ModTime().Equal(k.certMod) && ks.ModTime().Equal(k.keyMod) {
		return k.loaded, nil
	}
	pair, err := tls.LoadX509KeyPair(k.cert, k.key)
	if err != nil {
		if k.loaded != nil {
			return k.loaded, nil // a renewal half-written: keep serving the last good pair
		}
		return nil, fmt.Errorf("setting tls.cert_file with tls.key_file: %w", err)
	}
	k.loaded = &pair
	if err1 == nil && err2 == nil {
		k.certMod, k.keyMod = cs.ModTime(), ks.ModTime()
	}
	return k.loaded, nil
}

// redirectToHTTPS answers every plain-HTTP request with a permanent
// redirect to the same path and query on the public https origin.
func redirectToHTTPS(publicURL string) http.Handler {
	u, _ := url.Parse(publicURL)
	origin := "https://" + u.Host
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, origin+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// hsts adds Strict-Transport-Security to every response.
func hsts(maxAge time.Duration, next http.Handler) http.Handler {
	if maxAge <= 0 {
		return next
	}
	value := "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", value)
		next.ServeHTTP(w, r)
	})
}
