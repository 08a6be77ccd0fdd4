package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/syncengine"
)

func (a *app) syncQuarantine() *cobra.Command {
	var (
		f      syncFlags
		replay bool
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "quarantine NAME [--replay [IDS...]]",
		Short: "List a connector's quarantined records, or replay them",
		Long: `List the records that failed for good, oldest first, with the remote's reason. With
--replay the quarantined records (the given quarantine ids, else all of them) are retried as
a run: pulled records are fetched again, pushed ones pushed again, and those that succeed
leave the quarantine. The run's report is printed; the command exits 1 if the run fails.`,
		Example: "  tandem sync quarantine hubspot-main\n  tandem sync quarantine hubspot-main --replay 12 13",
		Args:    minArgs("NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			name, rest := args[0], args[1:]
			if len(rest) > 0 && !replay {
				return usagef("quarantine ids %v are only taken with --replay", rest)
			}
			if limit <= 0 {
				return usagef("--limit must be a positive number, got %d", limit)
			}
			ids := make([]int64, len(rest))
			for i, s := range rest {
				id, err := parseID("quarantine id", s)
				if err != nil {
					return err
				}
				ids[i] = id
			}
			if replay {
				run := func(b syncBackend, ctx context.Context, name string) (syncengine.RunReport, error) {
					return b.Replay(ctx, name, ids)
				}
				return withConnector(a, cmd.Context(), name, run, func(rep syncengine.RunReport) error { return a.reportRun(rep, f.json) })
			}
			list := func(b syncBackend, ctx context.Context, name string) ([]syncengine.QuarantineEntry, error) {
				return b.Quarantine(ctx, name, limit)
			}
			return withConnector(a, cmd.Context(), name, list, func(qs []syncengine.QuarantineEntry) error {
				return a.printAs(f.json, map[string]any{"quarantine": nonNilSlice(qs)}, func() error { return printQuarantine(a.stdout, qs) })
			})
		}),
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&replay, "replay", false, "retry the quarantined records IDS (all when none are given)")
	fl.IntVar(&limit, "limit", 100, "list at most `N` records")
	return cmd
}
