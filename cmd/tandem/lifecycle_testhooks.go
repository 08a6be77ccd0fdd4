//go:build tandem_testhooks

package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/internal/admin"
)

// Test hooks, compiled only into binaries built with -tags tandem_testhooks (the lifecycle
// tests build one). A release binary has none of this whatever its configuration or
// environment, so no setting can turn them on in production.

// testHooksCompiled says whether this binary has the test hooks.
const testHooksCompiled = true

// envTestHooks must be "1" for a test binary to mount the hooks.
const envTestHooks = "TANDEM_TESTHOOKS"

// mountTestHooks mounts, behind the admin token:
//
//	POST /debug/sleep?for=DURATION  holds a request open for DURATION as registered work
//	                                named "debug sleep DURATION", ignoring shutdown: an
//	                                uninterruptible batch for the shutdown-budget tests
func (d *daemon) mountTestHooks(adm *admin.Server) {
	if os.Getenv(envTestHooks) != "1" {
		return
	}
	d.log.Warn("test hooks mounted on the admin endpoint", zap.String("env", envTestHooks))
	adm.Handle("POST /debug/sleep", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dur, err := time.ParseDuration(r.URL.Query().Get("for"))
		if err != nil {
			http.Error(w, "for: "+err.Error(), http.StatusBadRequest)
			return
		}
		name := "debug sleep " + dur.String()
		done, ok := d.work.Join(name)
		if !ok {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		defer done()
		d.log.Info("debug sleep started", zap.Duration("for", dur))
		time.Sleep(dur)
		d.log.Info("debug sleep finished", zap.Duration("for", dur))
		fmt.Fprintln(w, "slept", dur)
	}))
}
