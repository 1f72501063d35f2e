package browser

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// node is one interlink process started for a test.
type node struct {
	name, url, data string
	cmd             *exec.Cmd
	log             *bytes.Buffer
}

// startNode runs `interlink serve` for an organisation of country on host
// (a distinct 127.0.0.x) with a
// federation that may reach loopback peers and accepts followers at once;
// it stops the process (SIGTERM, then SIGKILL) when the test ends.
func startNode(t *testing.T, name, country, host string) *node {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("federation:\n  allow_private_networks: true\n  follow_policy: open\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t, host)
	n := &node{name: name, url: fmt.Sprintf("http://%s:%d", host, port), data: filepath.Join(dir, "data"), log: &bytes.Buffer{}}
	n.cmd = exec.Command(tools.bin, "serve", "--config", cfg, "--data", n.data,
		"--listen", fmt.Sprintf("%s:%d", host, port), "--public-url", n.url,
		"--set", "name="+name, "--set", "country="+country)
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		n.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { n.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			n.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, n.log)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := http.Get(n.url + "/readyz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return n
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 20 s:\n%s", name, n.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t *testing.T, host string) int {
	t.Helper()
	_, p, _ := net.SplitHostPort(testenv.FreeAddr(t, host, false))
	port, _ := strconv.Atoi(p)
	return port
}

// cli runs the interlink command against n (through its data folder:
// node.json names the server, local-credential the token).
func (n *node) cli(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tools.bin, append(args, "--data", n.data)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("interlink %s on %s: %v\n%s", strings.Join(args, " "), n.name, err, out)
	}
	return string(out)
}

// actor is the node's actor IRI.
func (n *node) actor() string { return n.url + "/actor" }
