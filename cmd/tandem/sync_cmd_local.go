package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/logging"
)

// openLocalSync opens the store in dir and builds the engine with every connector of cfg in
// this process. The engine logs warnings and errors (retries, the mass-delete guard) to
// stderr, or what --log-level asks for.
func (a *app) openLocalSync(ctx context.Context, cfg *config.Config, dir string) (*localSync, error) {
	level := a.logLevel
	if level == "" {
		level = "warn"
	}
	log, err := logging.New(level, logging.FormatConsole, a.stderr)
	if err != nil {
		return nil, usagef("--log-level: %v", err)
	}
	st, err := crmstore.Open(ctx, dir, crmstore.Options{SkipQuickCheck: true}) // see withStore
	if err != nil {
		return nil, fmt.Errorf("cannot open the store in %s: %w", dir, err)
	}
	closeStore := func() error {
		_ = log.Sync() // stderr may not support sync; nothing to do about it
		if err := st.Close(); err != nil {
			return fmt.Errorf("close store: %w", err)
		}
		return nil
	}
	// A daemon or CLI run killed on this host leaves its lease behind; release it, as the
	// daemon does at start, so this run is not refused as busy until the lease expires.
	recoverInterruptedRuns(ctx, st, connectorNames(cfg.Connectors), log.Named("sync"))
	l, err := newLocalSync(cfg, st, log, closeStore)
	if err != nil {
		return nil, errors.Join(err, closeStore())
	}
	return l, nil
}
