package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node"
	"github.com/interlink-project/interlink-node/node/api"
)

// TestSettingsPrecedence checks flag > environment > DATA/node.json >
// default for the server, and flag > environment > DATA/local-credential for
// the token, by which fake node a status call reaches and which token it
// carries.
func TestSettingsPrecedence(t *testing.T) {
	type setup struct {
		flagServer, envServer, nodeJSON bool
		flagToken, envToken, credential bool
		dataFromEnv                     bool
	}
	tests := []struct {
		name       string
		setup      setup
		wantServer string // "flag", "env", "nodejson"
		wantToken  string // "flag", "env", "cred", ""
	}{
		{"flag beats everything", setup{true, true, true, true, true, true, false}, "flag", "flag"},
		{"env beats data dir", setup{false, true, true, false, true, true, false}, "env", "env"},
		{"node.json and credential", setup{false, false, true, false, false, true, false}, "nodejson", "cred"},
		{"data dir from INTERLINK_DATA", setup{false, false, true, false, false, true, true}, "nodejson", "cred"},
		{"no token anywhere", setup{true, false, false, false, false, false, false}, "flag", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := isolate(t)
			nodes := map[string]*fakeNode{"flag": newFakeNode(t), "env": newFakeNode(t), "nodejson": newFakeNode(t)}
			tokens := map[string]string{"flag": "flag-token", "env": "env-token", "cred": "cred-token"}
			var args []string
			if tt.setup.dataFromEnv {
				t.Setenv(envData, data)
			} else {
				args = append(args, "--data", data)
			}
			if tt.setup.flagServer {
				args = append(args, "--server", nodes["flag"].URL())
			}
			if tt.setup.envServer {
				t.Setenv(envServer, nodes["env"].URL())
			}
			if tt.setup.nodeJSON {
				writeDataFile(t, data, "node.json", fmt.Sprintf(`{"server":%q,"public_url":"https://node.example","pid":4242}`, nodes["nodejson"].URL()))
			}
			if tt.setup.flagToken {
				args = append(args, "--token", tokens["flag"])
			}
			if tt.setup.envToken {
				t.Setenv(envToken, "  "+tokens["env"]+"\n")
			}
			if tt.setup.credential {
				writeDataFile(t, data, "local-credential", tokens["cred"]+"\n")
			}
			for _, n := range nodes {
				n.status = []byte(`{"public_url":"x","counts":{},"health":{}}`)
			}
			mustRun(t, append([]string{"status"}, args...)...)
			for name, n := range nodes {
				reqs := n.seen()
				if name != tt.wantServer {
					if len(reqs) != 0 {
						t.Errorf("node %s got %d requests, want none", name, len(reqs))
					}
					continue
				}
				if len(reqs) != 1 {
					t.Fatalf("node %s got %d requests, want 1", name, len(reqs))
				}
				want := ""
				if tt.wantToken != "" {
					want = "Bearer " + tokens[tt.wantToken]
				}
				if reqs[0].Auth != want {
					t.Errorf("Authorization %q, want %q", reqs[0].Auth, want)
				}
			}
		})
	}
}

func TestDefaultServerWhenNothingConfigured(t *testing.T) {
	data := isolate(t)
	s, err := resolveSettingsForTest(t, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	if s.server.String() != defaultServer || s.serverSource != "default" || s.token != "" {
		t.Errorf("got server %s from %s, token %q; want %s from default, no token", s.server, s.serverSource, s.token, defaultServer)
	}
	if want := filepath.Join(data, "local-credential"); s.credPath != want {
		t.Errorf("credential path %q, want %q", s.credPath, want)
	}
}

// resolveSettingsForTest parses args as global flags of the status command
// and resolves the settings.
func resolveSettingsForTest(t *testing.T, args ...string) (*settings, error) {
	t.Helper()
	root := newRootCmd()
	cmd, rest, err := root.Find([]string{"status"})
	if err != nil || len(rest) != 0 {
		t.Fatalf("find status: %v %v", err, rest)
	}
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	g := &globalFlags{}
	g.data, _ = cmd.Flags().GetString("data")
	g.server, _ = cmd.Flags().GetString("server")
	g.token, _ = cmd.Flags().GetString("token")
	return resolveSettings(cmd, g)
}

func TestBadSettings(t *testing.T) {
	tests := []struct {
		name     string
		nodeJSON string
		args     []string
		want     string
	}{
		{"node.json not JSON", `{"server":`, nil, "node.json is not valid JSON"},
		{"server not http", "", []string{"--server", "ftp://127.0.0.1:21"}, "the scheme must be http or https"},
		{"server without host", "", []string{"--server", "http://"}, "the host is missing"},
		{"server from node.json with a query", `{"server":"http://127.0.0.1:1/?a=b"}`, nil, "query and fragment are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := isolate(t)
			if tt.nodeJSON != "" {
				writeDataFile(t, data, "node.json", tt.nodeJSON)
			}
			r := runCLI(t, "", append([]string{"status", "--data", data}, tt.args...)...)
			if r.code != exitError || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

// TestServerPathPrefix checks that a node served under a path prefix is
// reached under it.
func TestServerPathPrefix(t *testing.T) {
	data := isolate(t)
	s, err := resolveSettingsForTest(t, "--data", data, "--server", "http://127.0.0.1:9/node/")
	if err != nil {
		t.Fatal(err)
	}
	c := newHTTPClient(s)
	if got, want := c.url("/tokens/a%2Fb", nil), "http://127.0.0.1:9/node/api/v1/tokens/a%2Fb"; got != want {
		t.Errorf("url %q, want %q", got, want)
	}
}

func TestExitCodesAndUsage(t *testing.T) {
	data := isolate(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown subcommand", []string{"token", "frobnicate"}, exitUsage, `unknown command "frobnicate" for "interlink token"`},
		{"unknown flag", []string{"status", "--frob"}, exitUsage, "unknown flag: --frob"},
		{"missing argument", []string{"backup"}, exitUsage, "accepts 1 arg(s)"},
		{"missing required flag", []string{"token", "create"}, exitUsage, `required flag(s) "role" not set`},
		{"bad role", []string{"token", "create", "--role", "root"}, exitUsage, `--role must be one of admin, editor, reader, not "root"`},
		{"bad filter", []string{"search", "x", "--filter", "colour=red"}, exitUsage, `unknown filter "colour"`},
		{"filter without value", []string{"search", "x", "--filter", "type"}, exitUsage, "want key=value"},
		{"bad limit", []string{"search", "x", "--limit", "0"}, exitUsage, "--limit must be between 1 and 100"},
		{"limit above the API's", []string{"search", "x", "--limit", "101"}, exitUsage, "--limit must be between 1 and 100"},
		{"group without subcommand prints help", []string{"token"}, exitOK, ""},
		{"server with the API path", []string{"status", "--server", "http://127.0.0.1:9/api/v1/"}, exitError, "ends with /api/v1: give the node's own URL (http://127.0.0.1:9)"},
		{"unknown shell", []string{"completion", "nosh"}, exitUsage, `unknown command "nosh" for "interlink completion"`},
		{"zero expiry", []string{"token", "create", "--role", "reader", "--expires", "0"}, exitUsage, "--expires must be a positive duration"},
		{"connection refused", []string{"status", "--server", closedURL(t)}, exitError, "is `interlink serve` running?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", append(tt.args, "--data", data)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderr)
			}
			if tt.code == exitUsage && !strings.Contains(r.stderr, "--help' for usage") {
				t.Errorf("a usage error should point to --help: %q", r.stderr)
			}
		})
	}
}

func TestConnectionRefusedMessage(t *testing.T) {
	data := isolate(t)
	url := closedURL(t)
	r := runCLI(t, "", "status", "--data", data, "--server", url)
	want := "Error: status: cannot reach the node at " + url + ": is `interlink serve` running? (set --server or INTERLINK_SERVER)\n"
	if r.stderr != want || r.code != exitError || r.stdout != "" {
		t.Errorf("exit %d, stderr %q; want exit 1, %q", r.code, r.stderr, want)
	}
}

// TestErrorAnswers checks how the node's error answers are rendered.
func TestErrorAnswers(t *testing.T) {
	tests := []struct {
		name        string
		token       string // "" no token, else the token to pass
		status      int
		contentType string
		body        string
		want        []string
	}{
		{"problem with field errors", fakeAdminToken, 422, "application/problem+json",
			`{"type":"http://n/problems/validation","title":"The token is invalid","status":422,"detail":"name: too long (max_length)","request_id":"01JXYZ","errors":[{"field":"name","rule":"max_length","message":"at most 200 characters"},{"field":"role","rule":"enum","message":"unknown role"}]}`,
			[]string{"Error: create an editor token: The token is invalid (HTTP 422): name: too long (max_length)",
				"\n  - name [max_length]: at most 200 characters", "\n  - role [enum]: unknown role", "\n  request id: 01JXYZ"}},
		{"plain text from a proxy", fakeAdminToken, 502, "text/plain", "upstream down",
			[]string{"Bad Gateway (HTTP 502): upstream down"}},
		{"html 404", fakeAdminToken, 404, "text/html", "<html>nope</html>",
			[]string{"does not serve /api/v1/tokens: is it an interlink node?"}},
		{"not ready", fakeAdminToken, 503, "application/problem+json", `{"type":"http://n/problems/not-ready","title":"Not ready","status":503}`,
			[]string{"the node is starting or rebuilding its index: try again in a moment: Not ready (HTTP 503)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := isolate(t)
			n := newFakeNode(t)
			n.failOnce("POST /api/v1/tokens", tt.status, tt.contentType, tt.body)
			r := runCLI(t, "", "token", "create", "--role", "editor", "--data", data, "--server", n.URL(), "--token", tt.token)
			if r.code != exitError || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want exit 1 and nothing on stdout", r.code, r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not contain %q", r.stderr, w)
				}
			}
		})
	}
}

func TestAuthErrors(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		credential string
		want       string
	}{
		{"wrong token", "nope", "", "the node refused the token from --token: check it, or pass another with --token"},
		{"wrong credential file", "", "stale", "the node refused the token: pass --token or check "},
		{"no token at all", "", "", "the node asks for a token and none was found: pass --token or check "},
		{"reader may not", "reader-token", "", "the token's role may not do this"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := isolate(t)
			n := newFakeNode(t)
			n.addToken("reader-token", "reader")
			if tt.credential != "" {
				writeDataFile(t, data, "local-credential", tt.credential)
			}
			args := []string{"token", "list", "--data", data, "--server", n.URL()}
			if tt.token != "" {
				args = append(args, "--token", tt.token)
			}
			r := runCLI(t, "", args...)
			if r.code != exitError || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tt.want)
			}
			if strings.HasPrefix(tt.want, "the node") && tt.token == "" && !strings.Contains(r.stderr, filepath.Join(data, "local-credential")) {
				t.Errorf("stderr %q does not name the credential file", r.stderr)
			}
		})
	}
}

// A refused token from INTERLINK_TOKEN is said to come from there, not
// from the credential file the CLI did not read.
func TestAuthErrorNamesTheTokensSource(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	t.Setenv(envToken, "bad")
	r := runCLI(t, "", "token", "list", "--data", data, "--server", n.URL())
	if r.code != exitError || !strings.Contains(r.stderr, "the node refused the token from "+envToken) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestTokenCommands(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	writeDataFile(t, data, "local-credential", fakeAdminToken+"\n")
	base := []string{"--data", data, "--server", n.URL()}

	r := mustRun(t, append([]string{"token", "create", "--role", "editor", "--name", "ci"}, base...)...)
	if !strings.HasPrefix(r.stdout, "secret-") || strings.Count(r.stdout, "\n") != 1 || !strings.HasSuffix(r.stdout, "\n") || r.stderr != "" {
		t.Fatalf("token create printed stdout %q, stderr %q; want only the token and a newline", r.stdout, r.stderr)
	}
	created := strings.TrimSpace(r.stdout)
	last := n.seen()[len(n.seen())-1]
	var sent map[string]string
	if err := json.Unmarshal(last.Body, &sent); err != nil || sent["role"] != "editor" || sent["name"] != "ci" {
		t.Errorf("POST /tokens body %s; want role editor, name ci", last.Body)
	}
	if last.Auth != "Bearer "+fakeAdminToken || last.ContentType != "application/json" {
		t.Errorf("POST /tokens Authorization %q, Content-Type %q", last.Auth, last.ContentType)
	}

	// The new token works as an editor token.
	mustRun(t, append([]string{"import", "cpsv", "-", "--token", created}, base...)...)

	mustRun(t, append([]string{"token", "create", "--role", "reader", "--name", "hourly", "--expires", "1h"}, base...)...)
	last = n.seen()[len(n.seen())-1]
	if err := json.Unmarshal(last.Body, &sent); err != nil || sent["expires_in"] != "1h0m0s" {
		t.Errorf("token create --expires 1h sent %s; want expires_in 1h0m0s", last.Body)
	}
	r = mustRun(t, append([]string{"token", "list"}, base...)...)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "EXPIRES") || !strings.Contains(lines[0], "LAST USED") ||
		!strings.Contains(r.stdout, "ci") || !strings.Contains(r.stdout, "editor") {
		t.Errorf("token list:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, created) {
		t.Error("token list shows a secret")
	}
	r = mustRun(t, append([]string{"token", "list", "--json"}, base...)...)
	var listed api.List[api.Token]
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed.Items) != 3 {
		t.Errorf("token list --json: %v %q", err, r.stdout)
	}

	id := ""
	for _, it := range listed.Items {
		if it.Name == "ci" {
			id = it.ID
		}
	}
	r = mustRun(t, append([]string{"token", "revoke", id}, base...)...)
	if r.stdout != "revoked token "+id+"\n" {
		t.Errorf("revoke printed %q", r.stdout)
	}
	r = runCLI(t, "", append([]string{"token", "revoke", id}, base...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "revoke token "+id+": Not found (HTTP 404): no token "+id) {
		t.Errorf("revoking twice: exit %d, %q", r.code, r.stderr)
	}
	// The revoked token no longer works.
	r = runCLI(t, "", append([]string{"import", "cpsv", "-", "--token", created}, base...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "the node refused the token") {
		t.Errorf("revoked token: exit %d, %q", r.code, r.stderr)
	}
}

func TestVersion(t *testing.T) {
	isolate(t)
	r := mustRun(t, "version")
	// A test binary carries no VCS stamp: it says (devel), and either the
	// revision of the checkout it was built in, labelled so, or none.
	wantRev := "no VCS revision recorded"
	if node.Build.Revision != "" {
		wantRev = "revision " + node.Build.Revision + " from the source checkout; build not VCS-stamped"
	}
	if !strings.HasPrefix(r.stdout, "interlink "+node.Build.String()+" go") || !strings.Contains(r.stdout, "(devel)") ||
		!strings.Contains(r.stdout, wantRev) {
		t.Errorf("version printed %q, want %q in it", r.stdout, wantRev)
	}
	if version != "devel" {
		t.Errorf("version token %q, want devel for a (devel) build", version)
	}
	j := mustRun(t, "version", "--json")
	var got map[string]any
	if err := json.Unmarshal([]byte(j.stdout), &got); err != nil || got["version"] != "(devel)" || got["go"] == "" || got["os"] == "" ||
		(node.Build.Revision != "" && (got["revision"] != node.Build.Revision || got["revision_from"] != "source-checkout")) {
		t.Errorf("version --json printed %q (%v)", j.stdout, err)
	}
	if userAgent() != "interlink-cli/"+version {
		t.Errorf("User-Agent %q", userAgent())
	}
}

// TestStatusHumanAndJSON checks both renderings of GET /status.
func TestStatusHumanAndJSON(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	n.status = []byte(`{"public_url":"https://reggio.example","actor":"https://reggio.example/actor","version":"0.1.0",` +
		`"counts":{"Rating":2,"Interlinker":78,"ProblemProfile":45,"Widget":1},"health":{"database":"ok","index":"ok","index_lag":0,"database_bytes":16801792}}`)
	base := []string{"status", "--data", data, "--server", n.URL()}

	r := mustRun(t, append(base, "--json")...)
	if r.stdout != string(n.status)+"\n" {
		t.Errorf("status --json printed %q, want the node's object exactly", r.stdout)
	}
	r = mustRun(t, base...)
	for _, w := range []string{"node     https://reggio.example", "actor    https://reggio.example/actor",
		"version  0.1.0 (this CLI: " + version + ")", "  index_lag       0\n", "  database        ok\n", "  database_bytes  16.0 MiB\n"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("status output lacks %q:\n%s", w, r.stdout)
		}
	}
	// Kinds in protocol order, then unknown kinds; total is their sum.
	iI, iP, iR, iW := strings.Index(r.stdout, "Interlinker"), strings.Index(r.stdout, "ProblemProfile"),
		strings.Index(r.stdout, "Rating"), strings.Index(r.stdout, "Widget")
	if iI >= iP || iP >= iR || iR >= iW {
		t.Errorf("counts out of order:\n%s", r.stdout)
	}
	wantCounts := "objects:\n  Interlinker      78\n  ProblemProfile   45\n  Rating            2\n  Widget            1\n  total           126\n"
	if !strings.Contains(r.stdout, wantCounts) {
		t.Errorf("counts are not\n%s\nin\n%s", wantCounts, r.stdout)
	}
}
