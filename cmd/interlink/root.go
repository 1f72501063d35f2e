package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// Defaults and environment variables of the global flags.
const (
	defaultDataDir = "./interlink-data"
	defaultServer  = "http://127.0.0.1:8080"

	envData   = "INTERLINK_DATA"
	envServer = "INTERLINK_SERVER"
	envToken  = "INTERLINK_TOKEN"

	nodeFileName       = "node.json"        // written by a running node: {"server", "public_url", "pid"}
	credentialFileName = "local-credential" // an admin bearer token the node writes at first start
)

// globalFlags holds the persistent flags every subcommand shares.
type globalFlags struct {
	data   string
	server string
	token  string
}

// newRootCmd builds the interlink command tree.
func newRootCmd() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "interlink",
		Short: "Run and administer an interlink node",
		Long: `interlink runs a node of the federated catalogue of reusable public services and
interlinkers ("interlink serve"), and administers a running node over its HTTP API.

The node is found through --server, else INTERLINK_SERVER, else the "server" field of
DATA/node.json (which a running node writes), else ` + defaultServer + `.
The bearer token is --token, else INTERLINK_TOKEN, else the contents of DATA/local-credential.`,
		Version:       buildLine(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.data, "data", defaultDataDir, "the node's data directory (env "+envData+")")
	pf.StringVar(&g.server, "server", "", "URL of the running node (env "+envServer+"; default: DATA/node.json, else "+defaultServer+")")
	pf.StringVar(&g.token, "token", "", "bearer token (env "+envToken+"; default: the contents of DATA/local-credential)")

	root.AddCommand(
		newServeCmd(),
		newTokenCmd(g),
		newUserCmd(g),
		newImportCmd(g),
		newExportCmd(g),
		newSearchCmd(g),
		newStatusCmd(g),
		newBackupCmd(g),
		newRestoreCmd(g),
		newFollowCmd(g),
		newUnfollowCmd(g),
		newFollowersCmd(g),
		newPeersCmd(g),
		newMembersCmd(g),
		newTrustCmd(g),
		newAnchorCmd(g),
		newCosignCmd(g),
		newProcessCmd(g),
		newVerifyCmd(g),
		newVersionCmd(),
		newTestnetCmd(),
	)
	// cobra's completion command: an unknown shell is a usage error, as an
	// unknown subcommand of every other group is (not its help and exit 0).
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.NoArgs
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
	markRunErrors(root)
	return root
}

// newGroupCmd makes a command that only holds subcommands: without one it
// prints its help; with an unknown one it is a usage error.
func newGroupCmd(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	c.AddCommand(subs...)
	return c
}

// runError marks an error returned by a command's RunE, as opposed to the
// errors cobra raises while parsing the command line (usage errors).
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// usageError is a command-line mistake a RunE detects itself (a malformed
// --filter, an unknown role): it exits with code 2 like cobra's own.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// markRunErrors wraps the RunE of c and every descendant so that run can tell
// failures of the work from usage errors.
func markRunErrors(c *cobra.Command) {
	if c.RunE != nil {
		inner := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := inner(cmd, args); err != nil {
				return &runError{err: err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markRunErrors(sub)
	}
}

// settings are where a command finds the node and which token it presents,
// resolved from flags, environment and the data directory.
type settings struct {
	dataDir      string
	server       *url.URL
	serverSource string // "--server", "INTERLINK_SERVER", "DATA/node.json" or "default"
	token        string
	tokenSource  string // "--token", "INTERLINK_TOKEN", the credential path, or "" when none
	credPath     string // DATA/local-credential
	credErr      error  // why the credential file could not be read, if it exists but cannot
}

// nodeFile is the part of DATA/node.json the CLI reads.
type nodeFile struct {
	Server    string `json:"server"`
	PublicURL string `json:"public_url"`
	PID       int    `json:"pid"`
}

// resolveSettings applies the precedence flag > environment > data directory
// > default for the data directory, the server and the token.
func resolveSettings(cmd *cobra.Command, g *globalFlags) (*settings, error) {
	flags := cmd.Flags()
	s := &settings{dataDir: g.data}
	if !flags.Changed("data") {
		if v := os.Getenv(envData); v != "" {
			s.dataDir = v
		}
	}
	s.credPath = filepath.Join(s.dataDir, credentialFileName)

	server, source := g.server, "--server"
	if !flags.Changed("server") || server == "" {
		server, source = os.Getenv(envServer), envServer
	}
	if server == "" {
		nodePath := filepath.Join(s.dataDir, nodeFileName)
		nf, err := readNodeFile(nodePath)
		if err != nil {
			return nil, err
		}
		server, source = nf.Server, nodePath
	}
	if server == "" {
		server, source = defaultServer, "default"
	}
	u, err := parseServerURL(server)
	if err != nil {
		return nil, fmt.Errorf("server URL %q (from %s): %w (set --server or %s)", server, source, err, envServer)
	}
	s.server, s.serverSource = u, source

	switch {
	case flags.Changed("token") && g.token != "":
		s.token, s.tokenSource = g.token, "--token"
	case os.Getenv(envToken) != "":
		s.token, s.tokenSource = strings.TrimSpace(os.Getenv(envToken)), envToken
	default:
		b, err := os.ReadFile(s.credPath)
		switch {
		case err == nil:
			if t := strings.TrimSpace(string(b)); t != "" {
				s.token, s.tokenSource = t, s.credPath
			}
		case errors.Is(err, fs.ErrNotExist):
		default:
			// Reading the node's own credential may fail for a user who
			// only reads the catalogue: go on without a token and say why
			// if the node asks for one.
			s.credErr = err
		}
	}
	return s, nil
}

// readNodeFile reads DATA/node.json; a missing file yields an empty nodeFile.
func readNodeFile(path string) (nodeFile, error) {
	var nf nodeFile
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nf, nil
	}
	if err != nil {
		return nf, fmt.Errorf("read %s: %w (pass --server to bypass it)", path, err)
	}
	if err := json.Unmarshal(b, &nf); err != nil {
		return nf, fmt.Errorf("%s is not valid JSON: %w (delete it, restart the node, or pass --server)", path, err)
	}
	return nf, nil
}

// parseServerURL accepts http(s)://host[:port][/prefix] and drops a trailing
// slash.
func parseServerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("the scheme must be http or https")
	}
	if u.Host == "" {
		return nil, errors.New("the host is missing")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("user info, query and fragment are not allowed")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if strings.HasSuffix(u.Path, "/api/v1") {
		return nil, fmt.Errorf("it ends with /api/v1: give the node's own URL (%s), the CLI adds /api/v1", strings.TrimSuffix(u.String(), "/api/v1"))
	}
	return u, nil
}

// newClient resolves the settings of cmd and returns a client for the node.
func newClient(cmd *cobra.Command, g *globalFlags) (*client, error) {
	s, err := resolveSettings(cmd, g)
	if err != nil {
		return nil, err
	}
	return newHTTPClient(s), nil
}
