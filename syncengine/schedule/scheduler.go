package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// ErrStopped is returned by Set, Run and Replay once the scheduler is stopping: the work
// must not start.
var ErrStopped = errors.New("scheduler stopped")

// Defaults for the zero values of Options.
const (
	DefaultPollInterval = 250 * time.Millisecond
	DefaultQuiet        = time.Second
	DefaultMaxWait      = 3 * time.Second
	// DefaultBusyRetry is how long a due reconciliation waits before trying again when
	// another process holds the connector's lease.
	DefaultBusyRetry = time.Minute
	// DefaultCancelGrace bounds how long Stop waits for cancelled runs to return.
	DefaultCancelGrace = 5 * time.Second
)

// Runner runs connectors; *syncengine.Engine implements it.
type Runner interface {
	Run(ctx context.Context, name string, opts syncengine.RunOptions) (syncengine.RunReport, error)
	Replay(ctx context.Context, name string, ids []int64) (syncengine.RunReport, error)
}

// ChangeLog is the store's change log; *crmstore.Store implements it.
type ChangeLog interface {
	LastChangeSeq(ctx context.Context) (int64, error)
	Changes(ctx context.Context, after int64, limit int) ([]crmstore.Change, error)
}

// Options configure a Scheduler.
type Options struct {
	// Runner runs the connectors; required.
	Runner Runner
	// Changes is the change log watched for push_on_change; required when a spec has
	// PushOnChange.
	Changes ChangeLog
	// Logger defaults to a no-op logger.
	Logger *zap.Logger
	// Clock defaults to the system clock.
	Clock Clock
	// Join registers a run as work the daemon waits for at shutdown ("sync NAME"); it
	// returns the func to call when the run ends, and ok false once shutdown has begun (the
	// run then does not start). Nil registers nothing.
	Join func(name string) (done func(), ok bool)
	// Skipped is called when a scheduled tick is skipped because the connector was still
	// running (for the skipped-runs metric). May be nil.
	Skipped func(connector string)
	// PollInterval is how often the change log is checked. Default 250ms.
	PollInterval time.Duration
	// Quiet is how long a change run waits for further changes; MaxWait bounds the wait
	// from the first change. Defaults 1s and 3s.
	Quiet, MaxWait time.Duration
	// BusyRetry is how long due work waits when another process holds the lease.
	// Default 1 minute; change runs retry after MaxWait instead.
	BusyRetry time.Duration
	// CancelGrace bounds how long Stop waits for runs after cancelling them. Default 5s.
	CancelGrace time.Duration
}

// Spec is when one connector runs.
type Spec struct {
	// Name is the connector's name in the engine.
	Name string
	// Schedule is a cron expression or descriptor for normal runs ("" for none).
	Schedule string
	// Reconcile is a cron expression or descriptor for full reconciliations ("" for none).
	Reconcile string
	// PushOnChange starts a run soon after local changes the connector did not write.
	PushOnChange bool
	// Objects are the local objects the connector syncs; changes to other objects do not
	// trigger it. Empty means every object.
	Objects []string
}

// equal reports whether two specs schedule the same way.
func (s Spec) equal(o Spec) bool {
	return s.Name == o.Name && s.Schedule == o.Schedule && s.Reconcile == o.Reconcile &&
		s.PushOnChange == o.PushOnChange && slices.Equal(s.Objects, o.Objects)
}

// Scheduler runs connectors on their schedules. Create it with New, give it its connectors
// with Set (again on every reload), and Stop it at shutdown. It is safe for concurrent use.
type Scheduler struct {
	opts Options
	log  *zap.Logger

	// runCtx is the parent of every run's context; Stop cancels it once its budget is spent.
	runCtx     context.Context
	cancelRuns context.CancelFunc
	runs       sync.WaitGroup // runs in flight
	loops      sync.WaitGroup // connector loops and the change watcher

	mu       sync.Mutex
	stopped  bool
	entries  map[string]*entry
	running  map[string]bool     // the per-connector gate
	idle     map[string][]func() // WhenIdle funcs waiting for the gate to open
	watching bool                // the change watcher goroutine is running
	stopCh   chan struct{}       // closed by Stop: the watcher ends
}

// New builds a scheduler; it starts nothing until Set.
func New(opts Options) (*Scheduler, error) {
	if opts.Runner == nil {
		return nil, errors.New("schedule: Options.Runner is required")
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Join == nil {
		opts.Join = func(string) (func(), bool) { return func() {}, true }
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Quiet <= 0 {
		opts.Quiet = DefaultQuiet
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	opts.MaxWait = max(opts.MaxWait, opts.Quiet)
	if opts.BusyRetry <= 0 {
		opts.BusyRetry = DefaultBusyRetry
	}
	if opts.CancelGrace <= 0 {
		opts.CancelGrace = DefaultCancelGrace
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		opts: opts, log: opts.Logger, runCtx: ctx, cancelRuns: cancel,
		entries: map[string]*entry{}, running: map[string]bool{}, idle: map[string][]func(){}, stopCh: make(chan struct{}),
	}, nil
}

// compiled is a checked Spec with its parsed schedules.
type compiled struct {
	spec            Spec
	every, reconcil cron.Schedule // nil when not set
}

// compile parses the specs, naming the first bad one.
func compile(specs []Spec) ([]compiled, error) {
	out := make([]compiled, 0, len(specs))
	seen := map[string]bool{}
	for i, sp := range specs {
		if sp.Name == "" {
			return nil, fmt.Errorf("schedule spec %d: name is required", i)
		}
		if seen[sp.Name] {
			return nil, fmt.Errorf("schedule spec %d: connector %s is listed twice", i, sp.Name)
		}
		seen[sp.Name] = true
		c := compiled{spec: sp}
		var err error
		if sp.Schedule != "" {
			if c.every, err = cron.ParseStandard(sp.Schedule); err != nil {
				return nil, fmt.Errorf("connector %s: schedule %q: %w", sp.Name, sp.Schedule, err)
			}
		}
		if sp.Reconcile != "" {
			if c.reconcil, err = cron.ParseStandard(sp.Reconcile); err != nil {
				return nil, fmt.Errorf("connector %s: reconcile %q: %w", sp.Name, sp.Reconcile, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Set makes specs the scheduled connectors: connectors not listed stop being scheduled,
// new ones start, changed ones get their new schedule, and unchanged ones keep theirs
// undisturbed. A run in flight is never interrupted: a removed or changed connector's run
// finishes, and a changed one's next run waits for it. A changed connector keeps the work it
// had not started yet (a due reconciliation, changes to push) as far as its new spec still
// schedules that kind of run. Nothing changes when a spec is invalid; the error names it.
func (s *Scheduler) Set(specs []Spec) error {
	cs, err := compile(specs)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(cs, func(c compiled) bool { return c.spec.PushOnChange }) && s.opts.Changes == nil {
		return errors.New("schedule: push_on_change needs Options.Changes")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrStopped
	}
	keep := map[string]bool{}
	for _, c := range cs {
		keep[c.spec.Name] = true
		var inherit pending
		if old := s.entries[c.spec.Name]; old != nil {
			if old.spec.equal(c.spec) {
				continue
			}
			old.stop()
			inherit = old.unstarted()
		}
		e := newEntry(s, c, inherit)
		s.entries[c.spec.Name] = e
		s.loops.Add(1)
		go func() {
			defer s.loops.Done()
			e.loop()
		}()
	}
	for name, e := range s.entries {
		if !keep[name] {
			e.stop()
			delete(s.entries, name)
		}
	}
	if !s.watching && slices.ContainsFunc(cs, func(c compiled) bool { return c.spec.PushOnChange }) {
		s.watching = true
		s.loops.Add(1)
		go func() {
			defer s.loops.Done()
			s.watch()
		}()
	}
	return nil
}

// Names lists the scheduled connectors, sorted.
func (s *Scheduler) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.entries))
	for n := range s.entries {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Stop stops scheduling and waits for the runs in flight until ctx ends; then it cancels
// them and waits up to CancelGrace for them to return (they stop at their next checkpoint
// and release their leases). It returns ctx's error when runs had to be cancelled, and an
// error naming the wait when they did not return in the grace either. Stop may be called
// more than once.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopped {
		s.stopped = true
		close(s.stopCh)
		for _, e := range s.entries {
			e.stop()
		}
	}
	s.mu.Unlock()
	s.loops.Wait() // loops exit promptly once stopped

	idle := make(chan struct{})
	go func() {
		s.runs.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		s.cancelRuns()
		return nil
	case <-ctx.Done():
	}
	s.cancelRuns()
	grace := s.opts.Clock.TimerAt(s.opts.Clock.Now().Add(s.opts.CancelGrace))
	defer grace.Stop()
	select {
	case <-idle:
		return fmt.Errorf("sync runs cancelled at shutdown: %w", ctx.Err())
	case <-grace.C():
		return fmt.Errorf("sync runs still running %s after they were cancelled: %w", s.opts.CancelGrace, ctx.Err())
	}
}
