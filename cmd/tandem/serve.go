package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/admin"
	"github.com/tandem-crm/tandem/internal/api"
	"github.com/tandem-crm/tandem/internal/logging"
)

func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the Tandem daemon until SIGINT or SIGTERM",
		Long: `Run the Tandem daemon: open the store in the data directory, serve the
HubSpot-compatible REST API and the admin endpoint (/healthz and /readyz) until SIGINT or
SIGTERM, then shut down gracefully.

Without --config it runs on the embedded default: data in ./tandem-data, API on
127.0.0.1:8080, admin on 127.0.0.1:9090. API requests need a token made with
"tandem tokens create". Logs go to stderr: JSON when stderr is not a terminal, console
otherwise.`,
		Args: noArgs,
		RunE: a.runE(a.serve),
	}
}

func (a *app) serve(cmd *cobra.Command, _ []string) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if a.dataDir != "" {
		cfg.DataDir = a.dataDir
	}
	level := cfg.Log.Level
	if a.logLevel != "" {
		if _, err := logging.ParseLevel(a.logLevel); err != nil {
			return usagef("invalid --log-level %q: want debug, info, warn or error", a.logLevel)
		}
		level = a.logLevel
	}
	log, err := logging.New(level, cfg.Log.Format, a.stderr)
	if err != nil {
		return fmt.Errorf("build logger: %w", err)
	}
	defer func() { _ = log.Sync() }() // syncing a terminal or pipe may fail harmlessly

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The admin listener is bound before the store is opened, so that a port in use fails
	// at once; /readyz answers 503 until the store is open.
	var store atomic.Pointer[crmstore.Store]
	adm := admin.New(admin.Options{
		Listen: cfg.Admin.Listen,
		Token:  cfg.Admin.Token,
		Logger: log.Named("admin"),
		Ready: func(ctx context.Context) error {
			st := store.Load()
			if st == nil {
				return errors.New("store not open yet")
			}
			return st.Ping(ctx)
		},
		ShutdownTimeout: cfg.ShutdownTimeout,
	})
	if err := adm.Start(ctx); err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s for the admin endpoint: the address is already in use; stop the process using it or change admin.listen in the configuration", cfg.Admin.Listen)
		}
		return err
	}

	st, err := crmstore.Open(ctx, cfg.DataDir, crmstore.Options{})
	if err != nil {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		_ = adm.Stop(stopCtx)
		if ctx.Err() != nil { // stopped by a signal while opening
			log.Info("tandem stopped before the store was open")
			return nil
		}
		return fmt.Errorf("cannot open the store in %s: %w", cfg.DataDir, err)
	}
	store.Store(st)

	rate := 0
	if cfg.API.RateLimit.Enabled {
		rate = cfg.API.RateLimit.RequestsPer10s
	}
	apiSrv := api.New(st, api.Options{
		Listen:          cfg.API.Listen,
		MaxBodyBytes:    cfg.API.MaxBodyBytes,
		RequestsPer10s:  rate,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          log.Named("api"),
	})
	if err := apiSrv.Start(ctx); err != nil {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		_ = adm.Stop(stopCtx)
		_ = st.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s for the API: the address is already in use; stop the process using it or change api.listen in the configuration", cfg.API.Listen)
		}
		return err
	}

	configFile := a.configPath
	if configFile == "" {
		configFile = "(embedded default)"
	}
	schema, err := st.MigrationVersion(ctx)
	if err != nil {
		log.Warn("cannot read the store's migration version", zap.Error(err))
	}
	log.Info("tandem started",
		zap.String("version", version),
		zap.String("api_addr", apiSrv.Addr()),
		zap.String("admin_addr", adm.Addr()),
		zap.String("data_dir", cfg.DataDir),
		zap.String("database", st.Path()),
		zap.Int("migration_version", schema),
		zap.String("config", configFile),
	)

	// Both servers stop when ctx ends; if one fails on its own, stop the other.
	waited := make(chan error, 2)
	go func() { waited <- adm.Wait() }()
	go func() { waited <- apiSrv.Wait() }()
	select {
	case <-ctx.Done():
		log.Info("shutting down", zap.NamedError("reason", context.Cause(ctx)), zap.Duration("timeout", cfg.ShutdownTimeout))
		err = errors.Join(<-waited, <-waited)
	case err = <-waited:
		stop()
		err = errors.Join(err, <-waited)
	}
	stop()

	if cerr := st.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
	}
	if err != nil {
		log.Error("tandem stopped with an error", zap.Error(err))
		return err
	}
	log.Info("tandem stopped")
	return nil
}
