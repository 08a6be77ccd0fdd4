package schedule

import "time"

// Clock is the scheduler's time source. Tests inject a fake one whose timers fire when the test
// moves its time forward.
type Clock interface {
	Now() time.Time
	// TimerAt returns a timer that fires once at t (at once when t is not in the future).
	// Deadlines are absolute so that time passing between reading the clock and arming the
	// timer cannot move them.
	TimerAt(t time.Time) Timer
}

// Timer is a one-shot timer of a Clock.
type Timer interface {
	// C delivers the time once the timer fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was still pending.
	Stop() bool
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// TimerAt returns a time.Timer firing at t.
func (SystemClock) TimerAt(t time.Time) Timer { return systemTimer{time.NewTimer(time.Until(t))} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }
func (t systemTimer) Stop() bool          { return t.t.Stop() }
