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
