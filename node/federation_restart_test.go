package node

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStoppedFollowerReceivesEverythingOnce stops a follower, publishes,
// restarts it and checks that every object arrives, each version applied once.
func TestStoppedFollowerReceivesEverythingOnce(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	dirB, addrB := t.TempDir(), freeAddr(t, "127.0.0.2")
	b := startNodeWith(t, dirB, addrB, fedConfig)
	b.follow(t, a)
	b.n.Close()

	editor := a.token("editor")
	var iris []string
	for i := 0; i < 40; i++ {
		obj := a.postJSON("/api/v1/objects", editor, interlinkerBody(fmt.Sprintf("down_%02d", i), "Published while down", "Pubblicato")).json(t)
		iris = append(iris, obj["iri"].(string))
	}
	time.Sleep(500 * time.Millisecond) // deliveries fail and back off meanwhile

	b = startNodeWith(t, dirB, addrB, fedConfig)
	eventually(t, 20*time.Second, "the restarted follower holds all 40 objects", func() bool {
		c := b.get("/api/v1/status").json(t)["counts"].(map[string]any)
		return c["Interlinker"] == 40.0
	})
	for _, iri := range iris {
		st, obj := b.object(iri)
		if st != 200 || obj["version"] != 1.0 {
			t.Fatalf("%s on the follower: %d %v", iri, st, obj)
		}
		vs := b.get("/api/v1/objects/" + obj["id"].(string) + "/versions").json(t)["items"].([]any)
		if len(vs) != 1 {
			t.Fatalf("%s was applied %d times", iri, len(vs))
		}
	}
}

// TestSenderKilledDuringDeliveryDeliversAfterRestart kills the publishing
// node with SIGKILL while its deliveries are queued and checks that they
// arrive after it restarts.
func TestSenderKilledDuringDeliveryDeliversAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test skipped in -short mode")
	}
	dirA, addrA := t.TempDir(), freeAddr(t, "127.0.0.1")
	env := append(os.Environ(), "INTERLINK_FEDERATION_ALLOW_PRIVATE_NETWORKS=true", "INTERLINK_FEDERATION_FOLLOW_POLICY=open",
		"INTERLINK_FEDERATION_RETRY_BASE=50ms", "INTERLINK_FEDERATION_RETRY_MAX=1s", "INTERLINK_FEDERATION_BREAKER_COOLDOWN=300ms")
	startA := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(env, envChildNode+"="+dirA+"|"+addrA)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if code, err := httpGetStatus("http://" + addrA + "/readyz"); err == nil && code == 200 {
				return cmd
			}
			if time.Now().After(deadline) {
				t.Fatalf("node A not ready: %s", stderr.String())
			}
		}
	}
	childA := startA()
	cred, err := os.ReadFile(filepath.Join(dirA, localCredentialFile))
	if err != nil {
		t.Fatal(err)
	}
	a := &testNode{t: t, dir: dirA, url: "http://" + addrA, admin: strings.TrimSpace(string(cred))}

	dirB, addrB := t.TempDir(), freeAddr(t, "127.0.0.2")
	b := startNodeWith(t, dirB, addrB, fedConfig)
	r := b.postJSON("/api/v1/follows", b.admin, map[string]string{"target": a.url + "/actor"})
	if r.status != 202 {
		t.Fatalf("follow: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "B's follow of A is accepted", func() bool {
		return strings.Contains(string(b.do("GET", "/api/v1/follows", b.admin, "", nil).body), `"accepted"`)
	})
	b.n.Close() // deliveries to B now queue up on A

	editor := a.token("editor")
	var objs []any
	for i := 0; i < 100; i++ {
		objs = append(objs, interlinkerBody(fmt.Sprintf("queued_%03d", i), "Queued tool", "Strumento in coda"))
	}
	if r := a.postJSON("/api/v1/import", editor, map[string]any{"objects": objs}); r.status != 201 {
		t.Fatalf("import on A: %d %s", r.status, r.body)
	}
	childA.Process.Kill() // SIGKILL with 100 deliveries queued
	childA.Wait()

	b = startNodeWith(t, dirB, addrB, func(c *Config) {
		fedConfig(c)
	})
	startA()
	deadline := time.Now().Add(90 * time.Second)
	for {
		c := b.get("/api/v1/status").json(t)["counts"].(map[string]any)
		if c["Interlinker"] == 100.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B holds %v of A's 100 objects after A's restart; A's peers: %s; dead letters: %s", c["Interlinker"],
				a.do("GET", "/api/v1/peers", a.admin, "", nil).body, a.do("GET", "/api/v1/deliveries/dead", a.admin, "", nil).body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// And it is A's durable queue that delivered them (not only B's catch-up):
	// A's queue to B drains with nothing dead.
	eventually(t, 30*time.Second, "A's queue to B drains", func() bool {
		var page struct {
			Items []struct {
				Actor       string
				Queue, Dead int
			}
		}
		r := a.do("GET", "/api/v1/peers", a.admin, "", nil)
		if err := json.Unmarshal(r.body, &page); err != nil || len(page.Items) != 1 {
			return false
		}
		return page.Items[0].Queue == 0 && page.Items[0].Dead == 0
	})
	dead := a.do("GET", "/api/v1/deliveries/dead", a.admin, "", nil).json(t)["items"].([]any)
	if len(dead) != 0 {
		t.Fatalf("dead letters on A: %v", dead)
	}
}
