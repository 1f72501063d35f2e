package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
)

// Config is the whole configuration of a node. Every field has a default
// (Defaults), can be set in the YAML file under its yaml key path (nested
// sections as YAML maps), by the environment variable INTERLINK_ + the key
// path in upper case with dots as underscores (api.body_limit →
// INTERLINK_API_BODY_LIMIT), and the main ones by command-line flags.
// Precedence: flags > environment > file > defaults.
type Config struct {
	// Data is the data directory: database, search index, keys, local credential.
	Data string `yaml:"data"`
	// Listen is the HOST:PORT the HTTP server binds.
	Listen string `yaml:"listen"`
	// PublicURL is the node's identity and ActivityPub origin; default
	// http:// + Listen (https:// when the node serves TLS).
	PublicURL string `yaml:"public_url"`
	// ListenHTTP is an optional second HOST:PORT, plain HTTP, that
	// redirects every request to the https public_url (and answers ACME
	// HTTP-01 challenges); only with TLS.
	ListenHTTP string `yaml:"listen_http"`
	// TLS serves HTTPS on Listen from certificate files or ACME (tls.go).
	TLS TLSConfig `yaml:"tls"`
	// TrustedProxies are the reverse proxies (CIDRs or addresses) whose
	// X-Forwarded-For and Forwarded headers the node believes (proxy.go);
	// from anyone else those headers are ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// proxies is TrustedProxies parsed by Validate.
	proxies proxies
	// Name is the organisation's display name.
	Name string `yaml:"name"`
	// Summary describes the organisation (the actor's summary).
	Summary string `yaml:"summary"`
	// OrgKind is the organisation's kind: public_administration,
	// citizen_group, non_profit or for_profit.
	OrgKind string `yaml:"org_kind"`
	// Country is the organisation's ISO 3166-1 alpha-2 country code.
	Country string `yaml:"country"`

	// GCPercent is the Go garbage collector's target (GOGC) that serve
	// sets when the GOGC environment variable is not set. A node's live
	// heap is small (tens of MB) while it allocates fast when parsing and
	// indexing, so a higher target trades a little memory for much less
	// collector CPU (+20 % ingest, +20 % backfill; docs/benchmarks.md).
	GCPercent int `yaml:"gc_percent"`

	Federation federation.Config `yaml:"federation"`
	// Trust is the trust layer: role, superiors, pinned anchors, lifetimes
	// (docs/trust.md).
	Trust trust.Config `yaml:"trust"`

	Log      LogConfig      `yaml:"log"`
	API      APIConfig      `yaml:"api"`
	Storage  StorageConfig  `yaml:"storage"`
	Shutdown ShutdownConfig `yaml:"shutdown"`
	Testing  TestingConfig  `yaml:"testing"`
	// Gossip is the node's membership in its federation's gossip pool
	// (docs/gossip.md).
	Gossip GossipConfig `yaml:"gossip"`
	// OIDC is sign-in with the organisation's identity provider
	// (config_oidc.go; docs/deployment.md).
	OIDC OIDCConfig `yaml:"oidc"`
	// Health configures /readyz's federation checks (health.go).
	Health HealthConfig `yaml:"health"`
	// Processes configures the co-production processes this node hosts
	// (docs/coproduction.md).
	Processes ProcessesConfig `yaml:"processes"`
}

// ProcessesConfig configures co-production processes.
type ProcessesConfig struct {
	// AssetLimit is the largest file asset a process this node hosts
	// accepts: the file travels inside a signed change that every
	// participant keeps. Participants apply the host's entries whatever
	// their own setting.
	AssetLimit ByteSize `yaml:"asset_limit"`
}

// maxAssetLimit keeps a file asset, base64 inside its signed change, under
// the largest change a host accepts (cp.MaxChangeSize, 1 MiB).
const maxAssetLimit = 640 << 10

// TestingConfig enables what only test federations use (docs/testnet.md).
type TestingConfig struct {
	// Faults installs fault injection (partitions, latency, clock skew)
	// and its admin endpoint /api/v1/testing/faults. Never in production.
	Faults bool `yaml:"faults"`
}

// LogConfig configures the structured logs.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
	// Requests says which requests are logged: all (every request, the
	// successful ones at info), sampled (errors, and one successful
	// request in RequestSample) or errors (4xx and 5xx only).
	Requests string `yaml:"requests"`
	// RequestSample: with requests: sampled, one successful request in
	// this many is logged.
	RequestSample int `yaml:"request_sample"`
}

// APIConfig configures the HTTP API.
type APIConfig struct {
	BodyLimit    ByteSize      `yaml:"body_limit"`    // largest request body accepted (restore excepted)
	RestoreLimit ByteSize      `yaml:"restore_limit"` // largest backup file accepted by restore
	ReadTimeout  time.Duration `yaml:"read_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	SearchWait   time.Duration `yaml:"search_wait"` // how long a search waits for the index to catch up with acknowledged writes
	// CORSOrigins are the origins (scheme://host[:port], or "*") whose
	// pages may read the public read API from a browser (cors.go);
	// default none.
	CORSOrigins []string `yaml:"cors_origins"`
	// Compress gzips JSON, HTML and CSS answers for clients that accept it
	// (compress.go).
	Compress bool `yaml:"compress"`
}

// StorageConfig tunes the database.
type StorageConfig struct {
	MaxBatch      int           `yaml:"max_batch"`       // writes per group commit
	MaxBatchDelay time.Duration `yaml:"max_batch_delay"` // how long a group commit may wait to fill up
}

// ShutdownConfig bounds a graceful stop.
type ShutdownConfig struct {
	Timeout time.Duration `yaml:"timeout"`
}

// ByteSize is a size in bytes that reads "1MiB", "512KiB", "2MB" or a plain number.
type ByteSize int64

// UnmarshalYAML reads a ByteSize from a YAML scalar.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// ParseByteSize parses "1MiB", "64KiB", "10MB", "1048576".
func ParseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size (write e.g. 1048576, 512KiB or 1MiB)", s)
	}
	return ByteSize(n * mult), nil
}

// Defaults returns the embedded defaults.
func Defaults() Config {
	return Config{
		Data:       "./interlink-data",
		Listen:     "127.0.0.1:8080",
		Name:       "interlink node",
		OrgKind:    string(protocol.OrgPublicAdministration),
		GCPercent:  400,
		Federation: federation.Defaults(),
		Trust:      trust.Defaults(),
		Gossip:     gossipDefaults(),
		Log:        LogConfig{Level: "info", Format: "text", Requests: logRequestsAll, RequestSample: 100},
		API: APIConfig{
			BodyLimit:    1 << 20,
			RestoreLimit: 4 << 30,
			ReadTimeout:  30 * time.Second,
			WriteTimeout: 5 * time.Minute,
			SearchWait:   2 * time.Second,
			Compress:     true,
		},
		Health:    HealthConfig{StuckAfter: 15 * time.Minute},
		Storage:   StorageConfig{MaxBatch: 1000},
		Processes: ProcessesConfig{AssetLimit: 256 << 10},
		TLS:       TLSConfig{HSTSMaxAge: 365 * 24 * time.Hour},
		Shutdown:  ShutdownConfig{Timeout: 15 * time.Second},
	}
}

// LoadFile merges the YAML file at path into c. An unknown key is an error
// that names it and its line.
func (c *Config) LoadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file is fine
		}
		// Name the setting, in the project's words, rather than the Go
		// type the decoder could not fill.
		var root yaml.Node
		if yaml.Unmarshal(raw, &root) == nil {
			if probs := yamlProblems(&root, reflect.TypeFor[Config]()); len(probs) > 0 {
				return fmt.Errorf("config file %s:\n  %s", path, strings.Join(probs, "\n  "))
			}
		}
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// envPrefix starts every environment variable the node reads.
const envPrefix = "INTERLINK_"

// cliEnv are INTERLINK_* variables read by the command line, not the config.
var cliEnv = map[string]bool{"INTERLINK_SERVER": true, "INTERLINK_TOKEN": true, "INTERLINK_CONFIG": true}

// LoadEnv merges INTERLINK_* variables from environ ("K=V" pairs) into c.
// An INTERLINK_ variable that names no setting is an error that names it.
func (c *Config) LoadEnv(environ []string) error {
	fields := settingFields(c)
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, envPrefix) || cliEnv[k] || v == "" {
			continue // an empty variable counts as unset
		}
		f, ok := fields[k]
		if !ok {
			return fmt.Errorf("environment variable %s names no setting (known: %s)", k, strings.Join(knownEnv(fields), ", "))
		}
		if f.fileOnly {
			return fmt.Errorf("environment variable %s: setting %s is read from the configuration file only (%s)", k, f.key, kindWords(f.value.Type(), nil))
		}
		if err := setField(f.value, v); err != nil {
			return fmt.Errorf("environment variable %s (setting %s): %w", k, f.key, err)
		}
	}
	return nil
}

// Set sets one setting by its key path ("api.body_limit"), as flags do.
func (c *Config) Set(key, value string) error {
	env := envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
	f, ok := settingFields(c)[env]
	if !ok {
		return fmt.Errorf("unknown setting %q", key)
	}
	if f.fileOnly {
		return fmt.Errorf("setting %s is read from the configuration file only (%s)", key, kindWords(f.value.Type(), nil))
	}
	if err := setField(f.value, value); err != nil {
		return fmt.Errorf("setting %s: %w", key, err)
	}
	return nil
}

type settingField struct {
	key   string
	value reflect.Value
	// fileOnly: a setting of a type one text value cannot give (a list of
	// mappings such as trust.anchors): the configuration file sets it, an
	// environment variable or --set cannot.
	fileOnly bool
}

// settingFields maps every env name to its settable field.
func settingFields(c *Config) map[string]settingField {
	out := map[string]settingField{}
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			key := tag
			if prefix != "" {
				key = prefix + "." + tag
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeOf(time.Time{}) {
				walk(fv, key)
				continue
			}
			out[envPrefix+strings.ToUpper(strings.ReplaceAll(key, ".", "_"))] = settingField{key: key, value: fv, fileOnly: !textSettable(fv.Type())}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// knownEnv lists the environment variables that set a setting (not those
// of file-only settings).
func knownEnv(fields map[string]settingField) []string {
	names := make([]string, 0, len(fields))
	for k, f := range fields {
		if !f.fileOnly {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

// textSettable reports whether setField can set a setting of type t.
func textSettable(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[ByteSize](), reflect.TypeFor[time.Duration](), reflect.TypeFor[string](), reflect.TypeFor[int](),
		reflect.TypeFor[bool](), reflect.TypeFor[[]string]():
		return true
	}
	return false
}

func setField(v reflect.Value, s string) error {
	switch v.Interface().(type) {
	case ByteSize:
		b, err := ParseByteSize(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(b))
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration (write e.g. 500ms, 15s, 2m)", s)
		}
		v.SetInt(int64(d))
	case string:
		v.SetString(s)
	case int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		v.SetInt(int64(n))
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	case []string:
		var parts []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v.Set(reflect.ValueOf(parts))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// Validate checks the configuration once, fills derived defaults
// (PublicURL), and normalises it. Errors name the setting.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("setting %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Data) == "" {
		bad("data", "must name a directory")
	}
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		bad("listen", "%q is not HOST:PORT (%v)", c.Listen, err)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("listen", "port %q is not a number in 0-65535", port)
	}
	if c.PublicURL == "" && err == nil {
		if host == "" || host == "0.0.0.0" || host == "::" {
			bad("public_url", "must be set when listen binds every interface (%q): it is the node's identity", c.Listen)
		} else {
			c.PublicURL = "http://" + c.Listen
			if c.TLS.Enabled() {
				c.PublicURL = "https://" + c.Listen
			}
		}
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		switch {
		case err != nil:
			bad("public_url", "%v", err)
		case u.Scheme != "http" && u.Scheme != "https":
			bad("public_url", "%q must start with http:// or https://", c.PublicURL)
		case u.Host == "":
			bad("public_url", "%q has no host", c.PublicURL)
		case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
			bad("public_url", "%q must not carry a query, fragment or user", c.PublicURL)
		default:
			c.PublicURL = strings.TrimRight(u.Scheme+"://"+strings.ToLower(u.Host)+u.Path, "/")
		}
	}
	c.validateTLS(bad)
	c.proxies = parseTrustedProxies(c.TrustedProxies, bad)
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	switch c.Log.Requests {
	case logRequestsAll, logRequestsSampled, logRequestsErrors:
	default:
		bad("log.requests", "%q is not one of all, sampled, errors", c.Log.Requests)
	}
	if c.Log.RequestSample < 1 {
		bad("log.request_sample", "%d must be at least 1 (one request in N is logged)", c.Log.RequestSample)
	}
	if c.Health.StuckAfter < time.Minute {
		bad("health.stuck_after", "%s must be at least 1m", c.Health.StuckAfter)
	}
	for i, o := range c.API.CORSOrigins {
		norm, err := corsOrigin(o)
		if err != nil {
			bad("api.cors_origins", "entry %d: %v", i+1, err)
			continue
		}
		c.API.CORSOrigins[i] = norm
	}
	// A zero or negative server timeout is no timeout at all in net/http:
	// a client that never sends its body would hold a connection forever.
	if c.API.ReadTimeout < time.Second {
		bad("api.read_timeout", "%s must be at least 1s (0 or less would turn the timeout off)", c.API.ReadTimeout)
	}
	if c.API.WriteTimeout < time.Second {
		bad("api.write_timeout", "%s must be at least 1s (0 or less would turn the timeout off)", c.API.WriteTimeout)
	}
	if c.API.SearchWait < 0 {
		bad("api.search_wait", "%s is negative (0: a search does not wait for the index)", c.API.SearchWait)
	}
	if c.Storage.MaxBatchDelay < 0 || c.Storage.MaxBatchDelay > time.Second {
		bad("storage.max_batch_delay", "%s is out of range (0 to 1s: every write waits for it)", c.Storage.MaxBatchDelay)
	}
	if c.API.BodyLimit < 1024 {
		bad("api.body_limit", "%d bytes is too small (at least 1KiB)", c.API.BodyLimit)
	}
	if c.API.RestoreLimit < c.API.BodyLimit {
		bad("api.restore_limit", "must be at least api.body_limit")
	}
	if c.GCPercent < 25 {
		bad("gc_percent", "%d is below 25 (the collector would run constantly); the Go default is 100", c.GCPercent)
	}
	if c.Processes.AssetLimit < 1024 || c.Processes.AssetLimit > maxAssetLimit {
		bad("processes.asset_limit", "%d bytes is out of range (1KiB to 640KiB: a file travels base64 inside a signed change of at most 1MiB)", c.Processes.AssetLimit)
	}
	if c.Storage.MaxBatch < 1 {
		bad("storage.max_batch", "must be at least 1")
	}
	if c.Shutdown.Timeout <= 0 {
		bad("shutdown.timeout", "must be positive")
	}
	valid := false
	for _, k := range protocol.OrganisationKinds() {
		valid = valid || string(k) == c.OrgKind
	}
	if !valid {
		bad("org_kind", "%q is not one of public_administration, citizen_group, non_profit, for_profit", c.OrgKind)
	}
	if c.Country != "" {
		c.Country = strings.ToUpper(c.Country)
		if !protocol.ValidCountryCode(c.Country) {
			bad("country", "%q is not an ISO 3166-1 alpha-2 code", c.Country)
		}
	}
	if err := c.Federation.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Trust.Validate(); err != nil {
		errs = append(errs, err)
	}
	c.Gossip.validate(c.PublicURL, bad)
	c.OIDC.validate(bad)
	return errors.Join(errs...)
}
