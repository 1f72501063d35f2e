package node

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a clock a test moves forward.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func startNodeClock(t *testing.T, host string, now func() time.Time, tweak func(*Config)) *testNode {
	t.Helper()
	cfg := Defaults()
	cfg.Data, cfg.Listen, cfg.Log.Level = t.TempDir(), freeAddr(t, host), "error"
	fedConfig(&cfg)
	if tweak != nil {
		tweak(&cfg)
	}
	n, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	cred, err := os.ReadFile(filepath.Join(cfg.Data, localCredentialFile))
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, n: n, dir: cfg.Data, url: "http://" + n.Addr(), admin: strings.TrimSpace(string(cred))}
	tn.waitReady()
	return tn
}

// The origin re-signs an object before its signature expires; a follower
// takes the new version, linked to the old one, with the same content.
func TestResignBeforeExpiry(t *testing.T) {
	clock := &testClock{t: time.Now()}
	tweak := func(c *Config) { c.Trust.ObjectTTL, c.Trust.ResignBefore = 48*time.Hour, 12*time.Hour }
	a := startNodeClock(t, "127.0.0.1", clock.now, tweak)
	b := startNodeClock(t, "127.0.0.2", clock.now, tweak)
	b.follow(t, a)
	obj := a.postJSON("/api/v1/objects", a.admin, interlinkerBody("resign_me", "Resign me", "Firmami")).json(t)
	iri := obj["iri"].(string)
	eventually(t, 10*time.Second, "B holds the object", func() bool { st, _ := b.object(iri); return st == 200 })

	// Not due yet: nothing happens.
	if n, err := a.n.resigner.Pass(t.Context()); err != nil || n != 0 {
		t.Fatalf("re-sign before due: %d, %v", n, err)
	}
	clock.advance(37 * time.Hour) // 11 h before expiry: within resign_before
	if n, err := a.n.resigner.Pass(t.Context()); err != nil || n != 1 {
		t.Fatalf("re-sign when due: %d, %v", n, err)
	}
	_, cur := a.object(iri)
	if cur["version"] != 2.0 {
		t.Fatalf("after re-signing: version %v", cur["version"])
	}
	exp, _ := time.Parse(time.RFC3339, cur["verification"].(map[string]any)["expires"].(string))
	if !exp.After(clock.now().Add(47 * time.Hour)) {
		t.Fatalf("the new signature expires at %s", exp)
	}
	eventually(t, 10*time.Second, "B takes the re-signed version", func() bool {
		_, o := b.object(iri)
		return o["version"] == 2.0
	})
	_, onB := b.object(iri)
	if onB["body"].(map[string]any)["key"] != "resign_me" {
		t.Fatalf("the body changed: %v", onB["body"])
	}
}
