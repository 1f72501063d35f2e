package testnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNotOurs is returned when a pid is alive but its command line does not
// name the testnet directory: it is someone else's process (the pid was
// reused) and is never signalled.
var ErrNotOurs = errors.New("the process is not one this testnet started")

// procInfo describes a pid as /proc shows it.
type procInfo struct {
	exists  bool
	zombie  bool
	cmdline string // arguments joined by spaces
}

func readProc(pid int) procInfo {
	if pid <= 0 {
		return procInfo{}
	}
	base := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(base, "stat"))
	if err != nil {
		return procInfo{}
	}
	pi := procInfo{exists: true}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		pi.zombie = stat[i+2] == 'Z' || stat[i+2] == 'X'
	}
	cl, _ := os.ReadFile(filepath.Join(base, "cmdline"))
	pi.cmdline = strings.TrimSpace(string(bytes.ReplaceAll(cl, []byte{0}, []byte{' '})))
	return pi
}

// Ours reports whether pid is a live process (not a zombie) whose command
// line contains dir.
func Ours(pid int, dir string) bool {
	pi := readProc(pid)
	return pi.exists && !pi.zombie && dir != "" && strings.Contains(pi.cmdline, dir)
}

// checkOurs returns nil for our live process, errGone when the pid is gone
// (or a zombie), and ErrNotOurs for somebody else's process.
func checkOurs(pid int, dir string) error {
	pi := readProc(pid)
	switch {
	case !pi.exists || pi.zombie:
		return errGone
	case dir == "" || !strings.Contains(pi.cmdline, dir):
		return fmt.Errorf("pid %d (%q): %w", pid, truncate(pi.cmdline, 80), ErrNotOurs)
	}
	return nil
}

var errGone = errors.New("process gone")

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// startProcess starts bin with args in its own session (it outlives the
// command that started it), output appended to logPath. A goroutine reaps
// it when it exits, so that a node that dies under this process is never
// mistaken for a live one.
func startProcess(bin string, args []string, logPath string) (int, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("log file: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Stdin = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = cmd.Wait() }()
	return cmd.Process.Pid, nil
}

// signalOurs sends sig to pid after checking it is ours.
func signalOurs(pid int, dir string, sig syscall.Signal) error {
	if err := checkOurs(pid, dir); err != nil {
		return err
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %d to pid %d: %w", sig, pid, err)
	}
	return nil
}

// waitGone polls until pid is gone (or a zombie) or ctx ends.
func waitGone(ctx context.Context, pid int) bool {
	for {
		if pi := readProc(pid); !pi.exists || pi.zombie {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// StopProcess ends our process pid: SIGTERM, up to grace for it to exit,
// then SIGKILL. A pid that is gone already is not an error; a pid that is
// not ours is ErrNotOurs and is left alone.
func StopProcess(ctx context.Context, pid int, dir string, grace time.Duration) error {
	if err := signalOurs(pid, dir, syscall.SIGTERM); err != nil {
		if errors.Is(err, errGone) {
			return nil
		}
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if waitGone(wctx, pid) {
		return nil
	}
	return KillProcess(ctx, pid, dir)
}

// KillProcess sends SIGKILL to our process pid and waits (up to 5 s) for it
// to go.
func KillProcess(ctx context.Context, pid int, dir string) error {
	if err := signalOurs(pid, dir, syscall.SIGKILL); err != nil {
		if errors.Is(err, errGone) {
			return nil
		}
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if !waitGone(wctx, pid) {
		return fmt.Errorf("pid %d still runs 5 s after SIGKILL", pid)
	}
	return nil
}
