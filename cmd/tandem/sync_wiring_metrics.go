package main

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/internal/metrics"
	"github.com/tandem-crm/tandem/syncengine"
)

// syncObserver reports the engine's runs to the connector metrics.
type syncObserver struct {
	reg *metrics.Registry
	// refresh asks for the quarantine and lag gauges to be read again (without waiting).
	refresh func()
}

// runOutcomes maps a run's status to the outcome label of the runs counter. A paused run
// is one the mass-delete guard stopped.
var runOutcomes = map[string]string{
	syncengine.RunSucceeded: metrics.OutcomeSuccess,
	syncengine.RunPartial:   metrics.OutcomePartial,
	syncengine.RunFailed:    metrics.OutcomeFailure,
	syncengine.RunPaused:    metrics.OutcomeAborted,
}

// RunFinished counts the run, its records and its conflicts.
func (o syncObserver) RunFinished(connector string, r syncengine.RunReport) {
	outcome, ok := runOutcomes[r.Status]
	if !ok {
		outcome = r.Status // counted as "other" by the registry
	}
	o.reg.ConnectorRun(connector, outcome, r.FinishedAt.Sub(r.StartedAt))
	o.reg.RecordsPulled(connector, int(r.Pulled))
	o.reg.RecordsPushed(connector, int(r.Pushed))
	o.reg.Conflicts(connector, int(r.Conflicts))
	if o.refresh != nil {
		o.refresh()
	}
}

// RateLimited counts a wait for the remote's rate limit.
func (o syncObserver) RateLimited(connector string, wait time.Duration) {
	o.reg.RateLimitWait(connector, wait)
}

// syncGaugesInterval is how often the quarantine and lag gauges are read from the store when
// no run asks for it sooner: lag grows while nothing runs.
const syncGaugesInterval = 15 * time.Second

// syncGauges keeps the per-connector quarantine and lag gauges current: after every run and
// every syncGaugesInterval. Reading them takes a few queries per connector, too slow for the
// engine's observer, which runs inside the run.
type syncGauges struct {
	reg    *metrics.Registry
	log    *zap.Logger
	engine *syncengine.Engine

	kick   chan struct{} // capacity 1: a refresh is wanted
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func newSyncGauges(reg *metrics.Registry, log *zap.Logger) *syncGauges {
	return &syncGauges{reg: reg, log: log, kick: make(chan struct{}, 1), done: make(chan struct{})}
}

// refresh asks for the gauges to be read again soon.
func (g *syncGauges) refresh() {
	select {
	case g.kick <- struct{}{}:
	default: // one is pending already
	}
}

// start runs the refresher until stop.
func (g *syncGauges) start() {
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	go func() {
		defer close(g.done)
		t := time.NewTicker(syncGaugesInterval)
		defer t.Stop()
		for {
			g.update(ctx)
			select {
			case <-ctx.Done():
				return
			case <-g.kick:
			case <-t.C:
			}
		}
	}()
}

// stop ends the refresher and waits for it. It may be called without start.
func (g *syncGauges) stop() {
	g.once.Do(func() {
		if g.cancel == nil {
			close(g.done)
			return
		}
		g.cancel()
	})
	<-g.done
}

// update reads every connector's status into the gauges.
func (g *syncGauges) update(ctx context.Context) {
	sts, err := g.engine.Statuses(ctx)
	if err != nil {
		if ctx.Err() == nil {
			g.log.Warn("cannot read connector status for metrics", zap.Error(err))
		}
		return
	}
	for _, st := range sts {
		g.reg.SetQuarantined(st.Connector, int(st.Quarantined))
		g.reg.SetLag(st.Connector, time.Duration(st.LagSeconds*float64(time.Second)))
	}
}
