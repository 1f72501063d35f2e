package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"
)

// withClient runs fn with a client of the node cmd talks to (--server,
// --token) and closes it after; an error of fn is said after what, the
// name of the call.
func withClient(cmd *cobra.Command, g *globalFlags, what string, fn func(ctx context.Context, c *client) error) error {
	c, err := newClient(cmd, g)
	if err != nil {
		return err
	}
	defer c.close()
	if err := fn(cmd.Context(), c); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// postJSON POSTs in as JSON to path and decodes the answer into out (nil:
// none), for a command that makes one call; what names it in an error.
func postJSON(cmd *cobra.Command, g *globalFlags, what, path string, in, out any) error {
	return withClient(cmd, g, what, func(ctx context.Context, c *client) error {
		return c.callJSON(ctx, http.MethodPost, path, in, out)
	})
}

// getJSON GETs path for a view command (a listing, a status): with asJSON
// it prints the node's answer exactly and returns done; otherwise it
// returns the answer decoded into a T, for the command to render.
func getJSON[T any](cmd *cobra.Command, g *globalFlags, what, path string, query url.Values, asJSON bool) (v *T, done bool, err error) {
	c, err := newClient(cmd, g)
	if err != nil {
		return nil, false, err
	}
	defer c.close()
	return fetchView[T](cmd, c, what, path, query, asJSON)
}

// fetchView is getJSON with a client the command keeps.
func fetchView[T any](cmd *cobra.Command, c *client, what, path string, query url.Values, asJSON bool) (v *T, done bool, err error) {
	var raw []byte
	if err := c.call(cmd.Context(), request{method: http.MethodGet, path: path, query: query}, &raw); err != nil {
		return nil, false, fmt.Errorf("%s: %w", what, err)
	}
	if asJSON {
		return nil, true, writeRaw(cmd.OutOrStdout(), raw)
	}
	v = new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, false, fmt.Errorf("%s: decode the answer: %w", what, err)
	}
	return v, false, nil
}

// onlyIf is the query key=value, or none when value is empty (a filter the
// user did not set).
func onlyIf(key, value string) url.Values {
	if value == "" {
		return nil
	}
	return url.Values{key: {value}}
}
