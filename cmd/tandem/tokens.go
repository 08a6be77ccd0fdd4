package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
)

func (a *app) tokensCommand() *cobra.Command {
	cmd := groupCommand("tokens", "Create, list and revoke API tokens")
	cmd.AddCommand(a.tokensCreate(), a.tokensList(), a.tokensRevoke())
	return cmd
}

func (a *app) tokensCreate() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "create --name NAME",
		Short: "Create an API token and print it (shown only this once)",
		Long: `Create a private-app style API token for the REST API and print it on stdout, alone,
so it can be captured: TOKEN=$(tandem tokens create --name ci). Only a digest of the token is
stored; it cannot be shown again. Send it as "Authorization: Bearer TOKEN".`,
		Example: "  tandem tokens create --name crm-sync",
		Args:    noArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return usagef("--name is required")
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				token, _, err := st.CreateToken(cmd.Context(), name)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(a.stdout, token)
				return err
			})
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "a `NAME` that says what the token is for")
	return cmd
}

func (a *app) tokensList() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List API tokens (never their secrets)",
		Args:  noArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				toks, err := st.Tokens(cmd.Context())
				if err != nil {
					return err
				}
				if toks == nil {
					toks = []crmstore.APIToken{}
				}
				return a.writeJSON(map[string]any{"results": toks})
			})
		}),
	}
}

func (a *app) tokensRevoke() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke a token by id, or every live token with a name",
		Long: `Revoke a token by its id, or every live token with that name. A running server stops
accepting it within five seconds.`,
		Args: exactArgs("ID|NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				n, err := st.RevokeToken(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.stdout, "revoked %d token(s)\n", n)
				return err
			})
		}),
	}
}
