package storage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// crashChildEnv names the database a re-executed test binary writes to
// until it is killed (see TestCrashKeepsAcknowledgedWrites).
const crashChildEnv = "INTERLINK_STORAGE_CRASH_CHILD"

const (
	crashWorkers = 16
	crashPerWork = 400 // far more than the parent lets the child finish
	crashKillAt  = 600 // acknowledgements the parent reads before SIGKILL
)

// crashPlan is what the child does with object number n: version 1, then an
// update for every third, then a tombstone for every fifth.
func crashPlan(n int) []protocol.Entity {
	plan := []protocol.Entity{profile(fmt.Sprintf("c%d", n))}
	if n%3 == 0 {
		plan = append(plan, profile(fmt.Sprintf("c%d-v2", n)))
	}
	if n%5 == 0 {
		plan = append(plan, nil)
	}
	return plan
}

// crashChild runs in the child process: it applies objects from several
// goroutines and prints "n version iri" for every acknowledged write.
func crashChild() int {
	path := os.Getenv(crashChildEnv)
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	f := newFixture()
	var mu sync.Mutex // serialises fixture use and stdout lines
	var wg sync.WaitGroup
	tb := panicT{}
	for w := range crashWorkers {
		wg.Go(func() {
			for i := range crashPerWork {
				n := w*crashPerWork + i
				plan := crashPlan(n)
				mu.Lock()
				o := f.object(tb, plan[0])
				mu.Unlock()
				op := create(o)
				for v, e := range plan {
					if v > 0 {
						op = next(tb, op.Object, e)
					}
					if _, err := s.Apply(context.Background(), op); err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(3)
					}
					mu.Lock()
					fmt.Fprintf(os.Stdout, "%d %d %s\n", n, op.Object.Version, o.IRI)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 4
	}
	return 0
}

// TestCrashKeepsAcknowledgedWrites kills a writing process with SIGKILL and
// checks that every write it acknowledged survived, complete, and that the
// derived state (indexes, counters) is consistent with the objects.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a writer process and kills it")
	}
	path := filepath.Join(t.TempDir(), "node.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type ack struct {
		n   int
		v   uint64
		iri string
	}
	var acks []ack
	r := bufio.NewReader(out)
	killed := false
	for {
		line, err := r.ReadString('\n')
		if err != nil { // EOF (a fragment without newline is not an acknowledgement)
			if !errors.Is(err, io.EOF) {
				t.Errorf("read child: %v", err)
			}
			break
		}
		var a ack
		if _, err := fmt.Sscanf(line, "%d %d %s", &a.n, &a.v, &a.iri); err != nil {
			t.Fatalf("child printed %q: %v", line, err)
		}
		acks = append(acks, a)
		if len(acks) == crashKillAt && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	werr := cmd.Wait()
	if !killed || werr == nil || !strings.Contains(werr.Error(), "killed") {
		t.Fatalf("the child was not killed midway (killed=%v, wait=%v, stderr=%s)", killed, werr, stderr.String())
	}
	t.Logf("child killed after %d acknowledged writes", len(acks))

	start := time.Now()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	t.Logf("reopen after the crash took %v", time.Since(start))
	ctx := context.Background()
	for _, a := range acks {
		got, err := s.GetVersion(ctx, a.iri, a.v)
		if err != nil {
			t.Errorf("acknowledged %s version %d lost: %v", a.iri, a.v, err)
			continue
		}
		want := crashPlan(a.n)[a.v-1]
		switch {
		case want == nil && (!got.Deleted || got.Body != nil):
			t.Errorf("%s version %d should be a tombstone: %+v", a.iri, a.v, got.Meta)
		case want != nil && string(got.Body) != string(body(t, want)):
			t.Errorf("%s version %d body = %s", a.iri, a.v, got.Body)
		}
		cur, err := s.Get(ctx, a.iri)
		if err != nil || cur.Version < a.v {
			t.Errorf("%s current version %d < acknowledged %d (%v)", a.iri, cur.Version, a.v, err)
		}
	}
	mustVerify(t, s) // indexes, keys, counters and aggregates equal a full scan
	live := map[protocol.Kind]int{}
	if err := s.ForEach(ctx, func(o protocol.Object) error {
		if !o.Deleted {
			live[o.Type]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range protocol.Kinds {
		if counts[k] != live[k] {
			t.Errorf("count of %s = %d, a full scan finds %d", k, counts[k], live[k])
		}
	}
	// The store keeps working after the crash.
	f := newFixture()
	mustApply(t, s, create(f.object(t, profile("after-crash"))))
}
