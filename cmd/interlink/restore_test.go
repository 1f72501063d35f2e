package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --allow-other-node is the explicit consent the node asks for before it
// restores another node's backup (?allow_other_node=true); without it
// nothing is asked.
func TestRestoreAllowOtherNode(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good.db")
	if err := os.WriteFile(good, fakeBolt(8<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		flags []string
		query string
	}{
		{"own backup", nil, ""},
		{"another node's", []string{"--allow-other-node"}, "allow_other_node=true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := isolate(t)
			n := newFakeNode(t)
			args := append([]string{"restore", good, "--yes", "--data", data, "--server", n.URL(), "--token", fakeAdminToken}, c.flags...)
			if r := runCLI(t, "", args...); r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if got := n.seen()[0].Query; got != c.query {
				t.Fatalf("query %q, want %q", got, c.query)
			}
		})
	}
}

// backup --help says what the file holds: the database with the API token
// hashes, not the node's keys (those stay in DATA/keys).
func TestBackupHelpSaysWhatTheFileHolds(t *testing.T) {
	r := runCLI(t, "", "backup", "--help")
	help := r.stdout + r.stderr
	if r.code != exitOK || !strings.Contains(help, "token hashes") || strings.Contains(help, "secrets (keys") || !strings.Contains(help, "DATA/keys") {
		t.Fatalf("backup --help:\n%s", help)
	}
	r = runCLI(t, "", "restore", "--help")
	if help := r.stdout + r.stderr; r.code != exitOK || !strings.Contains(help, "--allow-other-node") {
		t.Fatalf("restore --help:\n%s", help)
	}
}
