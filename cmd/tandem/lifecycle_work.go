package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// workGroup tracks the daemon's running work that must reach a checkpoint before the store
// closes: sync runs and imports once they exist, and today the test hooks. HTTP requests are
// drained by the servers' own graceful shutdown and are not registered here.
//
// Work joins the group before it starts and calls the returned done func when it ends. At
// shutdown the group is closed: Join refuses new work, Stopping is closed so that long work
// stops at its next checkpoint (after a batch and its cursor are committed), and Wait waits
// for the rest within the shutdown budget and names what is still running when it runs out.
type workGroup struct {
	now func() time.Time

	mu       sync.Mutex
	closed   bool
	stopping chan struct{} // closed by Close
	seq      uint64
	running  map[uint64]workItem
	idle     chan struct{} // closed and replaced whenever running becomes empty
}

// workItem is one unit of running work.
type workItem struct {
	Name    string
	Started time.Time
}

func newWorkGroup() *workGroup {
	return &workGroup{
		now:      time.Now,
		stopping: make(chan struct{}),
		running:  map[uint64]workItem{},
		idle:     make(chan struct{}),
	}
}

// Join registers work called name ("sync hubspot-main", "import contacts.csv"). It returns
// the func to call once the work has ended (calling it again does nothing), and ok false once
// shutdown has begun, in which case the work must not start.
func (g *workGroup) Join(name string) (done func(), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return func() {}, false
	}
	g.seq++
	id := g.seq
	g.running[id] = workItem{Name: name, Started: g.now()}
	var once sync.Once
	return func() { once.Do(func() { g.leave(id) }) }, true
}

func (g *workGroup) leave(id uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.running, id)
	if len(g.running) == 0 {
		close(g.idle)
		g.idle = make(chan struct{})
	}
}

// Stopping is closed when shutdown begins. Long work checks it between batches and returns
// at the next checkpoint.
func (g *workGroup) Stopping() <-chan struct{} { return g.stopping }

// Close refuses new work and closes Stopping. It may be called more than once.
func (g *workGroup) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.closed = true
		close(g.stopping)
	}
}

// Wait blocks until no work is running or ctx ends. It returns nil when the group is idle and
// otherwise the work still running, oldest first.
func (g *workGroup) Wait(ctx context.Context) []workItem {
	for {
		g.mu.Lock()
		if len(g.running) == 0 {
			g.mu.Unlock()
			return nil
		}
		idle := g.idle
		g.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			if r := g.Running(); len(r) > 0 {
				return r
			}
			return nil
		}
	}
}

// Running lists the work running now, oldest first.
func (g *workGroup) Running() []workItem {
	g.mu.Lock()
	items := make([]workItem, 0, len(g.running))
	for _, it := range g.running {
		items = append(items, it)
	}
	g.mu.Unlock()
	slices.SortFunc(items, func(a, b workItem) int { return a.Started.Compare(b.Started) })
	return items
}

// describe renders work for a log line: "sync crm (running for 1m2s)".
func (it workItem) describe(now time.Time) string {
	return fmt.Sprintf("%s (running for %s)", it.Name, now.Sub(it.Started).Round(time.Millisecond))
}
