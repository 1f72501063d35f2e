package node

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// TestSIGKILLDuringImportLosesNothingAcknowledged runs a node as a separate
// process, imports thousands of objects into it from concurrent clients,
// kills it with SIGKILL in the middle, restarts it on the same data
// directory and checks that every acknowledged object is there, whole, and
// that search agrees with the database.
func TestSIGKILLDuringImportLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess crash test skipped in -short mode")
	}
	dir := t.TempDir()
	addr := freeAddr(t, "127.0.0.1")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), envChildNode+"="+dir+"|"+addr)
	var stderr strings.Builder
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { child.Wait(); close(done) }()
	defer func() {
		child.Process.Kill()
		<-done
	}()

	tn := &testNode{t: t, dir: dir, url: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if cred, err := os.ReadFile(filepath.Join(dir, localCredentialFile)); err == nil {
			tn.admin = strings.TrimSpace(string(cred))
			if r, err := httpGetStatus(tn.url + "/readyz"); err == nil && r == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("child node not ready: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	editor := tn.token("editor")

	const workers = 16
	const killAfter = 1500
	var acked sync.Map // IRI → key
	var nAcked atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("w%d-%d", w, i)
				body, _ := json.Marshal(interlinkerBody(key, "Crash tool "+key, "Strumento "+key, "P1"))
				r, err := postNoFatal(tn.url+"/api/v1/objects", editor, body)
				if err != nil {
					return // the node is gone
				}
				if r.status == 201 {
					var obj protocol.Object
					if json.Unmarshal(r.body, &obj) == nil {
						acked.Store(obj.IRI, key)
						nAcked.Add(1)
					}
				}
			}
		}(w)
	}
	for nAcked.Load() < killAfter {
		time.Sleep(5 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-done
	close(stop)
	wg.Wait()
	t.Logf("killed the node after %d acknowledged creates", nAcked.Load())

	tn2 := startNodeAt(t, dir, addr)
	missing := 0
	acked.Range(func(k, v any) bool {
		r := tn2.get("/api/v1/object?iri=" + k.(string))
		if r.status != 200 {
			missing++
			return true
		}
		var obj protocol.Object
		if err := json.Unmarshal(r.body, &obj); err != nil || obj.Key != v.(string) {
			t.Errorf("object %s is not whole: %s", k, r.body)
			return true
		}
		if _, err := protocol.DecodeEntity(obj.Body); err != nil {
			t.Errorf("object %s has a partial body: %v", k, err)
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d acknowledged objects are missing after SIGKILL", missing)
	}
	// Counters, listing and search agree.
	count := int(tn2.get("/api/v1/status").json(t)["counts"].(map[string]any)["Interlinker"].(float64))
	listed := 0
	cursor := ""
	for {
		r := tn2.get("/api/v1/objects?type=Interlinker&limit=500&cursor=" + cursor).json(t)
		listed += len(r["items"].([]any))
		if cursor, _ = r["next"].(string); cursor == "" {
			break
		}
	}
	total := tn2.get("/api/v1/search?type=Interlinker&facets=false").json(t)["total"].(float64)
	if count != listed || int(total) != count || count < int(nAcked.Load()) {
		t.Fatalf("after the crash: counter %d, listed %d, search total %v, acknowledged %d", count, listed, total, nAcked.Load())
	}
}
