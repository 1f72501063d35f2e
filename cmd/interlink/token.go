package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

// Roles a token may have (docs/api.md).
var tokenRoles = []string{"admin", "editor", "reader"}

func newTokenCmd(g *globalFlags) *cobra.Command {
	return newGroupCmd("token", "Create, list and revoke the node's API tokens (admin)",
		newTokenCreateCmd(g), newTokenListCmd(g), newTokenRevokeCmd(g))
}

func newTokenCreateCmd(g *globalFlags) *cobra.Command {
	var role, name string
	var expires time.Duration
	cmd := &cobra.Command{
		Use:   "create --role admin|editor|reader [--name N] [--expires DURATION]",
		Short: "Create a token and print it (only the token, on stdout)",
		Long: `Create a bearer token with the given role. Only the token and a newline are printed
on stdout, so that scripts can do: t=$(interlink token create --role editor)
The node shows a token only once: keep it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(tokenRoles, role) {
				return usageErrorf("--role must be one of %s, not %q", strings.Join(tokenRoles, ", "), role)
			}
			if cmd.Flags().Changed("expires") && expires <= 0 {
				return usageErrorf("--expires must be a positive duration such as 720h, not %s (leave it out for a token that works until it is revoked)", expires)
			}
			var created api.Token
			in := api.TokenRequest{Role: role, Name: name}
			if expires > 0 {
				in.ExpiresIn = expires.String()
			}
			if err := postJSON(cmd, g, "create "+withArticle(role)+" token", "/tokens", in, &created); err != nil {
				return err
			}
			if created.Token == "" {
				return fmt.Errorf("create %s token: the node answered without a token", withArticle(role))
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), created.Token)
			return err
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "the token's role: admin, editor or reader (required)")
	cmd.Flags().StringVar(&name, "name", "", "a name that says who or what uses the token")
	completeValues(cmd, "role", roles...)
	cmd.Flags().DurationVar(&expires, "expires", 0, "how long the token works, e.g. 720h (default: until revoked)")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newTokenListCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the node's tokens (never the secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			answer, done, err := getJSON[api.List[api.Token]](cmd, g, "list tokens", "/tokens", nil, asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), answer.Items, func(t api.Token) []string {
				return []string{t.ID, dash(t.Name), t.Role, t.Created.Local().Format(time.DateTime), when(t.Expires, "never"), when(t.LastUsed, "never")}
			}, "ID", "NAME", "ROLE", "CREATED", "EXPIRES", "LAST USED")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newTokenRevokeCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token by its id (see token list)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if id == "" {
				return usageErrorf("the token id is empty")
			}
			err := withClient(cmd, g, "revoke token "+id, func(ctx context.Context, c *client) error {
				return c.call(ctx, request{method: http.MethodDelete, path: "/tokens/" + url.PathEscape(id)}, nil)
			})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s\n", id)
			return err
		},
	}
}

// writeRaw writes a JSON answer as the node sent it, ending with a newline.
func writeRaw(w io.Writer, raw []byte) error {
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		_, err := w.Write([]byte{'\n'})
		return err
	}
	return nil
}

// when formats t for a table, or none when t is zero.
func when(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.Local().Format(time.DateTime)
}

// withArticle is "a reader", "an editor", "an admin".
func withArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}
