package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command failed: bad input data, a refused write, an unusable store, ...
	exitUsage = 2 // the command line itself is wrong
)

// cliSource is the source of every write made by the CLI, as property history shows it.
var cliSource = crmstore.Source{Type: crmstore.SourceCLI, Label: "tandem CLI"}

// app holds the state of one invocation: its output streams and the global flags.
type app struct {
	stdout, stderr io.Writer

	configPath string
	dataDir    string
	logLevel   string

	// ran is set once a command's RunE starts; errors before that (unknown commands, bad
	// flags, wrong argument counts) are usage errors.
	ran bool
}

// run executes the command line args (without the program name) and returns the exit code.
// It never calls os.Exit, so tests can run commands in-process.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(context.Background())
	if err == nil {
		return exitOK
	}
	return a.report(cmd, err)
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tandem",
		Short: "Tandem: a self-hosted CRM database with two-way sync",
		Long: `Tandem is a self-hosted CRM database modelled on HubSpot's CRM.

"tandem serve" runs the daemon. records, properties, schemas and migrate work directly on the
store in the data directory (--data-dir, else data_dir of --config, else ./tandem-data);
records, properties and schemas print JSON. They may run while the daemon does.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "configuration `FILE` (YAML); without it the embedded default is used")
	pf.StringVar(&a.dataDir, "data-dir", "", "data `DIR` (default: data_dir of --config, else "+config.DefaultDataDir+")")
	pf.StringVar(&a.logLevel, "log-level", "", "log `LEVEL` of serve: debug, info, warn or error (default: log.level of the config)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })

	root.AddCommand(
		a.serveCommand(),
		a.checkConfigCommand(),
		a.migrateCommand(),
		a.versionCommand(),
		a.recordsCommand(),
		a.propertiesCommand(),
		a.schemasCommand(),
		a.tokensCommand(),
		a.backupCommand(), a.restoreCommand(),
		a.exportCommand(),
		a.importCommand(),
		a.syncCommand(),
	)
	return root
}

// runE wraps a command's implementation so that errors it returns are reported as failures
// of the command rather than as usage errors.
func (a *app) runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.ran = true
		return fn(cmd, args)
	}
}

// report prints err to stderr and returns the exit code for it.
func (a *app) report(cmd *cobra.Command, err error) int {
	var ue *usageError
	if !a.ran || errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "error: %s\n", err)
		if cmd != nil {
			fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return exitUsage
	}
	var (
		ve *crmstore.ValidationError
		ce *config.Errors
	)
	switch {
	case errors.As(err, &ve) && len(ve.Errors) > 0:
		for _, pe := range ve.Errors {
			fmt.Fprintf(a.stderr, "error: %s (%s)\n", pe.Message, pe.Code)
		}
	case errors.As(err, &ce):
		for _, line := range problemLines(ce) {
			fmt.Fprintln(a.stderr, line)
		}
	default:
		fmt.Fprintf(a.stderr, "error: %s\n", err)
	}
	return exitError
}

// usageError is a mistake in the command line: a missing argument, a malformed one, ...
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// groupCommand returns a command that only holds subcommands: without arguments it prints its
// help, with an unknown subcommand it fails with a usage error.
func groupCommand(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
}

// Argument validators that name the expected arguments.

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef("%s needs %d argument(s): %s; got %d", cmd.CommandPath(), len(names), strings.Join(names, " "), len(args))
		}
		return nil
	}
}

func minArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < len(names) {
			return usagef("%s needs at least %d argument(s): %s; got %d", cmd.CommandPath(), len(names), strings.Join(names, " "), len(args))
		}
		return nil
	}
}

// loadConfig loads --config, or returns the embedded default without it.
func (a *app) loadConfig() (*config.Config, error) {
	if a.configPath == "" {
		return config.Default(), nil
	}
	return config.Load(a.configPath)
}

// resolveDataDir returns --data-dir, else data_dir of --config, else the default.
func (a *app) resolveDataDir() (string, error) {
	if a.dataDir != "" {
		return a.dataDir, nil
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return "", err
	}
	return cfg.DataDir, nil
}

// withStore opens the store, runs fn and closes the store again. It skips the whole-file
// quick check at open (the daemon runs it, and so do migrate and backup through
// withCheckedStore): reading a large store end to end would dominate every short command.
func (a *app) withStore(ctx context.Context, fn func(st *crmstore.Store) error) error {
	return a.openStore(ctx, crmstore.Options{SkipQuickCheck: true}, fn)
}

// withCheckedStore is withStore with SQLite's quick check at open, for commands whose job is
// the store's integrity (migrate, backup).
func (a *app) withCheckedStore(ctx context.Context, fn func(st *crmstore.Store) error) error {
	return a.openStore(ctx, crmstore.Options{}, fn)
}

func (a *app) openStore(ctx context.Context, opts crmstore.Options, fn func(st *crmstore.Store) error) error {
	dir, err := a.resolveDataDir()
	if err != nil {
		return err
	}
	st, err := crmstore.Open(ctx, dir, opts)
	if err != nil {
		return fmt.Errorf("cannot open the store in %s: %w", dir, err)
	}
	err = fn(st)
	if cerr := st.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close store: %w", cerr)
	}
	return err
}

// writeJSON prints v as indented JSON.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// parseID parses a numeric record id argument.
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("invalid %s %q: want a positive number", what, s)
	}
	return id, nil
}

// problemLines formats every problem of a configuration as "FILE:LINE: path: message".
func problemLines(e *config.Errors) []string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s := p.String()
		switch {
		case e.Source != "" && p.Line > 0:
			s = e.Source + ":" + s
		case e.Source != "":
			s = e.Source + ": " + s
		}
		lines[i] = s
	}
	return lines
}
