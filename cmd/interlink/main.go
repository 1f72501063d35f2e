// Command interlink runs and administers an interlink node: `interlink serve`
// starts the node; every other subcommand (token, import, export, search,
// status, backup, restore, version) talks to a running node over its HTTP
// API (docs/api.md), because only one process may open the node's database.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // the command line is wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, newRootCmd(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes root with args and returns the process exit code. Errors are
// printed on stderr: usage errors with a pointer to --help, failures with
// what to do about them.
func run(ctx context.Context, root *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var failed *runError
	var usage *usageError
	var coded interface{ ExitCode() int }
	if errors.As(err, &failed) && errors.As(err, &coded) && !errors.As(err, &usage) {
		fmt.Fprintln(stderr, formatError(failed.err))
		return coded.ExitCode()
	}
	if errors.As(err, &failed) && !errors.As(err, &usage) {
		fmt.Fprintln(stderr, formatError(failed.err))
		return exitError
	}
	// Cobra's own errors (unknown command or flag, wrong number of
	// arguments, missing required flag) come before RunE: usage errors.
	path := root.CommandPath()
	if cmd != nil {
		path = cmd.CommandPath()
	}
	fmt.Fprintf(stderr, "Error: %v\nRun '%s --help' for usage.\n", err, path)
	return exitUsage
}
