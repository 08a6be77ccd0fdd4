package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/admin"
	"github.com/tandem-crm/tandem/internal/api"
	"github.com/tandem-crm/tandem/internal/importer"
	"github.com/tandem-crm/tandem/internal/metrics"
	"github.com/tandem-crm/tandem/internal/sdnotify"
)

// The daemon's life, as `tandem serve` runs it:
//
//	start     admin listener → store → API listener (serve.go); a failure exits 1 at once
//	ready     READY=1 only once the store is open and both listeners accept; watchdog pings
//	          begin and continue only while the store answers
//	SIGHUP    RELOADING=1, reread the file, apply what can change at run time, READY=1
//	SIGTERM   STOPPING=1; refuse new work, drain the listeners and the work group within
//	SIGINT    shutdown_timeout, close the store, exit 0 — or, past the budget, log what is
//	          still running and exit 1 (errShutdownBudget)
//	2nd signal exit at once with 128+signal; SQLite has every committed transaction in its
//	          WAL, so nothing committed is lost
//
// Exit codes: 0 clean stop; 1 start-up failure, a listener failure or the shutdown budget
// exceeded; 130 (SIGINT) or 143 (SIGTERM) for a second signal during shutdown.

// errShutdownBudget is returned when work was still running when shutdown_timeout ran out.
var errShutdownBudget = errors.New("shutdown budget exceeded")

// daemon is the running state of `tandem serve`.
type daemon struct {
	log        *zap.Logger
	level      zap.AtomicLevel      // the log level; a reload changes it
	notify     *sdnotify.Notifier   // no-op outside systemd
	file       string               // the configuration file; "" for the embedded default
	applyFlags func(*config.Config) // command-line overrides, applied on every load
	work       *workGroup
	startedAt  time.Time

	current atomic.Pointer[loadedConfig] // the configuration in effect
	reloads chan struct{}                // one pending SIGHUP; more coalesce into it

	store   atomic.Pointer[crmstore.Store] // nil until open
	adm     *admin.Server
	api     *api.Server
	metrics *metrics.Registry
	imp     *importer.Importer         // the imports API's importer; nil until start
	sync    atomic.Pointer[syncDaemon] // the sync engine; nil until start (sync_wiring_lifecycle.go)

	statusMu   sync.Mutex
	lastReload string // how the last reload went, for STATUS=
}

// loadedConfig is the configuration in effect: the file's content with the command-line
// overrides, except for the keys that need a restart, which keep their values from start-up.
type loadedConfig struct {
	*config.Config
	LoadedAt time.Time
}

func newDaemon(file string, cfg *config.Config, applyFlags func(*config.Config), log *zap.Logger, level zap.AtomicLevel) *daemon {
	d := &daemon{
		log:        log,
		level:      level,
		notify:     sdnotify.New(),
		file:       file,
		applyFlags: applyFlags,
		work:       newWorkGroup(),
		startedAt:  time.Now(),
		reloads:    make(chan struct{}, 1),
	}
	d.current.Store(&loadedConfig{Config: cfg, LoadedAt: d.startedAt})
	return d
}

// config returns the configuration in effect. Treat it as read-only: a reload replaces it.
func (d *daemon) config() *config.Config { return d.current.Load().Config }

// configInfo returns the configuration in effect (its Connectors are the connectors the
// sync engine is to run), its file ("" for the embedded default) and when it was loaded. It is
// safe for concurrent use; /admin/status reports it (StatusInfo.Config).
func (d *daemon) configInfo() (cfg *config.Config, file string, loadedAt time.Time) {
	lc := d.current.Load()
	return lc.Config, d.file, lc.LoadedAt
}

// storeReady is the readiness probe: the store is open and answers.
func (d *daemon) storeReady(ctx context.Context) error {
	st := d.store.Load()
	if st == nil {
		return errors.New("store not open yet")
	}
	return st.Ping(ctx)
}

// run starts the daemon, serves until a signal or a listener failure, and shuts down.
func (d *daemon) run(parent context.Context) error {
	// A write to stderr after journald restarts would otherwise kill the process with
	// SIGPIPE (systemd issue #11247; caddy ignores it for the same reason).
	signal.Ignore(syscall.SIGPIPE)
	ctx, stopSignals := d.handleSignals(parent)
	defer stopSignals()
	defer func() { _ = d.notify.Close() }()

	d.setStatus("starting")
	if err := d.start(ctx); err != nil {
		if ctx.Err() != nil {
			d.log.Info("tandem stopped before it had started", zap.NamedError("reason", context.Cause(ctx)))
			return nil
		}
		return err
	}

	cfg := d.config()
	st := d.store.Load()
	schema, err := st.MigrationVersion(ctx)
	if err != nil {
		d.log.Warn("cannot read the store's migration version", zap.Error(err))
	}
	file := d.file
	if file == "" {
		file = "(embedded default)"
	}
	d.log.Info("tandem started",
		zap.String("version", version),
		zap.String("api_addr", d.api.Addr()),
		zap.String("admin_addr", d.adm.Addr()),
		zap.String("data_dir", cfg.DataDir),
		zap.String("database", st.Path()),
		zap.Int("migration_version", schema),
		zap.String("config", file),
		zap.Duration("shutdown_timeout", cfg.ShutdownTimeout),
	)

	watchdogCtx, stopWatchdog := context.WithCancel(context.Background())
	watchdogDone := d.startWatchdog(watchdogCtx)
	stopWatchdogAndWait := func() { stopWatchdog(); <-watchdogDone }
	defer stopWatchdogAndWait()

	d.ready()

	// A server that stops on its own has failed (its listener broke).
	failed := make(chan error, 2)
	go func() { failed <- serverStopped("admin", d.adm.Wait()) }()
	go func() { failed <- serverStopped("api", d.api.Wait()) }()
	for {
		select {
		case <-ctx.Done():
			return d.shutdown(context.Cause(ctx), nil, stopWatchdogAndWait)
		case <-d.reloads:
			d.reload()
		case err := <-failed:
			d.log.Error("a listener failed; shutting down", zap.Error(err))
			return d.shutdown(err, err, stopWatchdogAndWait)
		}
	}
}

// serverStopped turns a server's Wait result into the error of a server that stopped while
// the daemon was running.
func serverStopped(name string, err error) error {
	if err == nil {
		err = errors.New("stopped unexpectedly")
	}
	return fmt.Errorf("%s server: %w", name, err)
}

// handleSignals routes signals for the daemon's whole life. The returned context is
// cancelled, with the signal as its cause, by the first SIGTERM or SIGINT; a second one exits
// the process at once. SIGHUP queues a reload. The returned func stops the routing.
func (d *daemon) handleSignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		stopping := false
		for {
			var sig os.Signal
			select {
			case <-done:
				return
			case sig = <-sigs:
			}
			name := signalName(sig)
			switch {
			case sig == syscall.SIGHUP && stopping:
				d.log.Info("signal received", zap.String("signal", name), zap.String("action", "ignored: shutting down"))
			case sig == syscall.SIGHUP:
				d.log.Info("signal received", zap.String("signal", name), zap.String("action", "reload configuration"))
				select {
				case d.reloads <- struct{}{}:
				default: // a reload is already pending; it will read the file as it is then
				}
			case !stopping:
				stopping = true
				d.log.Info("signal received", zap.String("signal", name), zap.String("action", "shut down gracefully"))
				cancel(fmt.Errorf("received %s", name))
			default:
				code := 128 + int(sig.(syscall.Signal))
				d.log.Error("signal received again; exiting at once without waiting for running work",
					zap.String("signal", name), zap.Int("exit_code", code), zap.Strings("still_running", d.describeRunning()))
				_ = d.log.Sync()
				os.Exit(code)
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// startWatchdog sends WATCHDOG=1 at half of $WATCHDOG_USEC while the store answers, until
// ctx ends. The returned channel is closed when it has stopped.
func (d *daemon) startWatchdog(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	interval, err := sdnotify.WatchdogInterval()
	if err != nil {
		d.log.Warn("systemd watchdog disabled", zap.Error(err))
	}
	if err != nil || interval <= 0 || !d.notify.Enabled() {
		close(done)
		return done
	}
	d.log.Info("systemd watchdog enabled", zap.Duration("ping_interval", interval))
	go func() {
		defer close(done)
		d.notify.KeepAlive(ctx, interval, d.storeReady, func(err error) {
			d.log.Warn("watchdog ping skipped: the store does not answer", zap.Error(err))
		})
	}()
	return done
}

// ready tells systemd the daemon is (again) ready, with what it is serving.
func (d *daemon) ready() {
	if err := d.notify.Ready(d.servingStatus()); err != nil {
		d.log.Warn("cannot notify systemd", zap.Error(err))
	}
}

// setStatus sets the STATUS= line.
func (d *daemon) setStatus(s string) {
	if err := d.notify.Status(s); err != nil {
		d.log.Warn("cannot notify systemd", zap.Error(err))
	}
}

func (d *daemon) servingStatus() string {
	s := fmt.Sprintf("serving API on %s, admin on %s", d.api.Addr(), d.adm.Addr())
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	if d.lastReload != "" {
		s += "; " + d.lastReload
	}
	return s
}

// shutdown stops the daemon within the shutdown budget: it refuses new work, drains both
// listeners and the work group, stops the watchdog and closes the store. cause is why it
// stops; failure, if not nil, is returned (a listener that failed). Past the budget it logs
// what is still running and returns errShutdownBudget without closing the store: every
// committed transaction is in the WAL, and the next open recovers it.
func (d *daemon) shutdown(cause, failure error, stopWatchdog func()) error {
	budget := d.config().ShutdownTimeout
	if cause == nil {
		cause = errors.New("stopped")
	}
	if err := d.notify.Stopping("shutting down: " + cause.Error()); err != nil {
		d.log.Warn("cannot notify systemd", zap.Error(err))
	}
	d.log.Info("shutting down", zap.NamedError("reason", cause), zap.Duration("timeout", budget))
	defer d.unpublishDaemonFile()
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()

	// Refuse new work; long work sees Stopping and returns at its next checkpoint.
	d.work.Close()
	var (
		wg             sync.WaitGroup
		apiErr, admErr error
		stillRunning   []workItem
	)
	wg.Go(func() { apiErr = d.api.Stop(ctx) })
	wg.Go(func() { admErr = d.adm.Stop(ctx) })
	wg.Go(func() { stillRunning = d.work.Wait(ctx) })
	wg.Go(func() { d.stopSync(ctx) })
	wg.Wait()
	if d.imp != nil {
		d.imp.Close() // the API has stopped: no request can start an import any more
	}

	// A server that could not drain in time reports a deadline error (its requests were cut).
	apiCut := errors.Is(apiErr, context.DeadlineExceeded)
	admCut := errors.Is(admErr, context.DeadlineExceeded)
	if len(stillRunning) > 0 || apiCut || admCut {
		now := time.Now()
		var running []string
		for _, it := range stillRunning {
			running = append(running, it.describe(now))
		}
		if apiCut {
			running = append(running, "api: requests in flight")
		}
		if admCut {
			running = append(running, "admin: requests in flight")
		}
		d.log.Error("shutdown budget exceeded; exiting with work still running",
			zap.Duration("timeout", budget), zap.Strings("still_running", running))
		return fmt.Errorf("%w (shutdown_timeout %s); still running: %s", errShutdownBudget, budget, strings.Join(running, ", "))
	}

	stopWatchdog()
	err := failure
	for _, e := range []error{apiErr, admErr} {
		if e != nil && !errors.Is(failure, e) {
			err = errors.Join(err, e)
		}
	}
	if st := d.store.Load(); st != nil {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}
	if err != nil {
		d.log.Error("tandem stopped with an error", zap.Error(err))
		return err
	}
	d.log.Info("tandem stopped")
	return nil
}

// describeRunning lists the work running now, for log lines.
func (d *daemon) describeRunning() []string {
	now := time.Now()
	var out []string
	for _, it := range d.work.Running() {
		out = append(out, it.describe(now))
	}
	return out
}

// stopQuietly stops a component that failed start-up left behind, within a short bound.
func (d *daemon) stopQuietly(stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = stop(ctx)
}
