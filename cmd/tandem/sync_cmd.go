package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/syncengine"
)

// The `tandem sync` commands. Each is written once against syncBackend; withSync picks the
// backend: the running daemon's admin endpoint when daemon.json in the data directory names
// a live process, else the engine built in this process from --config on the store.

func (a *app) syncCommand() *cobra.Command {
	cmd := groupCommand("sync", "Show and control the two-way sync connectors")
	cmd.Long = `Show and control the connectors configured under "connectors" in --config.

Without a running daemon the commands build the sync engine in this process, on the store in
the data directory. When "tandem serve" runs on that data directory they ask it through its
admin endpoint instead (with admin.token of --config), so a connector never runs twice at once.
Tables are printed for people; --json prints the engine's records for scripts.`
	cmd.AddCommand(
		a.syncStatus(), a.syncRun(), a.syncPlan(), a.syncRuns(),
		a.syncConflicts(), a.syncQuarantine(), a.syncPause(), a.syncResume(),
	)
	return cmd
}

// withSync opens the sync backend for the data directory, runs fn and closes it again. The
// context is cancelled on SIGINT or SIGTERM, so a run stops at its next checkpoint.
func (a *app) withSync(ctx context.Context, fn func(ctx context.Context, b syncBackend) error) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := a.openSyncBackend(ctx)
	if err != nil {
		return err
	}
	err = fn(ctx, b)
	if cerr := b.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// openSyncBackend asks the daemon when one runs on the data directory (and admin.token lets
// us in), else builds the engine here. A daemon file that cannot be read is an error rather than a reason to run
// locally, because running locally next to a live daemon is what the file prevents.
func (a *app) openSyncBackend(ctx context.Context) (syncBackend, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	dir := a.dataDir
	if dir == "" {
		dir = cfg.DataDir
	}
	info, running, err := readDaemonFile(dir)
	if err != nil {
		return nil, fmt.Errorf("check for a running daemon: %w (delete the file if no tandem daemon uses %s)", err, dir)
	}
	if running && cfg.Admin.Token != "" {
		return newAdminSync(info.Admin, cfg.Admin.Token, info.PID, nil)
	}
	if running {
		// Without admin.token the daemon's admin endpoint answers nothing but probes. Run here
		// instead: the engine's lease still keeps a connector from running in both processes.
		fmt.Fprintf(a.stderr, "note: the daemon (pid %d) runs on %s but admin.token is not set, so this command runs the engine here\n", info.PID, dir)
	}
	return a.openLocalSync(ctx, cfg, dir)
}

// connectorError rewrites the engine's errors about one connector into messages that say
// what to do; other errors pass through.
func connectorError(ctx context.Context, b syncBackend, name string, err error) error {
	switch {
	case err == nil:
		return nil
	case errNoSuchConnector(err):
		names, lerr := b.Names(ctx)
		if lerr != nil {
			return fmt.Errorf("unknown connector %q", name)
		}
		if slices.Contains(names, name) {
			// Configured but not running in the daemon: its message says why.
			return err
		}
		configured := "none"
		if len(names) > 0 {
			configured = strings.Join(names, ", ")
		}
		return fmt.Errorf("unknown connector %q (configured: %s)", name, configured)
	case errors.Is(err, syncengine.ErrPaused):
		reason := "paused"
		if st, serr := b.Status(ctx, name); serr == nil && st.Reason != "" {
			reason = st.Reason
		}
		return fmt.Errorf("connector %q is paused (%s); resume it with \"tandem sync resume %s\"", name, reason, name)
	case errors.Is(err, syncengine.ErrBusy):
		return fmt.Errorf("connector %q is already running (in the daemon or another tandem process); try again when that run ends", name)
	case errors.As(err, new(*unavailableError)):
		return err
	default:
		return fmt.Errorf("connector %q: %w", name, err)
	}
}

// syncFlags are the flags every sync command shares.
type syncFlags struct {
	json bool
}

func (f *syncFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.json, "json", false, "print JSON instead of a table")
}

// withConnector is the body of a command about the one connector name: get asks the sync
// backend, its error rewritten by connectorError so that every command says the same about
// an unknown, paused or busy connector, and show prints what get returned. get takes the
// backend first so that a method expression (syncBackend.Plan) can serve as one.
func withConnector[T any](a *app, ctx context.Context, name string,
	get func(b syncBackend, ctx context.Context, name string) (T, error), show func(T) error) error {
	return a.withSync(ctx, func(ctx context.Context, b syncBackend) error {
		v, err := get(b, ctx, name)
		if err != nil {
			return connectorError(ctx, b, name, err)
		}
		return show(v)
	})
}

// printAs prints v as JSON when asJSON (the --json flag), else prints the table.
func (a *app) printAs(asJSON bool, v any, table func() error) error {
	if asJSON {
		return a.writeJSON(v)
	}
	return table()
}

func (a *app) syncStatus() *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "status [NAME]",
		Short: "Show the state and health of every connector, or of one",
		Long: `Show each connector's state (idle, running, paused with the reason, failing), its last
run and that run's counts, the lag since the last successful run, the local changes not yet
pushed, and how many records are in sync, excluded (deleted on one side), failing,
quarantined, held back as pending deletes and in open conflict.`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return withConnector(a, cmd.Context(), args[0], syncBackend.Status, func(st syncengine.Status) error {
					return a.printAs(f.json, st, func() error { return printStatuses(a.stdout, []syncengine.Status{st}) })
				})
			}
			return a.withSync(cmd.Context(), func(ctx context.Context, b syncBackend) error {
				sts, err := b.Statuses(ctx)
				if err != nil {
					return fmt.Errorf("connector status: %w", err)
				}
				return a.printAs(f.json, map[string]any{"connectors": nonNilSlice(sts)}, func() error { return printStatuses(a.stdout, sts) })
			})
		}),
	}
	f.register(cmd)
	return cmd
}

func (a *app) syncRun() *cobra.Command {
	var (
		f    syncFlags
		full bool
	)
	cmd := &cobra.Command{
		Use:   "run NAME",
		Short: "Run a connector now and print the run's report",
		Long: `Run a connector now: pull, push and deletes for every mapped object, recorded in the run
history. With --full the run is a full reconciliation: every remote record is listed, drift
is healed and deletions are inferred. Exits 1 when the run fails or the mass-delete guard
stops it.`,
		Example: "  tandem sync run hubspot-main\n  tandem sync run hubspot-main --full --json",
		Args:    exactArgs("NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			run := func(b syncBackend, ctx context.Context, name string) (syncengine.RunReport, error) {
				return b.Run(ctx, name, full)
			}
			return withConnector(a, cmd.Context(), args[0], run, func(rep syncengine.RunReport) error { return a.reportRun(rep, f.json) })
		}),
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&full, "full", false, "run a full reconciliation")
	return cmd
}

// reportRun prints a run's report and turns a failed or guard-stopped run into an error, so
// the command exits 1.
func (a *app) reportRun(rep syncengine.RunReport, asJSON bool) error {
	var err error
	if asJSON {
		err = a.writeJSON(rep)
	} else {
		err = printRunReport(a.stdout, rep)
		if err == nil && rep.Status == syncengine.RunPartial {
			_, err = fmt.Fprintf(a.stdout, "\nsome records failed; see \"tandem sync quarantine %s\"\n", rep.Connector)
		}
	}
	if err != nil {
		return err
	}
	switch rep.Status {
	case syncengine.RunFailed:
		return fmt.Errorf("run %d of %s failed: %s", rep.ID, rep.Connector, rep.Error)
	case syncengine.RunPaused:
		return fmt.Errorf("run %d of %s was stopped by the mass-delete guard, which paused the connector: %s; "+
			"review \"tandem sync plan %s\", then \"tandem sync resume %s --approve-deletes\" applies the deletions, "+
			"without the flag they are dropped", rep.ID, rep.Connector, rep.Error, rep.Connector, rep.Connector)
	}
	return nil
}

func (a *app) syncPlan() *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "plan NAME",
		Short: "Dry run: show what a run would create, update and delete on each side",
		Long: `Show what a run of the connector would do, per object: the records it would create, update
and delete locally and on the remote, the conflicts it would record and whether the
mass-delete guard would stop it. Both sides are read; nothing is written and no cursor moves.`,
		Args: exactArgs("NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return withConnector(a, cmd.Context(), args[0], syncBackend.Plan, func(p syncengine.Plan) error {
				return a.printAs(f.json, p, func() error { return printPlan(a.stdout, p) })
			})
		}),
	}
	f.register(cmd)
	return cmd
}

func (a *app) syncRuns() *cobra.Command {
	var (
		f     syncFlags
		limit int
	)
	cmd := &cobra.Command{
		Use:   "runs NAME",
		Short: "Show a connector's run history, newest first",
		Args:  exactArgs("NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if limit <= 0 {
				return usagef("--limit must be a positive number, got %d", limit)
			}
			get := func(b syncBackend, ctx context.Context, name string) ([]syncengine.RunReport, error) {
				return b.Runs(ctx, name, limit)
			}
			return withConnector(a, cmd.Context(), args[0], get, func(runs []syncengine.RunReport) error {
				return a.printAs(f.json, map[string]any{"runs": nonNilSlice(runs)}, func() error { return printRuns(a.stdout, runs) })
			})
		}),
	}
	f.register(cmd)
	cmd.Flags().IntVar(&limit, "limit", 20, "show at most `N` runs")
	return cmd
}

func (a *app) syncConflicts() *cobra.Command {
	var (
		f   syncFlags
		all bool
	)
	cmd := &cobra.Command{
		Use:   "conflicts NAME",
		Short: "List a connector's open conflicts (--all: every recorded conflict)",
		Long: `List the fields that both sides changed to different values, newest first, with the base
value and both values. Without --all only open conflicts are listed: those of the manual
policy, parked until both sides hold the same value. With --all the conflicts settled by a
policy are listed too, with the side that won.`,
		Args: exactArgs("NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			get := func(b syncBackend, ctx context.Context, name string) ([]syncengine.Conflict, error) {
				return b.Conflicts(ctx, name, all)
			}
			return withConnector(a, cmd.Context(), args[0], get, func(cs []syncengine.Conflict) error {
				return a.printAs(f.json, map[string]any{"conflicts": nonNilSlice(cs)}, func() error { return printConflicts(a.stdout, cs, all) })
			})
		}),
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "list settled conflicts too")
	return cmd
}

func (a *app) syncPause() *cobra.Command {
	var (
		f      syncFlags
		reason string
	)
	cmd := &cobra.Command{
		Use:     "pause NAME",
		Short:   "Stop a connector's runs until it is resumed",
		Example: "  tandem sync pause hubspot-main --reason \"remote maintenance until 14:00\"",
		Args:    exactArgs("NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			pause := func(b syncBackend, ctx context.Context, name string) (syncengine.Status, error) {
				return b.Pause(ctx, name, reason)
			}
			return withConnector(a, cmd.Context(), args[0], pause, func(st syncengine.Status) error {
				return a.printAs(f.json, st, func() error {
					_, err := fmt.Fprintf(a.stdout, "connector %s paused: %s\n", st.Connector, st.Reason)
					return err
				})
			})
		}),
	}
	f.register(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why, shown by status (default \"paused by an operator\")")
	return cmd
}

func (a *app) syncResume() *cobra.Command {
	var (
		f       syncFlags
		approve bool
	)
	cmd := &cobra.Command{
		Use:   "resume NAME",
		Short: "Let a paused connector run again",
		Long: `Let a paused connector run again. When the mass-delete guard paused it, the deletions it
held back are applied by the next run with --approve-deletes; without the flag they are
dropped: the records stay on both sides and no longer sync.`,
		Args: exactArgs("NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			// The status before says what resuming changed (the guard's held-back deletes).
			var before syncengine.Status
			resume := func(b syncBackend, ctx context.Context, name string) (syncengine.Status, error) {
				var err error
				if before, err = b.Status(ctx, name); err != nil {
					return before, err
				}
				return b.Resume(ctx, name, approve)
			}
			return withConnector(a, cmd.Context(), args[0], resume, func(st syncengine.Status) error {
				return a.printAs(f.json, st, func() error { return printResumed(a.stdout, before, st, approve) })
			})
		}),
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&approve, "approve-deletes", false, "apply the deletions the mass-delete guard held back")
	return cmd
}
