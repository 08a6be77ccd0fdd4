package main

import (
	"context"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// The daemon's hooks for the sync engine and the discovery file, called from start
// (serve.go), reload (lifecycle_reload.go) and shutdown (lifecycle.go):
//
//	start     startSync once the API listens: the engine with every configured connector,
//	          the scheduler, the /sync admin endpoints; then publishDaemonFile
//	SIGHUP    reloadSync hands the new connector list to the engine and the scheduler
//	shutdown  stopSync next to the listeners' drain: scheduling stops, running runs get
//	          the shutdown budget and are cancelled after it; the discovery file goes last

// startSync builds the sync engine on st, adds the configured connectors and starts
// scheduling them. A failure here leaves the daemon serving without sync, which the log says.
func (d *daemon) startSync(st *crmstore.Store) {
	sd, err := newSyncDaemon(st, d.metrics, d.work, d.log)
	if err != nil {
		d.log.Error("sync engine not started; connectors will not run", zap.Error(err))
		return
	}
	mountSyncAdmin(d.adm, sd, d.log.Named("admin"))
	d.sync.Store(sd)
	recoverInterruptedRuns(context.Background(), st, connectorNames(d.config().Connectors), d.log.Named("sync"))
	sd.start(d.config().Connectors)
	d.log.Info("sync engine started", zap.Strings("connectors", sd.engine.Names()))
}

// reloadSync applies the connectors of the configuration now in effect.
func (d *daemon) reloadSync() {
	if sd := d.sync.Load(); sd != nil {
		sd.apply(d.config().Connectors)
	}
}

// stopSync stops the scheduler within ctx (the shutdown budget) and closes the connectors.
func (d *daemon) stopSync(ctx context.Context) {
	if sd := d.sync.Load(); sd != nil {
		sd.stop(ctx)
	}
}

// connectorSummary is StatusInfo.ConnectorSync: the engine's view of a connector, or
// "configured" before the engine runs.
func (d *daemon) connectorSummary(ctx context.Context, name string) (state, reason string, lastRun *syncengine.RunReport) {
	sd := d.sync.Load()
	if sd == nil {
		return ConnectorStateConfigured, "", nil
	}
	return sd.connectorSummary(ctx, name)
}

// publishDaemonFile writes DATA_DIR/daemon.json, so that CLI commands on this store ask this
// daemon. Without it they would run connectors next to the daemon, so a failure is an
// error in the log, though not a reason to stop serving.
func (d *daemon) publishDaemonFile() {
	info := daemonInfo{PID: os.Getpid(), Admin: d.adm.Addr(), StartedAt: d.startedAt.UTC().Truncate(time.Second)}
	if err := writeDaemonFile(d.config().DataDir, info); err != nil {
		d.log.Error("cannot write the daemon discovery file; tandem sync commands will not find this daemon",
			zap.String("file", daemonFilePath(d.config().DataDir)), zap.Error(err))
	}
}

// unpublishDaemonFile removes the discovery file at shutdown.
func (d *daemon) unpublishDaemonFile() { removeDaemonFile(d.config().DataDir) }
