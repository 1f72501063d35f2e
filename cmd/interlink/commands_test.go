package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const searchAnswerJSON = `{"total": 7, "next": "CURSOR2",
 "items": [
  {"score": 1.25, "object": {"iri": "http://n/objects/01A", "id": "01A", "type": "Interlinker", "version": 1, "key": "bmc",
    "body": {"type": "Interlinker", "key": "bmc", "name": {"en": "Business Model Canvas", "it": "Modello di business"}}}},
  {"score": 0.5, "object": {"iri": "http://n/objects/01B", "id": "01B", "type": "PublicService", "version": 2, "key": "svc",
    "body": {"type": "PublicService", "title": {"lv": "Pakalpojums", "es": "Servicio"}}}},
  {"score": 0.25, "object": {"iri": "http://n/objects/01C", "id": "01C", "type": "Organisation", "version": 1, "key": "org-key",
    "body": {"type": "Organisation"}}}
 ],
 "facets": {"type": {"PublicService": 1, "Interlinker": 5, "Organisation": 1}, "language": {"it": 2, "en": 7}, "country": {},
  "problem_profile": {"P01": 1, "P02": 1, "P03": 1, "P04": 1, "P05": 1, "P06": 1, "P07": 1, "P08": 1, "P09": 1, "P10": 1, "P11": 1, "P12": 2, "": 3}}}`

func TestSearch(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	n.search = []byte(searchAnswerJSON)
	base := []string{"--data", data, "--server", n.URL()}

	r := mustRun(t, append([]string{"search", "business", "model", "--lang", "it", "--filter", "type=Interlinker",
		"--filter", "nature=software", "--filter", "nature=knowledge", "--limit", "3", "--cursor", "C1"}, base...)...)
	q, err := url.ParseQuery(n.seen()[0].Query)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"q": {"business model"}, "lang": {"it"}, "type": {"Interlinker"}, "nature": {"software", "knowledge"},
		"limit": {"3"}, "cursor": {"C1"}}
	if q.Encode() != want.Encode() {
		t.Errorf("query %s, want %s", q.Encode(), want.Encode())
	}
	// Every filter the API takes, the CLI passes on.
	mustRun(t, append([]string{"search", "x", "--filter", "verified=verified", "--filter", "signer_country=IT", "--filter", "origin=http://n"}, base...)...)
	if q, _ := url.ParseQuery(n.seen()[1].Query); q.Get("verified") != "verified" || q.Get("signer_country") != "IT" || q.Get("origin") != "http://n" {
		t.Errorf("filters sent as %s", n.seen()[1].Query)
	}
	if n.seen()[0].Auth != "" {
		t.Errorf("search sent a token although none is configured: %q", n.seen()[0].Auth)
	}
	wantOut := `SCORE  TYPE           NAME                 IRI
1.250  Interlinker    Modello di business  http://n/objects/01A
0.500  PublicService  Servicio             http://n/objects/01B
0.250  Organisation   org-key              http://n/objects/01C
3 of 7 results
more results: repeat with --cursor CURSOR2
facets:
  language: en 7, it 2
  problem_profile: "" 3, P12 2, P01 1, P02 1, P03 1, P04 1, P05 1, P06 1, P07 1, P08 1, (3 more)
  type: Interlinker 5, Organisation 1, PublicService 1
`
	if r.stdout != wantOut {
		t.Errorf("search printed\n%s\nwant\n%s", r.stdout, wantOut)
	}

	// Without --lang the English name is shown; --json prints the answer.
	r = mustRun(t, append([]string{"search", "canvas"}, base...)...)
	if !strings.Contains(r.stdout, "Business Model Canvas") {
		t.Errorf("search without --lang:\n%s", r.stdout)
	}
	r = mustRun(t, append([]string{"search", "canvas", "--json"}, base...)...)
	if r.stdout != searchAnswerJSON+"\n" {
		t.Errorf("search --json printed %q", r.stdout)
	}

	n.search = []byte(`{"total":0,"items":[],"facets":{}}`)
	r = mustRun(t, append([]string{"search", "nothing"}, base...)...)
	if r.stdout != "no results\n" {
		t.Errorf("empty search printed %q", r.stdout)
	}
}

func TestPickLanguage(t *testing.T) {
	tests := []struct {
		text map[string]string
		lang string
		want string
	}{
		{map[string]string{"en": "E", "it": "I"}, "it", "I"},
		{map[string]string{"en": "E", "it": "I"}, "lv", "E"},
		{map[string]string{"en": "E", "pt": "P"}, "pt-BR", "P"},
		{map[string]string{"lv": "L", "es": "S"}, "", "S"},
		{map[string]string{"it": "  ", "es": "S"}, "it", "S"},
		{map[string]string{}, "it", ""},
	}
	for _, tt := range tests {
		if got := pickLanguage(tt.text, tt.lang); got != tt.want {
			t.Errorf("pickLanguage(%v, %q) = %q, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestExport(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	base := []string{"--data", data, "--server", n.URL()}

	r := mustRun(t, append([]string{"export", "cpsv"}, base...)...)
	if r.stdout != fakeCPSV {
		t.Errorf("export to stdout %q", r.stdout)
	}
	if got := n.seen()[0]; got.Path != "/api/v1/export/cpsv" {
		t.Errorf("export asked %s", got.Path)
	}

	dir := t.TempDir()
	out := filepath.Join(dir, "catalogue.jsonld")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, append([]string{"export", "cpsv", "--out", out}, base...)...)
	if got := readAllString(t, out); got != fakeCPSV || r.stdout != "" {
		t.Errorf("export --out wrote %q, printed %q", got, r.stdout)
	}

	// A failed export leaves the old file and no temporary file.
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	n.failOnce("GET /api/v1/export/cpsv", 500, "application/problem+json", `{"type":"x/problems/internal","title":"Internal error","status":500}`)
	r = runCLI(t, "", append([]string{"export", "cpsv", "--out", out}, base...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "export cpsv to "+out+": Internal error (HTTP 500)") {
		t.Errorf("failed export: exit %d, %q", r.code, r.stderr)
	}
	if got := readAllString(t, out); got != "old" {
		t.Errorf("a failed export changed the file to %q", got)
	}
	assertNoTemp(t, dir)
}

// assertNoTemp fails when dir holds a *.tmp file.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left behind: %v", tmps)
	}
}

func TestBackup(t *testing.T) {
	tests := []struct {
		name      string
		backup    []byte
		announce  int // Content-Length: 0 exact, -1 none, else that
		wantError string
	}{
		{"with length", fakeBolt(300 << 10), 0, ""},
		{"chunked", fakeBolt(70 << 10), -1, ""},
		{"cut short", fakeBolt(64 << 10), 128 << 10, "receive the backup"},
		{"not a database", []byte("<html>login</html>"), 0, "the node's answer is too short to be a node database"},
		{"wrong magic", make([]byte, 4096), 0, "the node's answer is not a node database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := isolate(t)
			n := newFakeNode(t)
			n.backup, n.backupLen = tt.backup, tt.announce
			dir := t.TempDir()
			file := filepath.Join(dir, "node.db")
			r := runCLI(t, "", "backup", file, "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
			assertNoTemp(t, dir)
			if tt.wantError != "" {
				if r.code != exitError || !strings.Contains(r.stderr, tt.wantError) {
					t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tt.wantError)
				}
				if _, err := os.Stat(file); !os.IsNotExist(err) {
					t.Errorf("a failed backup left %s", file)
				}
				return
			}
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			got, err := os.ReadFile(file)
			if err != nil || !bytes.Equal(got, tt.backup) {
				t.Fatalf("backup file differs from what the node sent (%d vs %d bytes, %v)", len(got), len(tt.backup), err)
			}
			if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
				t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
			}
			if !strings.Contains(r.stdout, "into "+file+" (") {
				t.Errorf("stdout %q", r.stdout)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "backed up "+formatBytes(int64(len(tt.backup)))) {
				t.Errorf("last progress line %q", last)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if err := os.WriteFile(good, fakeBolt(100<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, []byte("not a database at all, just text"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		code      int
		wantError string
		sent      bool
	}{
		{"with --yes", []string{good, "--yes"}, exitOK, "", true},
		{"non-interactive without --yes", []string{good}, exitUsage, "pass --yes to confirm", false},
		{"not a backup", []string{bad, "-y"}, exitError, "bad.db is not a node database (no bbolt header)", false},
		{"missing file", []string{filepath.Join(dir, "nope.db"), "-y"}, exitError, "no such file or directory", false},
		{"a directory", []string{dir, "-y"}, exitError, "is not a regular file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := isolate(t)
			n := newFakeNode(t)
			r := runCLI(t, "", append(append([]string{"restore"}, tt.args...), "--data", data, "--server", n.URL(), "--token", fakeAdminToken)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.wantError) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.wantError)
			}
			if sent := len(n.seen()) > 0; sent != tt.sent {
				t.Fatalf("request sent: %v, want %v", sent, tt.sent)
			}
			if !tt.sent {
				return
			}
			want, _ := os.ReadFile(good)
			req := n.seen()[0]
			if !bytes.Equal(n.restored, want) || req.ContentType != "application/octet-stream" || req.Auth != "Bearer "+fakeAdminToken {
				t.Errorf("node got %d bytes (want %d), Content-Type %q, Authorization %q", len(n.restored), len(want), req.ContentType, req.Auth)
			}
			if !strings.HasSuffix(r.stderr, "uploaded 100.0 KiB/100.0 KiB\n") {
				t.Errorf("progress %q", r.stderr)
			}
			if !strings.HasPrefix(r.stdout, "restored the node at ") {
				t.Errorf("stdout %q", r.stdout)
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{{"yes\n", true}, {"Y\n", true}, {" yes ", true}, {"no\n", false}, {"", false}, {"yess\n", false}}
	for _, tt := range tests {
		var out bytes.Buffer
		got, err := confirm(strings.NewReader(tt.in), &out, "Sure?")
		if err != nil || got != tt.want {
			t.Errorf("confirm(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if out.String() != "Sure?\nType yes to continue: " {
			t.Errorf("prompt %q", out.String())
		}
	}
}
