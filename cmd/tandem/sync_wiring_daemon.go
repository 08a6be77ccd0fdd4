package main

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"sync"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/metrics"
	"github.com/tandem-crm/tandem/syncengine"
	"github.com/tandem-crm/tandem/syncengine/schedule"
)

// syncDaemon is the daemon's sync engine, its scheduler and the connectors they run. It is
// safe for concurrent use: the admin endpoints read it while a reload changes it.
type syncDaemon struct {
	log    *zap.Logger
	engine *syncengine.Engine
	sched  *schedule.Scheduler
	gauges *syncGauges

	mu      sync.Mutex
	running map[string]builtConnector // connectors in the engine
	failed  map[string]string         // configured connectors that could not start: why
}

// builtConnector is a connector in the engine with the configuration it was built from.
type builtConnector struct {
	cfg  config.Connector
	conn connectors.Connector
}

// Connector states of /admin/status beyond the engine's.
const (
	// connectorStateUnavailable: the connector is configured but could not be built (an
	// unknown type, a bad option); the reason says why.
	connectorStateUnavailable = "unavailable"
)

// newSyncDaemon builds the engine and the scheduler on st. Runs report to reg and join work,
// so that shutdown waits for them. Nothing runs until apply.
func newSyncDaemon(st *crmstore.Store, reg *metrics.Registry, work *workGroup, log *zap.Logger) (*syncDaemon, error) {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	gauges := newSyncGauges(reg, log.Named("sync"))
	engine, err := syncengine.New(syncengine.Options{
		Store:    st,
		Logger:   log.Named("sync"),
		Observer: syncObserver{reg: reg, refresh: gauges.refresh},
		Holder:   fmt.Sprintf("%s:%d", host, os.Getpid()),
	})
	if err != nil {
		return nil, fmt.Errorf("build sync engine: %w", err)
	}
	gauges.engine = engine
	sched, err := schedule.New(schedule.Options{
		Runner:  engine,
		Changes: st,
		Logger:  log.Named("sync.schedule"),
		Join:    work.Join,
		Skipped: func(name string) { reg.ConnectorRun(name, metrics.OutcomeSkipped, 0) },
	})
	if err != nil {
		return nil, fmt.Errorf("build sync scheduler: %w", err)
	}
	return &syncDaemon{
		log: log.Named("sync"), engine: engine, sched: sched, gauges: gauges,
		running: map[string]builtConnector{}, failed: map[string]string{},
	}, nil
}

// start begins scheduling cfgs and refreshing the connector gauges.
func (s *syncDaemon) start(cfgs []config.Connector) {
	s.apply(cfgs)
	s.gauges.start()
}

// apply makes cfgs the connectors that run: new ones are built and added, changed ones
// rebuilt and replaced, removed ones taken out; unchanged ones keep running undisturbed. A
// connector that cannot be built is logged with its name and error and left out; the others
// run. A replaced connector is closed once the run still using it has ended.
func (s *syncDaemon) apply(cfgs []config.Connector) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := map[string]bool{}
	for _, c := range cfgs {
		keep[c.Name] = true
		old, ok := s.running[c.Name]
		if ok && reflect.DeepEqual(old.cfg, c) {
			continue
		}
		if ok {
			s.retire(c.Name, old)
		}
		if err := s.add(c); err != nil {
			s.failed[c.Name] = err.Error()
			s.log.Error("connector not started", zap.String("connector", c.Name), zap.String("type", c.Type), zap.Error(err))
			continue
		}
		delete(s.failed, c.Name)
	}
	for name, old := range s.running {
		if !keep[name] {
			s.retire(name, old)
		}
	}
	for name := range s.failed {
		if !keep[name] {
			delete(s.failed, name)
		}
	}
	specs := make([]schedule.Spec, 0, len(s.running))
	for _, b := range s.running {
		specs = append(specs, scheduleSpec(b.cfg))
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	if err := s.sched.Set(specs); err != nil {
		// config validated the cron expressions, so this is a stopped scheduler at shutdown.
		s.log.Warn("connector schedules not applied", zap.Error(err))
	}
	s.gauges.refresh()
}

// add builds connector c and adds it to the engine. The caller holds s.mu.
func (s *syncDaemon) add(c config.Connector) error {
	if problems := checkMappings("connector "+c.Name, c); len(problems) > 0 {
		return fmt.Errorf("invalid field mappings: %w", problemsError(problems))
	}
	conn, err := buildConnector(c, s.log)
	if err != nil {
		return err
	}
	if err := s.engine.Add(syncSpec(c), conn); err != nil {
		_ = conn.Close() // never used
		return fmt.Errorf("add connector %s to the sync engine: %w", c.Name, err)
	}
	s.running[c.Name] = builtConnector{cfg: c, conn: conn}
	return nil
}

// retire takes a connector out of the engine and closes it once no run uses it. The caller
// holds s.mu.
func (s *syncDaemon) retire(name string, b builtConnector) {
	s.engine.Remove(name)
	delete(s.running, name)
	s.sched.WhenIdle(name, func() {
		if err := b.conn.Close(); err != nil {
			s.log.Warn("close connector", zap.String("connector", name), zap.Error(err))
		}
	})
}

// stop stops scheduling, waits for the runs in flight until ctx ends and cancels them
// after, then closes the connectors. A run cancelled past the budget is also reported by the
// work group, which names it.
func (s *syncDaemon) stop(ctx context.Context) {
	if err := s.sched.Stop(ctx); err != nil {
		s.log.Warn("sync runs did not finish within the shutdown budget", zap.Error(err))
	}
	s.gauges.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, b := range s.running {
		if err := b.conn.Close(); err != nil {
			s.log.Warn("close connector", zap.String("connector", name), zap.Error(err))
		}
		delete(s.running, name)
	}
}

// notRunning returns why a configured connector is not in the engine, "" when it is or is
// not configured.
func (s *syncDaemon) notRunning(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed[name]
}

// connectorSummary is a connector's state, the reason for it and its last run, for
// /admin/status.
func (s *syncDaemon) connectorSummary(ctx context.Context, name string) (state, reason string, lastRun *syncengine.RunReport) {
	if why := s.notRunning(name); why != "" {
		return connectorStateUnavailable, why, nil
	}
	st, err := s.engine.Status(ctx, name)
	if err != nil {
		// Not added yet (a reload in progress) or the store failed: report what is known.
		return ConnectorStateConfigured, err.Error(), nil
	}
	return st.State, st.Reason, st.LastRun
}
