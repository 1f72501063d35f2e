package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
)

// startServe runs `interlink serve` in-process on a free loopback port and
// stops it (SIGINT's path: context cancelled) when the test ends.
func startServe(t *testing.T, data string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var out, errb strings.Builder
	go func() {
		done <- run(ctx, newRootCmd(), []string{"serve", "--data", data, "--listen", addr, "--set", "log.level=warn"},
			strings.NewReader(""), &out, &errb)
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
				if !strings.Contains(out.String(), "Initial admin token") {
					t.Errorf("the first start did not print the admin token: %q", out.String())
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
