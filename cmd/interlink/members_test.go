package main

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// membersServer answers GET /api/v1/members with answer to the bearer
// token "reader-token", and a problem to anyone else.
func membersServer(t *testing.T, answer string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v1/members" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer reader-token" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"type":"http://n/problems/unauthorized","title":"Authentication required","status":401,"detail":"pass a bearer token"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(answer))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMembers(t *testing.T) {
	now := time.Now().UTC()
	ts := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	answer := `{"enabled":true,"self":"http://127.0.0.1:8080","items":[
  {"name":"http://127.0.0.1:8080","entity_id":"http://127.0.0.1:8080","address":"127.0.0.1:7946","status":"alive","country":"IT","role":"node","trust":"unchecked","trust_reason":"this node","anchor":"","last_seen":"` + ts(0) + `","since":"` + ts(time.Hour) + `"},
  {"name":"http://127.0.0.2:8080","entity_id":"http://127.0.0.2:8080","address":"127.0.0.2:7946","status":"alive","country":"ES","role":"anchor","trust":"verified","trust_reason":"","anchor":"http://anchor","last_seen":"` + ts(0) + `","since":"` + ts(time.Hour) + `"},
  {"name":"http://127.0.0.3:8080","entity_id":"http://127.0.0.3:8080","address":"127.0.0.3:7946","status":"dead","country":"","role":"","trust":"failed","trust_reason":"unreachable","anchor":"","last_seen":"` + ts(5*time.Minute) + `","since":"` + ts(4*time.Minute) + `"}
]}`
	srv := membersServer(t, answer)
	data := isolate(t)
	base := []string{"members", "--data", data, "--server", srv.URL, "--token", "reader-token"}

	r := mustRun(t, base...)
	want := `NAME                     STATUS  COUNTRY  ROLE    TRUST      LAST-SEEN
http://127.0.0.1:8080 *  alive   IT       node    unchecked  now
http://127.0.0.2:8080    alive   ES       anchor  verified   now
http://127.0.0.3:8080    dead    -        -       failed     5m ago
`
	if r.stdout != want {
		t.Errorf("members printed\n%s\nwant\n%s", r.stdout, want)
	}

	r = mustRun(t, append(base, "--json")...)
	if r.stdout != answer+"\n" {
		t.Errorf("members --json printed %q", r.stdout)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatal(err)
	}

	off := membersServer(t, `{"enabled":false,"self":"http://127.0.0.1:8080","items":[]}`)
	r = mustRun(t, "members", "--data", data, "--server", off.URL, "--token", "reader-token")
	if !strings.Contains(r.stdout, "gossip is off") || !strings.Contains(r.stdout, "gossip.bind") {
		t.Errorf("members with gossip off printed %q", r.stdout)
	}

	bad := runCLI(t, "", "members", "--data", data, "--server", srv.URL, "--token", "wrong")
	if bad.code != exitError || !strings.Contains(bad.stderr, "list members") {
		t.Errorf("members with a wrong token: exit %d, stderr %q", bad.code, bad.stderr)
	}
}

func TestLastSeen(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct{ in, want string }{
		{now.Format(time.RFC3339), "now"},
		{now.Add(-30 * time.Second).Format(time.RFC3339), "30s ago"},
		{now.Add(-90 * time.Minute).Format(time.RFC3339), "1h ago"},
		{now.Add(-72 * time.Hour).Format(time.RFC3339), "2026-04-28T12:00:00Z"},
		{"", "-"},
		{"yesterday", "yesterday"},
	}
	for _, tt := range tests {
		if got := lastSeen(tt.in, now); got != tt.want {
			t.Errorf("lastSeen(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMembersAgainstServe runs a node with gossip on and lists its members
// through its data directory.
func TestMembersAgainstServe(t *testing.T) {
	data := isolate(t)
	var gossipAddr string
	for range 20 {
		tl, err := net.Listen("tcp", "127.0.0.6:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := tl.Addr().String()
		ul, err := net.ListenPacket("udp", addr)
		tl.Close()
		if err == nil {
			ul.Close()
			gossipAddr = addr
			break
		}
	}
	if gossipAddr == "" {
		t.Fatal("no TCP+UDP port free on 127.0.0.6")
	}
	key := base64.StdEncoding.EncodeToString([]byte("interlink-cli-gossip-test-key-32"))
	url := startServeOn(t, "127.0.0.6", data, "--set", "gossip.bind="+gossipAddr, "--set", "gossip.keyring="+key, "--set", "gossip.profile=local")
	r := mustRun(t, "members", "--data", data)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], url+" *") || !strings.Contains(lines[1], "alive") {
		t.Fatalf("members of a lone node:\n%s", r.stdout)
	}

	bad := runCLI(t, "", "serve", "--data", t.TempDir(), "--listen", "127.0.0.6:0", "--set", "gossip.bind="+gossipAddr,
		"--set", "gossip.keyring="+base64.StdEncoding.EncodeToString([]byte("short")))
	if bad.code != exitUsage || !strings.Contains(bad.stderr, "gossip.keyring") || !strings.Contains(bad.stderr, "want 32") {
		t.Fatalf("serve with a short gossip key: exit %d, stderr %q", bad.code, bad.stderr)
	}
}
