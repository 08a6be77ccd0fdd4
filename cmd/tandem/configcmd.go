package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/config"
)

func (a *app) checkConfigCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check-config FILE",
		Short: "Validate a configuration file and list every problem",
		Long: `Load FILE as "tandem serve --config FILE" would (strict decoding, ${ENV} expansion,
validation) and print every problem, one per line as FILE:LINE: path: message. Connectors
are checked too: their types, their options, and their field mappings (transforms, value
maps, two fields on one remote field), as the daemon would check them.
Exits 1 when there is a problem; prints "FILE: ok" and exits 0 otherwise.`,
		Args: exactArgs("FILE"),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			path := args[0]
			cfg, err := config.Load(path)
			var ce *config.Errors
			switch {
			case errors.As(err, &ce):
				return err // report prints each problem
			case err != nil:
				return fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
			}
			if problems := checkConnectors(cfg); len(problems) > 0 { // sync_wiring_check.go
				return &config.Errors{Source: path, Problems: problems}
			}
			fmt.Fprintf(a.stdout, "%s: ok\n", path)
			return nil
		}),
	}
}
