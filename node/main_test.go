package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// envChildNode makes the test binary run a node instead of tests: the
// crash test starts itself this way and kills the child with SIGKILL.
const envChildNode = "ILTEST_CHILD_NODE"

func TestMain(m *testing.M) {
	if spec := os.Getenv(envChildNode); spec != "" {
		os.Exit(runChildNode(spec))
	}
	code := m.Run()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreCurrent()); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// runChildNode runs a node on "DIR|HOST:PORT" until SIGTERM (or SIGKILL).
func runChildNode(spec string) int {
	var dir, addr string
	for i := len(spec) - 1; i >= 0; i-- {
		if spec[i] == '|' {
			dir, addr = spec[:i], spec[i+1:]
			break
		}
	}
	cfg := Defaults()
	if err := cfg.LoadEnv(os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg.Data, cfg.Listen = dir, addr
	n, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Stdout: io.Discard})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := n.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
