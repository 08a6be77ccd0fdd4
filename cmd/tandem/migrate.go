package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
)

func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending store migrations and print the migration version",
		Long: `Create the store in the data directory if needed, apply pending migrations, and print
the versions applied and the store's current migration version. "tandem serve" applies
pending migrations at start-up too.`,
		Args: noArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			dir, err := a.resolveDataDir()
			if err != nil {
				return err
			}
			_, statErr := os.Stat(filepath.Join(dir, crmstore.DatabaseFile))
			created := errors.Is(statErr, fs.ErrNotExist)
			return a.withCheckedStore(cmd.Context(), func(st *crmstore.Store) error {
				// Opening the store applies pending migrations already; Migrate reports
				// what this process applied, at open or now.
				applied, err := st.Migrate(cmd.Context())
				if err != nil {
					return fmt.Errorf("migrate: %w", err)
				}
				current, err := st.MigrationVersion(cmd.Context())
				if err != nil {
					return fmt.Errorf("read migration version: %w", err)
				}
				list := "none"
				switch {
				case len(applied) > 0:
					s := make([]string, len(applied))
					for i, v := range applied {
						s[i] = strconv.Itoa(v)
					}
					list = strings.Join(s, ", ")
					if created {
						list += " (new database)"
					}
				}
				fmt.Fprintf(a.stdout, "database: %s\napplied: %s\ncurrent version: %d\n", st.Path(), list, current)
				return nil
			})
		}),
	}
}
