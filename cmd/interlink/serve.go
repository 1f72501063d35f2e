package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node"
)

// newServeCmd runs a node in the foreground until SIGINT or SIGTERM.
func newServeCmd() *cobra.Command {
	var configFile string
	var settings []string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a node (creates its data directory, keys and an admin token on first start)",
		Long: `serve runs an interlink node in the foreground until SIGINT or SIGTERM, then stops
gracefully: it stops accepting connections, lets in-flight requests finish, and closes
the database.

Settings come from, in increasing precedence: embedded defaults, the YAML file given by
--config (or INTERLINK_CONFIG), INTERLINK_* environment variables (the setting's key in
upper case with dots as underscores: api.body_limit is INTERLINK_API_BODY_LIMIT), and
flags (--data, --listen, --public-url, and --set key=value for any other setting).
See docs/configuration.md.

The first start prints an admin token once on a terminal; when standard output is not
a terminal (a service manager, a log file) it writes the token to DATA/admin-token
(mode 0600) instead and prints only that path.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadServeConfig(cmd, configFile, settings)
			if err != nil {
				return usageErrorf("%v", err)
			}
			logger := newLogger(cmd, cfg)
			defer node.ApplyRuntime(cfg)()
			n, err := node.New(cfg, node.Options{Logger: logger, Stdout: cmd.OutOrStdout()})
			if err != nil {
				return err
			}
			if err := n.Run(cmd.Context()); err != nil {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "YAML configuration file (env INTERLINK_CONFIG)")
	f.String("listen", "", "HOST:PORT to listen on (default 127.0.0.1:8080; env INTERLINK_LISTEN)")
	f.String("public-url", "", "the node's public URL: its identity and ActivityPub origin (default http://LISTEN; env INTERLINK_PUBLIC_URL)")
	f.StringArrayVar(&settings, "set", nil, "set any setting by its key, e.g. --set api.body_limit=2MiB (repeatable)")
	return cmd
}

// loadServeConfig merges defaults < file < environment < flags and validates once.
func loadServeConfig(cmd *cobra.Command, configFile string, settings []string) (node.Config, error) {
	cfg := node.Defaults()
	if configFile == "" {
		configFile = os.Getenv("INTERLINK_CONFIG")
	}
	if configFile != "" {
		if err := cfg.LoadFile(configFile); err != nil {
			return cfg, err
		}
	}
	if err := cfg.LoadEnv(os.Environ()); err != nil {
		return cfg, err
	}
	for _, fl := range []struct{ flag, key string }{{"data", "data"}, {"listen", "listen"}, {"public-url", "public_url"}} {
		if f := cmd.Flag(fl.flag); f != nil && f.Changed {
			if err := cfg.Set(fl.key, f.Value.String()); err != nil {
				return cfg, err
			}
		}
	}
	for _, kv := range settings {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return cfg, fmt.Errorf("--set %q: write key=value, e.g. --set log.level=debug", kv)
		}
		if err := cfg.Set(strings.TrimSpace(k), v); err != nil {
			return cfg, fmt.Errorf("--set: %w", err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func newLogger(cmd *cobra.Command, cfg node.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: node.LogDurationsAsMillis}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), opts))
	}
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), opts))
}
