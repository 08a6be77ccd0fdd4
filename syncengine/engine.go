package syncengine

// API published for the scheduler, CLI and admin.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// Errors the engine's callers act on.
var (
	// ErrUnknownConnector: no connector of that name was added.
	ErrUnknownConnector = errors.New("unknown connector")
	// ErrPaused: the connector is paused (by an operator or the mass-delete
	// guard); Resume it first.
	ErrPaused = errors.New("connector is paused")
	// ErrBusy: another run of the connector holds its lease, in this
	// process or another one on the same store.
	ErrBusy = errors.New("connector is already running")
)

// Clock is the engine's time source; tests inject a fake one so retries and
// leases need no real sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, returning ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// Observer receives run events for metrics. Implementations must be fast
// and safe for concurrent use.
type Observer interface {
	// RunFinished is called once per run (also failed ones).
	RunFinished(connector string, r RunReport)
	// RateLimited is called when the engine waits for a remote's rate limit.
	RateLimited(connector string, wait time.Duration)
}

// RetryPolicy bounds retries of remote calls.
type RetryPolicy struct {
	// MaxAttempts is how often a call failing transiently (timeouts, 5xx) is
	// tried in all. Default 5.
	MaxAttempts int
	// BaseDelay is the first backoff, doubled on every retry up to MaxDelay.
	// Defaults 500ms and 30s.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRateLimitWaits is how often one call may be answered "rate limited"
	// before the run fails. Default 20.
	MaxRateLimitWaits int
}

// Options configure an Engine.
type Options struct {
	// Store is the CRM store; required.
	Store *crmstore.Store
	// Logger defaults to a no-op logger.
	Logger *zap.Logger
	// Clock defaults to the system clock.
	Clock Clock
	// Observer may be nil.
	Observer Observer
	// Holder names this process in connector leases; defaults to
	// hostname:pid.
	Holder string
	// LeaseTTL is how long a lease lasts without renewal (runs renew it as
	// they go). Default 2 minutes.
	LeaseTTL time.Duration
	// PageSize is the page size asked of connectors and the change log.
	// Default 100.
	PageSize int
	// Retry bounds retries of remote calls.
	Retry RetryPolicy
	// CreateCheckDelay is how long after a create whose outcome is unknown
	// (its answer was lost) a pull must start before its not returning the
	// record proves the create did not land, allowing for remotes whose
	// change feeds lag their writes (HubSpot's search index). Default 1
	// minute.
	CreateCheckDelay time.Duration
}

// RunOptions select what a run does.
type RunOptions struct {
	// Full makes the run a full reconciliation: list every remote record,
	// heal drift against the bases and infer deletions.
	Full bool
	// Trigger says why the run happened ("schedule", "manual", "change",
	// "replay"); it is kept in the run history.
	Trigger string
}

// Engine runs connectors against the store. It is safe for concurrent use.
type Engine struct {
	store    *crmstore.Store
	log      *zap.Logger
	clock    Clock
	observer Observer
	holder   string
	leaseTTL time.Duration
	pageSize int
	retry    RetryPolicy
	// createCheckDelay: see Options.CreateCheckDelay.
	createCheckDelay time.Duration

	mu   sync.RWMutex
	conn map[string]*registered

	// running holds the connectors with a run in progress in this process.
	// The store's lease keeps other processes out, but it is keyed by holder
	// (host:pid), so it lets this process in twice; this set does not.
	runningMu sync.Mutex
	running   map[string]bool
}

// registered is one added connector.
type registered struct {
	spec    ConnectorSpec
	conn    connectors.Connector
	limiter *rate.Limiter

	// maps caches compiled object mappings, so a steady-state run does not
	// ask the remote for its field definitions; full runs refresh them.
	mapsMu sync.Mutex
	maps   map[string]*objectMap
}

// New builds an engine.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil {
		return nil, errors.New("syncengine: Options.Store is required")
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	if opts.Holder == "" {
		host, _ := os.Hostname()
		opts.Holder = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = 2 * time.Minute
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.CreateCheckDelay <= 0 {
		opts.CreateCheckDelay = time.Minute
	}
	return &Engine{
		store: opts.Store, log: opts.Logger, clock: opts.Clock, observer: opts.Observer,
		holder: opts.Holder, leaseTTL: opts.LeaseTTL, pageSize: opts.PageSize,
		retry: opts.Retry.withDefaults(), createCheckDelay: opts.CreateCheckDelay, conn: map[string]*registered{},
	}, nil
}

// Add registers a connector with its spec. The engine does not own conn:
// the caller closes it after Remove.
func (e *Engine) Add(spec ConnectorSpec, conn connectors.Connector) error {
	if err := spec.validate(); err != nil {
		return err
	}
	if conn == nil {
		return fmt.Errorf("connector %s: nil connector", spec.Name)
	}
	objs := make([]ObjectSpec, len(spec.Objects))
	for i, o := range spec.Objects {
		objs[i] = o.withDefaults()
	}
	spec.Objects = objs
	r := &registered{spec: spec, conn: conn}
	if spec.RequestsPerSecond > 0 {
		r.limiter = rate.NewLimiter(rate.Limit(spec.RequestsPerSecond), max(spec.Burst, 1))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.conn[spec.Name]; dup {
		return fmt.Errorf("connector %s: added twice", spec.Name)
	}
	e.conn[spec.Name] = r
	return nil
}

// Remove unregisters a connector; its stored state (links, cursors,
// history) stays.
func (e *Engine) Remove(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.conn, name)
}

// Names lists the added connectors, sorted.
func (e *Engine) Names() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]string, 0, len(e.conn))
	for n := range e.conn {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (e *Engine) lookup(name string) (*registered, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	r := e.conn[name]
	if r == nil {
		return nil, fmt.Errorf("connector %q: %w", name, ErrUnknownConnector)
	}
	return r, nil
}

// Run syncs one connector: pull, push and deletes for every object, as one
// recorded run. It returns ErrPaused or ErrBusy without running when the
// connector is paused or already running. A run that fails still returns
// its report (with Status "failed" and Error set) along with the error.
func (e *Engine) Run(ctx context.Context, name string, opts RunOptions) (RunReport, error) {
	r, err := e.lookup(name)
	if err != nil {
		return RunReport{}, err
	}
	return e.run(ctx, r, opts, nil)
}

// Plan is a dry run: what a run would create, update and delete on each
// side, and the conflicts it would meet, reading both sides and writing
// nothing (no cursor moves either).
func (e *Engine) Plan(ctx context.Context, name string) (Plan, error) {
	r, err := e.lookup(name)
	if err != nil {
		return Plan{}, err
	}
	return e.plan(ctx, r)
}

// Replay retries quarantined records of a connector (the given quarantine
// ids, or all when ids is empty) as a recorded run with trigger "replay":
// pulled records are fetched again and applied, pushed ones pushed again.
// Records that succeed leave the quarantine.
func (e *Engine) Replay(ctx context.Context, name string, ids []int64) (RunReport, error) {
	r, err := e.lookup(name)
	if err != nil {
		return RunReport{}, err
	}
	if ids == nil {
		ids = []int64{} // non-nil marks the run as a replay
	}
	return e.run(ctx, r, RunOptions{Trigger: TriggerReplay}, ids)
}

// Pause stops a connector's runs until Resume, keeping reason for Status.
func (e *Engine) Pause(ctx context.Context, name, reason string) error {
	if _, err := e.lookup(name); err != nil {
		return err
	}
	if reason == "" {
		reason = "paused by an operator"
	}
	return e.store.PauseSyncConnector(ctx, name, reason, e.clock.Now())
}

// Resume lets a paused connector run again. Deletions the mass-delete guard
// held back are applied on the next run when approveDeletes is true, and
// dropped otherwise (the records stay on both sides and stop syncing).
func (e *Engine) Resume(ctx context.Context, name string, approveDeletes bool) error {
	r, err := e.lookup(name)
	if err != nil {
		return err
	}
	if !approveDeletes {
		for _, o := range r.spec.Objects {
			if err := e.store.DropPendingSyncDeletes(ctx, name, o.Object); err != nil {
				return fmt.Errorf("resume %s: %w", name, err)
			}
		}
	}
	return e.store.ResumeSyncConnector(ctx, name, approveDeletes)
}

// Runs returns the connector's most recent runs, newest first.
func (e *Engine) Runs(ctx context.Context, name string, limit int) ([]RunReport, error) {
	if _, err := e.lookup(name); err != nil {
		return nil, err
	}
	runs, err := e.store.SyncRuns(ctx, name, limit)
	if err != nil {
		return nil, err
	}
	out := make([]RunReport, len(runs))
	for i, r := range runs {
		out[i] = reportOf(r)
	}
	return out, nil
}

// Conflicts lists a connector's recorded conflicts, newest first.
func (e *Engine) Conflicts(ctx context.Context, name string, q ConflictQuery) ([]Conflict, error) {
	if _, err := e.lookup(name); err != nil {
		return nil, err
	}
	return e.store.SyncConflicts(ctx, name, q)
}

// Quarantine lists a connector's quarantined records, oldest first.
func (e *Engine) Quarantine(ctx context.Context, name string, limit int) ([]QuarantineEntry, error) {
	if _, err := e.lookup(name); err != nil {
		return nil, err
	}
	return e.store.SyncQuarantine(ctx, name, limit)
}

// Status reports a connector's state for the admin endpoint and the CLI.
func (e *Engine) Status(ctx context.Context, name string) (Status, error) {
	r, err := e.lookup(name)
	if err != nil {
		return Status{}, err
	}
	return e.status(ctx, r)
}

// Statuses reports every added connector, sorted by name.
func (e *Engine) Statuses(ctx context.Context) ([]Status, error) {
	var out []Status
	for _, n := range e.Names() {
		st, err := e.Status(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// systemClock is the real clock.
type systemClock struct{}

// Now returns the current time.
func (systemClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// claim marks name as running in this process, reporting false when it already is. A
// successful claim must be followed by release.
func (e *Engine) claim(name string) bool {
	e.runningMu.Lock()
	defer e.runningMu.Unlock()
	if e.running[name] {
		return false
	}
	if e.running == nil {
		e.running = map[string]bool{}
	}
	e.running[name] = true
	return true
}

// release ends a claim.
func (e *Engine) release(name string) {
	e.runningMu.Lock()
	defer e.runningMu.Unlock()
	delete(e.running, name)
}
