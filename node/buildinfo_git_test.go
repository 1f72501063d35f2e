package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes each path (relative to root, slash-separated) with its content.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckoutRevision(t *testing.T) {
	const (
		a = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
		b = "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3"
		c = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
	)
	packed := "# pack-refs with: peeled fully-peeled sorted \n" +
		c + " refs/heads/other\n" + b + " refs/heads/main\n" + "^" + c + "\n" + a + " refs/tags/v1\n"
	tests := []struct {
		name  string
		files map[string]string
		from  string // the source directory, relative to the root
		want  string // "" = an error
	}{
		{"detached HEAD", map[string]string{".git/HEAD": a + "\n"}, "node", a},
		{"loose ref", map[string]string{".git/HEAD": "ref: refs/heads/main\n", ".git/refs/heads/main": b + "\n",
			".git/packed-refs": c + " refs/heads/main\n"}, "cmd/interlink", b},
		{"packed-refs", map[string]string{".git/HEAD": "ref: refs/heads/main\n", ".git/packed-refs": packed}, "node", b},
		{"symbolic loose ref", map[string]string{".git/HEAD": "ref: refs/heads/alias\n",
			".git/refs/heads/alias": "ref: refs/heads/main\n", ".git/packed-refs": packed}, "", b},
		{"worktree gitdir file, absolute", map[string]string{
			"main/.git/HEAD":                   "ref: refs/heads/main\n",
			"main/.git/refs/heads/main":        a + "\n",
			"main/.git/packed-refs":            packed,
			"main/.git/worktrees/wt/HEAD":      "ref: refs/heads/wt\n",
			"main/.git/worktrees/wt/commondir": "../..\n",
			"main/.git/refs/heads/wt":          c + "\n",
			"wt/.git":                          "gitdir: ROOT/main/.git/worktrees/wt\n",
		}, "wt/node", c},
		{"worktree gitdir file, relative, ref packed", map[string]string{
			"main/.git/HEAD":                   "ref: refs/heads/main\n",
			"main/.git/packed-refs":            packed,
			"main/.git/worktrees/wt/HEAD":      "ref: refs/heads/other\n",
			"main/.git/worktrees/wt/commondir": "../..\n",
			"wt/.git":                          "gitdir: ../main/.git/worktrees/wt\n",
		}, "wt", c},
		{"worktree, detached", map[string]string{
			"main/.git/worktrees/wt/HEAD":      b + "\n",
			"main/.git/worktrees/wt/commondir": "../..\n",
			"wt/.git":                          "gitdir: ROOT/main/.git/worktrees/wt",
		}, "wt/x/y", b},
		{"no .git", map[string]string{"node/x.go": "package node\n"}, "node", ""},
		{"HEAD not a commit", map[string]string{".git/HEAD": "hello\n"}, "", ""},
		{"short object name", map[string]string{".git/HEAD": "1a2b3c4\n"}, "", ""},
		{"ref outside refs/", map[string]string{".git/HEAD": "ref: refs/../../../etc/passwd\n"}, "", ""},
		{"ref not under refs/", map[string]string{".git/HEAD": "ref: HEAD\n"}, "", ""},
		{"ref missing", map[string]string{".git/HEAD": "ref: refs/heads/gone\n", ".git/packed-refs": packed}, "", ""},
		{"ref missing, no packed-refs", map[string]string{".git/HEAD": "ref: refs/heads/gone\n"}, "", ""},
		{"symbolic ref loop", map[string]string{".git/HEAD": "ref: refs/heads/x\n", ".git/refs/heads/x": "ref: refs/heads/x\n"}, "", ""},
		{".git file without gitdir", map[string]string{".git": "something else\n"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{}
			for p, content := range tt.files {
				files[p] = strings.ReplaceAll(content, "ROOT", filepath.ToSlash(root))
			}
			writeFiles(t, root, files)
			dir := filepath.Join(root, filepath.FromSlash(tt.from))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			got, err := checkoutRevision(dir)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("read %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestRevisionFromCheckoutIsLabelled(t *testing.T) {
	b := BuildInfo{Version: develVersion, Revision: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", RevisionFrom: revisionFromCheckout}
	want := "(devel) (revision 1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d from the source checkout; build not VCS-stamped)"
	if s := b.String(); s != want {
		t.Errorf("prints %q, want %q", s, want)
	}
}

// A test binary is built from this checkout without a VCS stamp: when the
// source tree is a git checkout, the build information reads its revision
// from there and says so; outside one, it reports none.
func TestBuildReadsTheSourceCheckout(t *testing.T) {
	rev, err := checkoutRevision(sourceDir())
	if err != nil {
		if Build.Revision != "" || Build.RevisionFrom != "" {
			t.Errorf("no checkout (%v), yet Build says revision %q from %q", err, Build.Revision, Build.RevisionFrom)
		}
		t.Skipf("the source tree is not a git checkout: %v", err)
	}
	if Build.Revision != rev || Build.RevisionFrom != revisionFromCheckout {
		t.Errorf("Build: revision %q from %q; the checkout's HEAD is %q", Build.Revision, Build.RevisionFrom, rev)
	}
}
