package sdnotify

import (
	"context"
	"time"
)

// KeepAlive sends WATCHDOG=1 every interval until ctx ends, but only while healthy returns
// nil: a process that is alive but wedged (its store no longer answers, say) stops pinging,
// and systemd restarts it once WatchdogSec passes. healthy gets a context bounded by interval.
// onError, if not nil, is called with each health or send failure. KeepAlive blocks; run it
// in its own goroutine. It returns at once for a disabled Notifier or interval <= 0.
func (n *Notifier) KeepAlive(ctx context.Context, interval time.Duration, healthy func(context.Context) error, onError func(error)) {
	if !n.Enabled() || interval <= 0 {
		return
	}
	report := func(err error) {
		if err != nil && onError != nil {
			onError(err)
		}
	}
	ping := func() {
		if healthy != nil {
			hctx, cancel := context.WithTimeout(ctx, interval)
			err := healthy(hctx)
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					report(err)
				}
				return
			}
		}
		report(n.Watchdog())
	}
	ping()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ping()
		}
	}
}
