package main

import (
	"bufio"
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

func newUserCmd(g *globalFlags) *cobra.Command {
	return newGroupCmd("user", "Create, list, disable, enable people's accounts and set their passwords (admin)",
		newUserCreateCmd(g), newUserListCmd(g), newUserSwitchCmd(g, "disable"), newUserSwitchCmd(g, "enable"), newUserPasswdCmd(g))
}

// readPassword reads one line from standard input: the password, without
// its line ending. It is never echoed or logged.
func readPassword(in io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageErrorf("give the password on standard input (one line), e.g. printf '%%s\\n' \"$PW\" | interlink user ...")
	}
	return line, nil
}

func newUserCreateCmd(g *globalFlags) *cobra.Command {
	var role, display string
	cmd := &cobra.Command{
		Use:   "create NAME --role reader|editor|admin [--display-name D] < password",
		Short: "Create a person's account; the password is read from standard input (one line)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(tokenRoles, role) {
				return usageErrorf("--role must be one of %s, not %q", strings.Join(tokenRoles, ", "), role)
			}
			pw, err := readPassword(cmd.InOrStdin())
			if err != nil {
				return err
			}
			var u api.User
			in := api.UserRequest{Username: args[0], Password: pw, Role: role, DisplayName: display}
			if err := postJSON(cmd, g, "create user "+args[0], "/users", in, &u); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "created user %s (%s) with id %s\n", u.Username, u.Role, u.ID)
			return err
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "the account's role: reader, editor or admin (required)")
	cmd.Flags().StringVar(&display, "display-name", "", "the name pages show")
	completeValues(cmd, "role", roles...)
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newUserListCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List people's accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			answer, done, err := getJSON[api.List[api.User]](cmd, g, "list users", "/users", nil, asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), answer.Items, func(u api.User) []string {
				state := "active"
				if u.Disabled {
					state = "disabled"
				}
				last := "-"
				if !u.LastSignIn.IsZero() {
					last = u.LastSignIn.Local().Format(time.DateTime)
				}
				return []string{u.ID, u.Username, dash(u.DisplayName), u.Role, state, last}
			}, "ID", "USERNAME", "NAME", "ROLE", "STATE", "LAST SIGN-IN")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// userID resolves NAME-OR-ID to a user id: an id as given, else the
// account whose username it is.
func userID(ctx context.Context, c *client, nameOrID string) (string, error) {
	var list api.List[api.User]
	if err := c.call(ctx, request{method: http.MethodGet, path: "/users"}, &list); err != nil {
		return "", err
	}
	for _, u := range list.Items {
		if u.ID == nameOrID || u.Username == nameOrID {
			return u.ID, nil
		}
	}
	return "", fmt.Errorf("no user %q", nameOrID)
}

func newUserSwitchCmd(g *globalFlags, verb string) *cobra.Command {
	short := "Disable an account (its sessions end)"
	if verb == "enable" {
		short = "Enable a disabled account"
	}
	return &cobra.Command{
		Use:   verb + " NAME-OR-ID",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := withClient(cmd, g, verb+" user "+args[0], func(ctx context.Context, c *client) error {
				id, err := userID(ctx, c, args[0])
				if err != nil {
					return err
				}
				return c.call(ctx, request{method: http.MethodPost, path: "/users/" + url.PathEscape(id) + "/" + verb}, nil)
			})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%sd user %s\n", verb, args[0])
			return err
		},
	}
}

func newUserPasswdCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "passwd NAME-OR-ID < password",
		Short: "Set an account's password, read from standard input (one line); its other sessions end",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(cmd.InOrStdin())
			if err != nil {
				return err
			}
			err = withClient(cmd, g, "set the password of "+args[0], func(ctx context.Context, c *client) error {
				id, err := userID(ctx, c, args[0])
				if err != nil {
					return err
				}
				return c.callJSON(ctx, http.MethodPut, "/users/"+url.PathEscape(id)+"/password", api.PasswordRequest{Password: pw}, nil)
			})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "set the password of %s\n", args[0])
			return err
		},
	}
}
