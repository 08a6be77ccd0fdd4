package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/syncengine"
)

// syncBackend is what the `tandem sync` commands ask of the sync engine. Two implementations
// exist so that every command is written once: localSync runs the engine in this process on
// the store, adminSync asks the daemon that runs on the store through its admin endpoint (so
// a connector is never run by two processes at once; the engine's lease guards that too).
//
// Errors for a connector that does not exist, is paused or is busy wrap
// syncengine.ErrUnknownConnector, ErrPaused and ErrBusy in both implementations.
type syncBackend interface {
	// Names lists the configured connectors, sorted.
	Names(ctx context.Context) ([]string, error)
	// Statuses reports every connector, sorted by name.
	Statuses(ctx context.Context) ([]syncengine.Status, error)
	// Status reports one connector.
	Status(ctx context.Context, name string) (syncengine.Status, error)
	// Runs returns the connector's newest runs, newest first.
	Runs(ctx context.Context, name string, limit int) ([]syncengine.RunReport, error)
	// Run runs the connector now. A run that started returns its report and no error, also
	// when it failed (Status says so); the error is for runs that did not start.
	Run(ctx context.Context, name string, full bool) (syncengine.RunReport, error)
	// Plan is a dry run that writes nothing.
	Plan(ctx context.Context, name string) (syncengine.Plan, error)
	// Pause stops the connector's runs and returns its new status.
	Pause(ctx context.Context, name, reason string) (syncengine.Status, error)
	// Resume lets the connector run again and returns its new status.
	Resume(ctx context.Context, name string, approveDeletes bool) (syncengine.Status, error)
	// Conflicts lists the connector's open conflicts, or all of them, newest first.
	Conflicts(ctx context.Context, name string, all bool) ([]syncengine.Conflict, error)
	// Quarantine lists the connector's quarantined records, oldest first.
	Quarantine(ctx context.Context, name string, limit int) ([]syncengine.QuarantineEntry, error)
	// Replay retries quarantined records (all when ids is empty) as a run, reported like Run.
	Replay(ctx context.Context, name string, ids []int64) (syncengine.RunReport, error)
	// Close releases what the backend holds (the store, connectors, idle connections).
	Close() error
}

// localSync is the backend without a daemon: the engine runs in this process. Connectors
// that could not be built are listed in unavailable, by name with the reason.
type localSync struct {
	eng         *syncengine.Engine
	conns       []connectors.Connector
	unavailable map[string]string
	closeStore  func() error
}

var _ syncBackend = (*localSync)(nil)

func (l *localSync) Names(context.Context) ([]string, error) {
	names := l.eng.Names()
	for n := range l.unavailable {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func (l *localSync) Statuses(ctx context.Context) ([]syncengine.Status, error) {
	sts, err := l.eng.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	sts = append(sts, l.unavailableStatuses()...)
	sortStatuses(sts)
	return sts, nil
}

func (l *localSync) Status(ctx context.Context, name string) (syncengine.Status, error) {
	if reason, ok := l.unavailable[name]; ok {
		return syncengine.Status{Connector: name, State: connectorStateUnavailable, Reason: reason}, nil
	}
	return l.eng.Status(ctx, name)
}

func (l *localSync) Runs(ctx context.Context, name string, limit int) ([]syncengine.RunReport, error) {
	if err := l.checkAvailable(name); err != nil {
		return nil, err
	}
	return l.eng.Runs(ctx, name, limit)
}

func (l *localSync) Run(ctx context.Context, name string, full bool) (syncengine.RunReport, error) {
	if err := l.checkAvailable(name); err != nil {
		return syncengine.RunReport{}, err
	}
	return recordedRun(l.eng.Run(ctx, name, syncengine.RunOptions{Full: full, Trigger: syncengine.TriggerManual}))
}

func (l *localSync) Plan(ctx context.Context, name string) (syncengine.Plan, error) {
	if err := l.checkAvailable(name); err != nil {
		return syncengine.Plan{}, err
	}
	return l.eng.Plan(ctx, name)
}

func (l *localSync) Pause(ctx context.Context, name, reason string) (syncengine.Status, error) {
	if err := l.checkAvailable(name); err != nil {
		return syncengine.Status{}, err
	}
	if err := l.eng.Pause(ctx, name, reason); err != nil {
		return syncengine.Status{}, err
	}
	return l.eng.Status(ctx, name)
}

func (l *localSync) Resume(ctx context.Context, name string, approveDeletes bool) (syncengine.Status, error) {
	if err := l.checkAvailable(name); err != nil {
		return syncengine.Status{}, err
	}
	if err := l.eng.Resume(ctx, name, approveDeletes); err != nil {
		return syncengine.Status{}, err
	}
	return l.eng.Status(ctx, name)
}

func (l *localSync) Conflicts(ctx context.Context, name string, all bool) ([]syncengine.Conflict, error) {
	if err := l.checkAvailable(name); err != nil {
		return nil, err
	}
	return l.eng.Conflicts(ctx, name, syncengine.ConflictQuery{Open: !all})
}

func (l *localSync) Quarantine(ctx context.Context, name string, limit int) ([]syncengine.QuarantineEntry, error) {
	if err := l.checkAvailable(name); err != nil {
		return nil, err
	}
	return l.eng.Quarantine(ctx, name, limit)
}

func (l *localSync) Replay(ctx context.Context, name string, ids []int64) (syncengine.RunReport, error) {
	if err := l.checkAvailable(name); err != nil {
		return syncengine.RunReport{}, err
	}
	return recordedRun(l.eng.Replay(ctx, name, ids))
}

// recordedRun turns the engine's (report, error) of a run into the backend's contract: a run
// that was recorded as failed is a report (its Error says why), not an error. An error with
// a report that did not fail means the run's bookkeeping failed; that stays an error.
func recordedRun(rep syncengine.RunReport, err error) (syncengine.RunReport, error) {
	switch {
	case err == nil:
		return rep, nil
	case rep.ID != 0 && rep.Status == syncengine.RunFailed:
		return rep, nil
	case rep.ID != 0:
		return syncengine.RunReport{}, fmt.Errorf("run %d of %s ended %s but was not recorded completely: %w", rep.ID, rep.Connector, rep.Status, err)
	default:
		return syncengine.RunReport{}, err
	}
}

// errNoSuchConnector reports whether err says a connector does not exist.
func errNoSuchConnector(err error) bool { return errors.Is(err, syncengine.ErrUnknownConnector) }
