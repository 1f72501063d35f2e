package node

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// The development fallback for the VCS revision. A plain `go build` on a
// machine whose go env says GOFLAGS=-buildvcs=false records no vcs.revision,
// and such a build carries no -X stamp either. When the binary was compiled
// from a source tree that is a git checkout (the compile-time path of this
// file lies inside a git work tree, still present where the binary runs),
// the revision is read from that checkout's .git at start, without running
// git, and reported as coming from there: it is the checkout's HEAD when the
// binary starts, which is the build's revision only if nothing was committed
// since. Release builds never use it: the Dockerfile stamps the revision
// with -X, and `go build -buildvcs=true` records it.

// revisionFromCheckout is BuildInfo.RevisionFrom for a revision read from the
// source checkout.
const revisionFromCheckout = "source-checkout"

// sourceDir is the directory this file was compiled from, or "" when the
// build recorded no absolute path (-trimpath, as release builds use).
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(file)
}

// checkoutRevision is the commit that HEAD names in the git work tree
// holding dir: it looks for .git in dir and its parents, follows a
// worktree's "gitdir:" file, and resolves HEAD through a loose ref or
// packed-refs.
func checkoutRevision(dir string) (string, error) {
	gitDir, err := findGitDir(dir)
	if err != nil {
		return "", err
	}
	// A linked worktree keeps HEAD in its own gitdir and the shared refs in
	// the common directory that its "commondir" file names.
	common := gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		common = resolveFrom(gitDir, strings.TrimSpace(string(b)))
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	line := strings.TrimSpace(string(head))
	for range 5 { // a symbolic ref may point at another one; git allows few levels
		ref, symbolic := strings.CutPrefix(line, "ref: ")
		if !symbolic {
			if !isObjectName(line) {
				return "", fmt.Errorf("HEAD holds %q, not a commit", line)
			}
			return line, nil
		}
		if !validRefName(ref) {
			return "", fmt.Errorf("HEAD names the ref %q, which is not a ref under refs/", ref)
		}
		if line, err = readRef(gitDir, common, ref); err != nil {
			return "", err
		}
	}
	return "", errors.New("HEAD: too many levels of symbolic refs")
}

// findGitDir walks up from dir to the first .git: a directory, or a file
// "gitdir: PATH" (a linked worktree or submodule).
func findGitDir(dir string) (string, error) {
	for d := dir; ; {
		p := filepath.Join(d, ".git")
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			return p, nil
		case err == nil:
			b, err := os.ReadFile(p)
			if err != nil {
				return "", fmt.Errorf("read %s: %w", p, err)
			}
			target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
			if !ok || target == "" {
				return "", fmt.Errorf("%s is a file without a gitdir: line", p)
			}
			return resolveFrom(d, target), nil
		case !errors.Is(err, os.ErrNotExist):
			return "", fmt.Errorf("stat %s: %w", p, err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%s is not inside a git work tree", dir)
		}
		d = parent
	}
}

// readRef is the content of a ref: the loose file (in the worktree's own
// gitdir first, then the common directory), else its line in packed-refs.
func readRef(gitDir, common, ref string) (string, error) {
	for _, d := range []string{gitDir, common} {
		if b, err := os.ReadFile(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
			return strings.TrimSpace(string(b)), nil
		}
	}
	f, err := os.Open(filepath.Join(common, "packed-refs"))
	if err != nil {
		return "", fmt.Errorf("ref %s: no loose ref and no packed-refs: %w", ref, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "<object> <ref>"; comments start with '#', peeled tags with '^'.
		name, r, ok := strings.Cut(sc.Text(), " ")
		if ok && r == ref && isObjectName(name) {
			return name, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read packed-refs: %w", err)
	}
	return "", fmt.Errorf("ref %s is neither a loose ref nor in packed-refs", ref)
}

// resolveFrom is p, or p relative to base when it is relative.
func resolveFrom(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// validRefName accepts refs/... without a way out of the git directory.
func validRefName(ref string) bool {
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "\\") {
		return false
	}
	for _, part := range strings.Split(ref, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// isObjectName is a full SHA-1 (40) or SHA-256 (64) object name in hex.
func isObjectName(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
