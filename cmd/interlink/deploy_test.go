package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The files in deploy/ are checked here: systemd-analyze verify on the units,
// the backup unit's script run against a stand-in binary, and the names the
// Dockerfile stamps with -X against node/buildinfo.go.

const deployDir = "../../deploy"

var deployUnits = []string{"interlink.service", "interlink-backup.service", "interlink-backup.timer"}

// systemdAnalyze finds systemd-analyze, skipping the test without it, except
// in CI (CI=true), where a missing tool must not pass unnoticed.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("systemd-analyze not found (CI=true): install systemd to verify the units in deploy/: %v", err)
		}
		t.Skipf("systemd-analyze not found, the units in deploy/ are not verified: %v", err)
	}
	return path
}

// copyUnits copies the unit files to a temporary directory, with the
// interlink binary replaced by bin (systemd-analyze verify refuses an
// ExecStart whose program does not exist).
func copyUnits(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range deployUnits {
		b, err := os.ReadFile(filepath.Join(deployDir, name))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ReplaceAll(b, []byte("/usr/local/bin/interlink"), []byte(bin))
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDeploySystemdVerify(t *testing.T) {
	analyze := systemdAnalyze(t)
	dir := copyUnits(t, "/bin/true")
	args := []string{"verify"}
	for _, name := range deployUnits {
		args = append(args, filepath.Join(dir, name))
	}
	cmd := exec.Command(analyze, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// verify exits 0 on warnings (an unknown key, a bad escape) that
	// systemd then ignores: any word about our files is a failure.
	for _, line := range strings.Split(string(out), "\n") {
		for _, name := range deployUnits {
			if strings.Contains(line, name) {
				t.Errorf("systemd-analyze verify: %s", line)
			}
		}
	}
}

// TestDeployBackupScript runs the shell script of interlink-backup.service's
// ExecStart (unescaped as systemd does) with a stand-in interlink that writes
// the backup file, and checks what it writes and what it prunes.
func TestDeployBackupScript(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir, "interlink-backup.service"))
	if err != nil {
		t.Fatal(err)
	}
	script, env := backupUnitScript(t, string(b))
	if env["KEEP_DAYS"] == "" || env["BACKUP_DIR"] == "" || env["INTERLINK_DATA"] == "" {
		t.Fatalf("interlink-backup.service sets no KEEP_DAYS, BACKUP_DIR or INTERLINK_DATA: %v", env)
	}

	tmp := t.TempDir()
	fake := filepath.Join(tmp, "interlink")
	// `interlink backup FILE`: the stand-in checks its arguments and writes FILE.
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n[ \"$1\" = backup ] && [ $# -eq 2 ] || exit 2\necho db > \"$2\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	script = strings.ReplaceAll(script, "/usr/local/bin/interlink", fake)
	data, backups := filepath.Join(tmp, "data"), filepath.Join(tmp, "backups")
	for _, d := range []string{filepath.Join(data, "keys"), backups} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(data, "keys", "keys.json"), filepath.Join(data, "trust.json")} {
		if err := os.WriteFile(f, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().AddDate(0, 0, -30)
	for _, f := range []string{"interlink-20000101T000000Z.db", "keys-20000101T000000Z.tar", "interlink-20000101T000000Z.db.tmp", "notes.txt"} {
		p := filepath.Join(backups, f)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command("/bin/sh", "-euc", script)
	cmd.Env = append(os.Environ(), "INTERLINK_DATA="+data, "BACKUP_DIR="+backups, "KEEP_DAYS="+env["KEEP_DAYS"])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("backup script: %v\n%s\nscript:\n%s", err, out, script)
	}
	entries, err := os.ReadDir(backups)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Contains(names, "notes.txt") {
		t.Errorf("the backup script deleted a file it did not make: %v", names)
	}
	var db, keys int
	for _, n := range names {
		switch {
		case strings.Contains(n, "20000101"):
			t.Errorf("%s is older than KEEP_DAYS=%s and was kept", n, env["KEEP_DAYS"])
		case regexp.MustCompile(`^interlink-\d{8}T\d{6}Z\.db$`).MatchString(n):
			db++
		case regexp.MustCompile(`^keys-\d{8}T\d{6}Z\.tar$`).MatchString(n):
			keys++
			tl, err := exec.Command("tar", "-tf", filepath.Join(backups, n)).Output()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(tl), "keys/keys.json") || !strings.Contains(string(tl), "trust.json") {
				t.Errorf("%s holds %q, want keys/ and trust.json", n, tl)
			}
		}
	}
	if db != 1 || keys != 1 {
		t.Errorf("backup directory %v: want one new database backup and one keys archive", names)
	}
}

// backupUnitScript reads the unit's Environment= lines and the script that
// ExecStart passes to /bin/sh -euc, with systemd's continuation lines joined
// and $$ and %% unescaped.
func backupUnitScript(t *testing.T, unit string) (string, map[string]string) {
	t.Helper()
	joined := strings.ReplaceAll(unit, "\\\n", "")
	env := map[string]string{}
	var script string
	for _, line := range strings.Split(joined, "\n") {
		if v, ok := strings.CutPrefix(line, "Environment="); ok {
			for _, kv := range strings.Fields(v) {
				k, val, _ := strings.Cut(kv, "=")
				env[k] = val
			}
		}
		if v, ok := strings.CutPrefix(line, "ExecStart=/bin/sh -euc '"); ok {
			script = strings.TrimSuffix(strings.TrimSpace(v), "'")
		}
	}
	if script == "" {
		t.Fatal("interlink-backup.service: no ExecStart=/bin/sh -euc '…' line")
	}
	script = strings.NewReplacer("$$", "$", "%%", "%").Replace(script)
	return script, env
}

// TestDeployDockerfileStamps checks that every -X the Dockerfile passes names
// a string variable of node/buildinfo.go (a -X of a missing variable is
// silently ignored by the linker), and that each such variable is stamped
// and has its build argument.
func TestDeployDockerfileStamps(t *testing.T) {
	df, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../node/buildinfo.go")
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "github.com/interlink-project/interlink-node/node."

	// The linker-set variables: `var a, b string` at the top level.
	var vars []string
	for _, m := range regexp.MustCompile(`(?m)^var ([A-Za-z_][\w, ]*) string$`).FindAllStringSubmatch(string(src), -1) {
		for _, v := range strings.Split(m[1], ",") {
			vars = append(vars, strings.TrimSpace(v))
		}
	}
	if len(vars) == 0 {
		t.Fatal("node/buildinfo.go declares no `var … string` for the linker to set")
	}

	// Instructions only: comments may mention -X.
	code := regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(string(df), "")
	stamps := map[string]string{} // variable -> build argument
	for _, m := range regexp.MustCompile(`-X\s+`+regexp.QuoteMeta(pkg)+`(\w+)=\$\{(\w+)\}`).FindAllStringSubmatch(code, -1) {
		stamps[m[1]] = m[2]
	}
	if n := len(regexp.MustCompile(`-X\s`).FindAllString(code, -1)); n != len(stamps) {
		t.Errorf("deploy/Dockerfile has %d -X flags, %d of the form -X %sNAME=${ARG}", n, len(stamps), pkg)
	}
	for v, arg := range stamps {
		if !slices.Contains(vars, v) {
			t.Errorf("deploy/Dockerfile stamps %s%s, which node/buildinfo.go does not declare (it has %v)", pkg, v, vars)
		}
		if !regexp.MustCompile(`(?m)^ARG ` + arg + `\b`).Match(df) {
			t.Errorf("deploy/Dockerfile stamps %s from ${%s} but declares no ARG %s", v, arg, arg)
		}
	}
	for _, v := range vars {
		if _, ok := stamps[v]; !ok {
			t.Errorf("node/buildinfo.go declares %s for the linker; deploy/Dockerfile does not stamp it", v)
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "VOLUME /data", "ENV INTERLINK_DATA=/data", "EXPOSE 8080", "USER 65532"} {
		if !strings.Contains(string(df), want) {
			t.Errorf("deploy/Dockerfile lacks %q", want)
		}
	}
}
