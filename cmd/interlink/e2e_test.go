package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// startServe runs `interlink serve` in-process on a free loopback port and
// stops it (SIGINT's path: context cancelled) when the test ends.
func startServe(t *testing.T, data string, extra ...string) string {
	t.Helper()
	return startServeOn(t, "127.0.0.1", data, extra...)
}

func startServeOn(t *testing.T, host, data string, extra ...string) string {
	t.Helper()
	addr := testenv.FreeAddr(t, host, false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var out, errb strings.Builder
	go func() {
		args := append([]string{"serve", "--data", data, "--listen", addr, "--set", "log.level=warn"}, extra...)
		done <- run(ctx, newRootCmd(), args, strings.NewReader(""), &out, &errb)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, errb.String())
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop within 20 s of SIGINT")
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				// Standard output is not a terminal here: the token goes to a
				// file of mode 0600 and only its path is printed.
				tokFile := filepath.Join(data, "admin-token")
				if !strings.Contains(out.String(), "Initial admin token written to "+tokFile) || strings.Contains(out.String(), "itk_") {
					t.Errorf("the first start did not point to %s, or printed the token: %q", tokFile, out.String())
				}
				if st, err := os.Stat(tokFile); err != nil || st.Mode().Perm() != 0o600 {
					t.Errorf("the first admin token is not in %s with mode 0600: %v", tokFile, err)
				}
				return url
			}
		}
	}
	t.Fatalf("serve not ready: %s", errb.String())
	return ""
}

// TestEndToEndWithARealNode drives a real node the way an operator does:
// serve, token create, import the real catalogue, status, search, export
// the seed again and compare it with the original.
func TestEndToEndWithARealNode(t *testing.T) {
	data := isolate(t)
	seedDir := filepath.Join(sharedData(t), "interlink-catalogue")
	startServe(t, data)

	// Only the token on stdout; the CLI finds the node through DATA/node.json.
	tok := mustRun(t, "token", "create", "--data", data, "--role", "editor").stdout
	if !strings.HasPrefix(tok, "itk_") || strings.Count(tok, "\n") != 1 || strings.TrimSpace(tok) != strings.TrimSuffix(tok, "\n") {
		t.Fatalf("token create printed %q, want only the token and a newline", tok)
	}
	tok = strings.TrimSpace(tok)

	mustRun(t, "import", "interlink", seedDir, "--data", data, "--token", tok)
	var st struct {
		PublicURL string         `json:"public_url"`
		Actor     string         `json:"actor"`
		Version   string         `json:"version"`
		Counts    map[string]int `json:"counts"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "status", "--json", "--data", data).stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Counts["Interlinker"] != 78 || st.Counts["ProblemProfile"] != 45 || st.Counts["CoproductionSchema"] != 4 || st.PublicURL == "" || st.Version == "" {
		t.Fatalf("status after import: %+v", st)
	}
	if out := mustRun(t, "search", "canvas", "--lang", "en", "--data", data).stdout; !strings.Contains(out, "Business Model Canvas") {
		t.Fatalf("search canvas:\n%s", out)
	}
	if out := mustRun(t, "search", "canvas", "--filter", "nature=knowledge", "--json", "--data", data).stdout; !strings.Contains(out, `"facets"`) {
		t.Fatalf("search --json:\n%s", out)
	}
	// A second import changes nothing.
	again := mustRun(t, "import", "interlink", seedDir, "--data", data, "--token", tok)
	if !strings.Contains(again.stdout+again.stderr, "unchanged") {
		t.Fatalf("re-import output: %s %s", again.stdout, again.stderr)
	}

	// Export as a seed directory and compare with the original, entity by entity.
	out := filepath.Join(t.TempDir(), "seed")
	mustRun(t, "export", "interlink", out, "--data", data)
	orig, err := interlinkfmt.ReadSeed(os.DirFS(seedDir))
	if err != nil {
		t.Fatal(err)
	}
	back, err := interlinkfmt.ReadSeed(os.DirFS(out))
	if err != nil {
		t.Fatalf("the exported seed does not read back: %v", err)
	}
	byKey := func(s *interlinkfmt.Seed) map[string]protocol.Entity {
		m := map[string]protocol.Entity{}
		for _, e := range s.Interlinkers {
			m["il/"+e.Key] = e
		}
		for _, e := range s.ProblemProfiles {
			m["pp/"+e.Key] = e
		}
		for _, e := range s.Schemas {
			m["cs/"+e.Key] = e
		}
		return m
	}
	a, b := byKey(orig), byKey(back)
	if len(a) != 127 || len(a) != len(b) {
		t.Fatalf("exported %d entities, the seed has %d", len(b), len(a))
	}
	for k, e := range a {
		if !reflect.DeepEqual(e, b[k]) {
			ej, _ := json.Marshal(e)
			bj, _ := json.Marshal(b[k])
			t.Errorf("%s differs after import and export:\n%s\n%s", k, ej, bj)
		}
	}
}

// TestManualFollowApprovalThroughTheCLI runs two nodes with the default
// (manual) follow policy: B follows A, A's operator sees the pending
// follow and approves it, and B then lists A as an accepted peer.
func TestManualFollowApprovalThroughTheCLI(t *testing.T) {
	isolate(t)
	dataA, dataB := t.TempDir(), t.TempDir()
	fed := []string{"--set", "federation.allow_private_networks=true", "--set", "federation.retry_base=100ms"}
	urlA := startServeOn(t, "127.0.0.1", dataA, fed...)
	startServeOn(t, "127.0.0.2", dataB, fed...)

	out := mustRun(t, "follow", urlA+"/actor", "--data", dataB).stdout
	if !strings.Contains(out, "pending") {
		t.Fatalf("follow printed %q, want a pending follow", out)
	}
	var pending string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if pending = mustRun(t, "followers", "--state", "pending", "--data", dataA).stdout; strings.Contains(pending, "127.0.0.2") {
			break
		}
	}
	if !strings.Contains(pending, "127.0.0.2") {
		t.Fatalf("A's pending followers: %q", pending)
	}
	actorB := strings.Fields(strings.Split(strings.TrimSpace(pending), "\n")[1])[0]
	if out := mustRun(t, "followers", "approve", actorB, "--data", dataA).stdout; !strings.Contains(out, "accepted") {
		t.Fatalf("approve printed %q", out)
	}
	var peers string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if peers = mustRun(t, "peers", "--data", dataB).stdout; strings.Contains(peers, "accepted") {
			break
		}
	}
	if !strings.Contains(peers, urlA) || !strings.Contains(peers, "accepted") {
		t.Fatalf("B's peers after the approval:\n%s", peers)
	}

	// Unfollow: the Undo reaches A, which forgets B as a follower.
	if out := mustRun(t, "unfollow", urlA+"/actor", "--data", dataB).stdout; !strings.Contains(out, "no longer following") {
		t.Fatalf("unfollow printed %q", out)
	}
	var left string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if left = mustRun(t, "followers", "--data", dataA).stdout; !strings.Contains(left, "127.0.0.2") {
			break
		}
	}
	if strings.Contains(left, "127.0.0.2") {
		t.Fatalf("A still lists B after the unfollow:\n%s", left)
	}
}
