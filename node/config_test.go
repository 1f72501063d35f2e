package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "node.yaml")
	if err := os.WriteFile(file, []byte("listen: 127.0.0.1:9000\nname: From file\napi:\n  body_limit: 2MiB\n  search_wait: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	if err := cfg.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	if err := cfg.LoadEnv([]string{"INTERLINK_LISTEN=127.0.0.2:9001", "INTERLINK_API_BODY_LIMIT=3MiB", "INTERLINK_TOKEN=x", "PATH=/bin"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Set("listen", "127.0.0.3:9002"); err != nil { // a flag
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.3:9002" {
		t.Errorf("listen = %s: flags must win over environment and file", cfg.Listen)
	}
	if cfg.API.BodyLimit != 3<<20 {
		t.Errorf("body_limit = %d: environment must win over the file", cfg.API.BodyLimit)
	}
	if cfg.API.SearchWait != 3*time.Second || cfg.Name != "From file" {
		t.Errorf("file values lost: %+v", cfg)
	}
	if cfg.Data != "./interlink-data" {
		t.Errorf("data = %q: the default must stay when nothing sets it", cfg.Data)
	}
	if cfg.PublicURL != "http://127.0.0.3:9002" {
		t.Errorf("public_url = %q, want the default http:// + listen", cfg.PublicURL)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		file string
		env  []string
		set  [2]string
		want string
	}{
		{name: "unknown file key", file: "listen: 127.0.0.1:1\nlisten_adress: x\n", want: "listen_adress"},
		{name: "unknown nested key", file: "api:\n  body_limt: 1MiB\n", want: "body_limt"},
		{name: "bad size in file", file: "api:\n  body_limit: lots\n", want: "lots"},
		{name: "unknown env", env: []string{"INTERLINK_LISTN=1"}, want: "INTERLINK_LISTN"},
		{name: "bad env duration", env: []string{"INTERLINK_SHUTDOWN_TIMEOUT=soon"}, want: "INTERLINK_SHUTDOWN_TIMEOUT"},
		{name: "unknown flag setting", set: [2]string{"api.nope", "1"}, want: "api.nope"},
		{name: "bad listen", set: [2]string{"listen", "localhost"}, want: "setting listen"},
		{name: "bad public url", set: [2]string{"public_url", "ftp://x"}, want: "setting public_url"},
		{name: "bad log level", set: [2]string{"log.level", "loud"}, want: "setting log.level"},
		{name: "negative read timeout", env: []string{"INTERLINK_API_READ_TIMEOUT=-5s"}, want: "setting api.read_timeout: -5s must be at least 1s"},
		{name: "zero write timeout", env: []string{"INTERLINK_API_WRITE_TIMEOUT=0s"}, want: "setting api.write_timeout: 0s must be at least 1s"},
		{name: "negative search wait", env: []string{"INTERLINK_API_SEARCH_WAIT=-1s"}, want: "setting api.search_wait: -1s is negative"},
		{name: "negative batch delay", env: []string{"INTERLINK_STORAGE_MAX_BATCH_DELAY=-1s"}, want: "setting storage.max_batch_delay: -1s is out of range"},
		{name: "asset limit too large", env: []string{"INTERLINK_PROCESSES_ASSET_LIMIT=2MiB"}, want: "processes.asset_limit: 2097152 bytes is out of range"},
		// YAML type mismatches and unknown keys: the setting's key path and
		// what it must be, not the Go type the decoder could not fill.
		{name: "file duration", file: "federation:\n  retry_base: fast\n", want: `line 2: federation.retry_base: "fast" is not a duration (write e.g. 500ms, 15s, 2m)`},
		{name: "file bool", file: "testing:\n  faults: maybe\n", want: `line 2: testing.faults: "maybe" is not true or false`},
		{name: "file int", file: "storage:\n  max_batch: many\n", want: `storage.max_batch: "many" is not a whole number`},
		{name: "file list for text", file: "listen: [a, b]\n", want: "line 1: listen: a list is not a single text value"},
		{name: "file text for section", file: "federation: open\n", want: `federation: want a mapping of settings (allow_domains, `},
		{name: "file text for anchors", file: "trust:\n  anchors: x\n", want: `trust.anchors: "x" is not a list of mappings with entity_id, kids`},
		{name: "file unknown key suggests", file: "federation:\n  allow_privat_networks: true\n",
			want: "line 2: federation.allow_privat_networks is not a setting (did you mean federation.allow_private_networks?); the settings under federation are: allow_domains,"},
		{name: "file unknown top-level section", file: "search:\n  index: 3\n", want: "line 1: search is not a setting; the settings at the top level are: api,"},
		{name: "file two problems", file: "nme: x\napi:\n  read_timeout: 3\n", want: "api.read_timeout: \"3\" is not a duration"},
		// A setting no single text value can give is not offered as an
		// environment variable, and says it is read from the file only.
		{name: "env file-only", env: []string{"INTERLINK_TRUST_ANCHORS=x"}, want: "setting trust.anchors is read from the configuration file only"},
		{name: "set file-only", set: [2]string{"trust.anchors", "x"}, want: "setting trust.anchors is read from the configuration file only"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Defaults()
			var err error
			if tt.file != "" {
				p := filepath.Join(dir, "c"+string(rune('a'+i))+".yaml")
				if werr := os.WriteFile(p, []byte(tt.file), 0o600); werr != nil {
					t.Fatal(werr)
				}
				err = cfg.LoadFile(p)
			}
			if err == nil && tt.env != nil {
				err = cfg.LoadEnv(tt.env)
			}
			if err == nil && tt.set[0] != "" {
				err = cfg.Set(tt.set[0], tt.set[1])
			}
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v does not name %q", err, tt.want)
			}
		})
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"1048576": 1 << 20, "1MiB": 1 << 20, "512KiB": 512 << 10, "2MB": 2e6, "0": 0} {
		got, err := ParseByteSize(in)
		if err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1TB?", "MiB"} {
		if _, err := ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) accepted", in)
		}
	}
}

// The variables an unknown one lists are those that set something.
func TestKnownEnvListsOnlyTextSettings(t *testing.T) {
	cfg := Defaults()
	err := cfg.LoadEnv([]string{"INTERLINK_NOPE=1"})
	if err == nil || strings.Contains(err.Error(), "INTERLINK_TRUST_ANCHORS") || !strings.Contains(err.Error(), "INTERLINK_TRUST_AUTHORITY_HINTS") {
		t.Fatalf("error %v", err)
	}
}
