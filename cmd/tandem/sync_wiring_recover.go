package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
)

// interruptedRunError is the error recorded on a run whose process died before it finished.
const interruptedRunError = "interrupted: the process running it stopped before it finished; the next run resumes from the last committed page"

// recentRunsChecked bounds how far back in a connector's history interrupted runs are looked
// for at start-up: a process dies with at most one run of a connector in flight.
const recentRunsChecked = 20

// recoverInterruptedRuns cleans up after processes of this host that died in the middle of a
// run (a daemon killed with SIGKILL, the OOM killer, a power cut): for each connector in
// names whose run lease a dead process still holds, it releases the lease and records that
// process's unfinished runs as failed with interruptedRunError.
//
// Without it, a daemon restarted after a crash could not run the connector until the lease
// expired (two minutes), and the run history would show a run that never ends. The data
// needs no repair: cursors are committed with the pages they cover, and creates whose answer
// was lost are matched by the engine's create intents.
//
// A lease is only taken from a holder named "host:pid" on this host whose process no longer
// exists; live processes (a `tandem sync run` next to the daemon) and other hosts sharing the
// store keep theirs until it expires. Failures are logged and leave the lease to expire.
func recoverInterruptedRuns(ctx context.Context, st *crmstore.Store, names []string, log *zap.Logger) {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost" // what newSyncDaemon names this process then
	}
	for _, name := range names {
		holder, err := recoverConnector(ctx, st, name, host, time.Now())
		if err != nil {
			log.Warn("stale connector lease not recovered; it expires on its own", zap.String("connector", name), zap.Error(err))
			continue
		}
		if holder != "" {
			log.Warn("connector run interrupted by a process that died; lease released",
				zap.String("connector", name), zap.String("holder", holder))
		}
	}
}

// recoverConnector releases connector's lease when a dead process of host holds it and closes
// the runs it left open; it returns the dead holder, "" when there was nothing to recover.
func recoverConnector(ctx context.Context, st *crmstore.Store, connector, host string, now time.Time) (string, error) {
	state, err := st.GetSyncConnectorState(ctx, connector)
	if err != nil {
		return "", err
	}
	if state.LeaseHolder == "" || !deadLocalHolder(state.LeaseHolder, host) {
		return "", nil
	}
	runs, err := st.SyncRuns(ctx, connector, recentRunsChecked)
	if err != nil {
		return "", err
	}
	for _, r := range runs {
		// Only runs that started before now: a run that starts after the lease is released
		// belongs to whoever took the lease next.
		if r.Status != crmstore.SyncRunRunning || !r.StartedAt.Before(now) {
			continue
		}
		if err := st.FinishSyncRun(ctx, r.ID, crmstore.SyncRunFailed, r.Counts, interruptedRunError, now); err != nil {
			return "", fmt.Errorf("close interrupted run %d: %w", r.ID, err)
		}
	}
	if err := st.ReleaseSyncLease(ctx, connector, state.LeaseHolder); err != nil {
		return "", err
	}
	return state.LeaseHolder, nil
}

// deadLocalHolder reports whether a lease holder "host:pid" names a process of host that no
// longer exists. Holders in another form, or of another host, are never judged dead.
func deadLocalHolder(holder, host string) bool {
	i := strings.LastIndexByte(holder, ':')
	if i < 0 || holder[:i] != host {
		return false
	}
	pid, err := strconv.Atoi(holder[i+1:])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}

// connectorNames lists the names of cfgs.
func connectorNames(cfgs []config.Connector) []string {
	names := make([]string, len(cfgs))
	for i, c := range cfgs {
		names[i] = c.Name
	}
	return names
}
