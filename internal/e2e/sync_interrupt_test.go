package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/syncengine"
)

// loseAnswerAfterApply wraps Tandem B so that the next batch create armed with a cancel func is
// applied by B, and then the run is cancelled before the answer reaches it: the worst moment to
// die, when the remote holds records the engine never heard of.
type loseAnswerAfterApply struct {
	armed atomic.Pointer[context.CancelFunc]
	fired atomic.Bool
}

func (l *loseAnswerAfterApply) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/batch/create") {
			h.ServeHTTP(w, r)
			return
		}
		cancel := l.armed.Swap(nil)
		if cancel == nil {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		l.fired.Store(true)
		(*cancel)()
		// The client drops the connection as its context ends; the bound only keeps a broken
		// client from hanging the test.
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
}

func TestRunCancelledMidwayThenRestartedLosesAndDuplicatesNothing(t *testing.T) {
	tests := []struct {
		name string
		// lostAnswer: the remote applied a batch whose answer the run never read.
		lostAnswer bool
		// arm prepares the cancellation of the run's context.
		arm func(p *pair, l *loseAnswerAfterApply, cancel context.CancelFunc)
	}{
		{name: "during the pull, after 2 pages", arm: func(p *pair, _ *loseAnswerAfterApply, cancel context.CancelFunc) {
			p.calls.setHook(func(route string, n int) {
				if route == "GET contacts" && n == 3 {
					cancel()
				}
			})
		}},
		{name: "during the push, after the remote applied a batch", lostAnswer: true, arm: func(_ *pair, l *loseAnswerAfterApply, cancel context.CancelFunc) {
			l.armed.Store(&cancel)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lose := &loseAnswerAfterApply{}
			p := newPairWrapped(t, contactsSpec(nil), lose.wrap)
			// 150 on A only, 50 on both sides, 150 on B only.
			for i := range 200 {
				p.create(p.local, map[string]string{"email": fmt.Sprintf("k%d@example.com", i), "firstname": fmt.Sprintf("F%d", i)})
			}
			for i := 150; i < 350; i++ {
				p.create(p.remote.store, map[string]string{"email": fmt.Sprintf("k%d@example.com", i), "lastname": fmt.Sprintf("L%d", i)})
			}
			ctx, cancel := context.WithCancel(p.ctx)
			defer cancel()
			tc.arm(p, lose, cancel)
			rep, err := p.engine.Run(ctx, peerName, syncengine.RunOptions{})
			if err == nil || ctx.Err() == nil {
				t.Fatalf("cancelled run = %+v, %v; want it to fail on the cancelled context", rep, err)
			}
			t.Logf("cancelled run: %+v", rep)
			if lose.fired.Load() != tc.lostAnswer {
				t.Fatalf("remote applied a batch whose answer was lost: %v, want %v", lose.fired.Load(), tc.lostAnswer)
			}
			p.calls.setHook(nil)

			p.restart()
			p.converge(false, 4)
			p.converge(true, 2)

			a, b := contacts(t, p.local), contacts(t, p.remote.store)
			if len(a) != 350 || len(b) != 350 {
				t.Errorf("after the restart A holds %d and B %d contacts, want 350 each", len(a), len(b))
			}
			sameContacts(t, a, b)
			for i := 150; i < 200; i++ {
				c := a[fmt.Sprintf("k%d@example.com", i)]
				if c == nil || c.Properties["firstname"] != fmt.Sprintf("F%d", i) || c.Properties["lastname"] != fmt.Sprintf("L%d", i) {
					t.Errorf("contact %d on both sides was not merged: %+v", i, c)
				}
			}
			q, err := p.engine.Quarantine(p.ctx, peerName, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(q) != 0 {
				t.Errorf("quarantine after the restart: %+v", q)
			}
		})
	}
}
