package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/admin"
	"github.com/tandem-crm/tandem/internal/api"
	"github.com/tandem-crm/tandem/internal/importer"
	"github.com/tandem-crm/tandem/internal/logging"
	"github.com/tandem-crm/tandem/internal/metrics"
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
otherwise.

Signals:
  SIGHUP           reread --config; an invalid file is logged problem by problem and the
                   daemon keeps running on the previous configuration
  SIGTERM, SIGINT  stop accepting work, let running work finish within shutdown_timeout,
                   close the store and exit 0; past shutdown_timeout exit 1 and log what was
                   still running; a second SIGTERM or SIGINT exits at once with 128+signal
                   (143 or 130)

Under systemd (Type=notify) it reports READY=1, STATUS=, RELOADING=1, STOPPING=1 and
watchdog pings on $NOTIFY_SOCKET.`,
		Args: noArgs,
		RunE: a.runE(a.serve),
	}
}

// serve runs the daemon: it loads the configuration and builds the logger here, brings the
// components up in start (below), and leaves signals, reload and shutdown to run
// (lifecycle.go).
func (a *app) serve(cmd *cobra.Command, _ []string) error {
	if a.logLevel != "" {
		if _, err := logging.ParseLevel(a.logLevel); err != nil {
			return usagef("invalid --log-level %q: want debug, info, warn or error", a.logLevel)
		}
	}
	cfg, err := a.loadServeConfig()
	if err != nil {
		return err
	}
	log, level, err := newDaemonLogger(cfg, a.stderr)
	if err != nil {
		return fmt.Errorf("build logger: %w", err)
	}
	defer func() { _ = log.Sync() }() // syncing a terminal or pipe may fail harmlessly

	return newDaemon(a.configPath, cfg, a.applyServeFlags, log, level).run(cmd.Context())
}

// loadServeConfig loads --config (or the embedded default) and applies the command-line
// overrides. A file that cannot be read is reported as such; problems in its content come
// back as *config.Errors, one line each.
func (a *app) loadServeConfig() (*config.Config, error) {
	cfg, err := a.loadConfig()
	var ce *config.Errors
	switch {
	case errors.As(err, &ce):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("cannot read the configuration file %s: %w", a.configPath, errors.Unwrap(err))
	}
	a.applyServeFlags(cfg)
	return cfg, nil
}

// applyServeFlags applies --data-dir and --log-level, which take precedence over the file,
// at start-up and on every reload.
func (a *app) applyServeFlags(cfg *config.Config) {
	if a.dataDir != "" {
		cfg.DataDir = a.dataDir
	}
	if a.logLevel != "" {
		cfg.Log.Level = a.logLevel
	}
}

// newDaemonLogger builds the logger with its level in a zap.AtomicLevel, so that a reload
// can change it: the underlying logger logs everything and an increase-level core in front
// of it filters by the atomic level.
func newDaemonLogger(cfg *config.Config, w io.Writer) (*zap.Logger, zap.AtomicLevel, error) {
	lvl, err := logging.ParseLevel(cfg.Log.Level)
	if err != nil {
		return nil, zap.AtomicLevel{}, err
	}
	base, err := logging.New("debug", cfg.Log.Format, w)
	if err != nil {
		return nil, zap.AtomicLevel{}, err
	}
	level := zap.NewAtomicLevelAt(lvl)
	var wrapErr error
	log := base.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		core, err := zapcore.NewIncreaseLevelCore(c, level)
		if err != nil {
			wrapErr = err
			return c
		}
		return core
	}))
	return log, level, wrapErr
}

// start brings the daemon up in dependency order. Each step fails fast with a message that
// says what to fix; on failure the steps already done are undone. ctx is cancelled by the
// first SIGTERM or SIGINT, so a signal during a slow store open stops start-up.
func (d *daemon) start(ctx context.Context) error {
	cfg := d.config()

	// The admin listener is bound first, so that a port in use fails before anything else;
	// /readyz answers 503 until the store is open.
	d.adm = admin.New(admin.Options{
		Listen:          cfg.Admin.Listen,
		Token:           cfg.Admin.Token,
		Logger:          d.log.Named("admin"),
		Ready:           d.storeReady,
		ShutdownTimeout: cfg.ShutdownTimeout,
	})
	if err := d.adm.Start(context.Background()); err != nil { // stopped by shutdown, not by ctx
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s for the admin endpoint: the address is already in use; stop the process using it or change admin.listen in the configuration", cfg.Admin.Listen)
		}
		return fmt.Errorf("cannot start the admin endpoint: %w", err)
	}

	d.setStatus("opening store in " + cfg.DataDir)
	st, err := crmstore.Open(ctx, cfg.DataDir, crmstore.Options{BusyTimeout: storeBusyTimeout})
	if err != nil {
		d.stopQuietly(d.adm.Stop)
		return storeOpenError(cfg.DataDir, err)
	}
	d.store.Store(st)
	d.mountAdminEndpoints(d.adm, st)

	d.api = api.New(st, api.Options{
		Listen:          cfg.API.Listen,
		MaxBodyBytes:    cfg.API.MaxBodyBytes,
		MaxImportBytes:  cfg.API.MaxImportBytes,
		RequestsPer10s:  effectiveRate(cfg),
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          d.log.Named("api"),
		Observer:        d.metrics.ObserveAPIRequest,
	})
	d.imp = importer.New(st, filepath.Join(cfg.DataDir, "imports"), d.log.Named("importer"))
	if _, err := d.imp.Recover(ctx); err != nil { // it logs what it marks itself
		d.log.Warn("cannot recover interrupted imports", zap.Error(err))
	}
	d.api.SetImporter(d.imp)
	if err := d.api.Start(context.Background()); err != nil {
		d.stopQuietly(d.adm.Stop)
		_ = st.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s for the API: the address is already in use; stop the process using it or change api.listen in the configuration", cfg.API.Listen)
		}
		return fmt.Errorf("cannot start the API: %w", err)
	}
	d.startSync(st)
	d.publishDaemonFile()
	return nil
}

// mountAdminEndpoints mounts the token-protected admin endpoints (metrics, status, connector
// control) once the store is open. The admin server is already listening: until now those
// paths answered 404 behind the token. d.configInfo reports the configuration in effect,
// reloads included; d.startedAt is when the daemon started.
func (d *daemon) mountAdminEndpoints(adm *admin.Server, st *crmstore.Store) {
	d.metrics = metrics.New(metrics.Options{Version: version, Logger: d.log.Named("metrics")})
	mountAdmin(adm, st, d.metrics, StatusInfo{Started: d.startedAt, Config: d.configInfo, ConnectorSync: d.connectorSummary})
	d.mountTestHooks(adm) // only in binaries built with -tags tandem_testhooks
}

// storeBusyTimeout is how long opening the store waits for a lock held by another process
// before start-up fails.
const storeBusyTimeout = 5 * time.Second

// storeOpenError says why the store could not be opened, naming the database file.
func storeOpenError(dataDir string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	file := filepath.Join(dataDir, crmstore.DatabaseFile)
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("cannot open the store in %s: the database %s is locked by another process (waited %s); stop the process holding it (another tandem serve, a long-running tandem command, an sqlite3 shell) and start again: %w",
				dataDir, file, storeBusyTimeout, err)
		case sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
			return fmt.Errorf("cannot open the store in %s: the database %s is corrupt or not a Tandem database; restore it from a backup: %w", dataDir, file, err)
		}
	}
	return fmt.Errorf("cannot open the store in %s: %w", dataDir, err)
}
