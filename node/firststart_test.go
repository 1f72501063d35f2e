package node

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The first admin token reaches a terminal, never a log: when standard
// output is not a terminal it goes to DATA/admin-token (0600) and only the
// file's path is printed.
func TestFirstAdminToken(t *testing.T) {
	tokenRE := regexp.MustCompile(`itk_[A-Za-z0-9_-]{43}`)
	cases := []struct {
		name     string
		terminal bool
	}{
		{"not a terminal", false},
		{"terminal", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := Defaults()
			cfg.Data, cfg.Listen = dir, freeAddr(t, "127.0.0.1")
			var out bytes.Buffer
			opts := Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: &out}
			if c.terminal {
				opts.IsTerminal = func(io.Writer) bool { return true }
			}
			n, err := New(cfg, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			file := filepath.Join(dir, adminTokenFile)
			printed := tokenRE.FindString(out.String())
			raw, ferr := os.ReadFile(file)
			var tok string
			if c.terminal {
				if printed == "" || ferr == nil {
					t.Fatalf("on a terminal the token is printed and no file written: printed %q, file error %v", out.String(), ferr)
				}
				tok = printed
			} else {
				if printed != "" {
					t.Fatalf("the token was printed to a non-terminal: %q", out.String())
				}
				if ferr != nil || !strings.Contains(out.String(), file) {
					t.Fatalf("want the token in %s and its path printed: %v, %q", file, ferr, out.String())
				}
				if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
					t.Fatalf("%s: %v; want mode 0600", file, err)
				}
				tok = strings.TrimSpace(string(raw))
				if !tokenRE.MatchString(tok) || tok != tokenRE.FindString(tok) {
					t.Fatalf("%s holds %q, want one token", file, raw)
				}
			}
			tn := &testNode{t: t, n: n}
			if err := n.Start(); err != nil {
				t.Fatal(err)
			}
			tn.url = "http://" + n.Addr()
			tn.waitReady()
			if r := tn.do("GET", "/api/v1/tokens", tok, "", nil); r.status != 200 {
				t.Fatalf("the first admin token does not work: %d %s", r.status, r.body)
			}
		})
	}
}
