package schedule

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose time moves only when the test calls Advance. Its timers fire,
// in deadline order, when Advance passes their deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	notify chan struct{} // signalled whenever a timer is created or stopped
}

type fakeTimer struct {
	c     *fakeClock
	at    time.Time
	ch    chan time.Time
	state int // 0 pending, 1 fired, 2 stopped
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), notify: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) TimerAt(at time.Time) Timer {
	c.mu.Lock()
	t := &fakeTimer{c: c, at: at, ch: make(chan time.Time, 1)}
	if !at.After(c.now) {
		t.state = 1
		t.ch <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	c.mu.Unlock()
	c.signal()
	return t
}

func (c *fakeClock) signal() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	was := t.state == 0
	if was {
		t.state = 2
	}
	t.c.mu.Unlock()
	t.c.signal()
	return was
}

// Advance moves the time forward by d and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.state != 0:
		case !t.at.After(c.now):
			t.state = 1
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	now := c.now
	c.mu.Unlock()
	slices.SortFunc(due, func(a, b *fakeTimer) int { return a.at.Compare(b.at) })
	for _, t := range due {
		t.ch <- now
	}
}

// pendingAt counts the timers pending with deadline at.
func (c *fakeClock) pendingAt(at time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.state == 0 && t.at.Equal(at) {
			n++
		}
	}
	return n
}

// pending lists the pending timers' deadlines, for failure messages.
func (c *fakeClock) pending() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, t := range c.timers {
		if t.state == 0 {
			out = append(out, t.at.Format(time.TimeOnly+".000"))
		}
	}
	return out
}

// waitTimerAt waits until a timer with deadline at is pending: the goroutine that arms it
// has caught up with the last Advance.
func (c *fakeClock) waitTimerAt(t *testing.T, at time.Time) {
	t.Helper()
	c.waitTimersAt(t, at, 1)
}

// waitTimersAt waits until n timers with deadline at are pending.
func (c *fakeClock) waitTimersAt(t *testing.T, at time.Time, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for c.pendingAt(at) < n {
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatalf("no timer armed for %s (now %s; pending: %s)", at.Format(time.TimeOnly+".000"), c.Now().Format(time.TimeOnly+".000"), c.pending())
		}
	}
}
