package main

import (
	"errors"
	"fmt"
	"sort"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// newLocalSync builds an engine on st with every connector of cfg, through the daemon's
// conversions (syncSpec, buildConnector). A connector that cannot be built (a bad option, an
// unknown type) is kept aside with the reason, as the daemon does, so the commands still
// work for the others and name the reason for that one. closeStore is called by Close after
// the connectors are closed.
func newLocalSync(cfg *config.Config, st *crmstore.Store, log *zap.Logger, closeStore func() error) (*localSync, error) {
	eng, err := syncengine.New(syncengine.Options{Store: st, Logger: log.Named("sync")})
	if err != nil {
		return nil, fmt.Errorf("build sync engine: %w", err)
	}
	l := &localSync{eng: eng, unavailable: map[string]string{}, closeStore: closeStore}
	for _, c := range cfg.Connectors {
		conn, err := buildConnector(c, log)
		if err != nil {
			l.unavailable[c.Name] = err.Error()
			continue
		}
		if err := eng.Add(syncSpec(c), conn); err != nil {
			l.unavailable[c.Name] = fmt.Sprintf("add connector %s to the sync engine: %v", c.Name, err)
			_ = conn.Close() // never used
			continue
		}
		l.conns = append(l.conns, conn)
	}
	return l, nil
}

// unavailableError is the error for a configured connector that could not be built.
type unavailableError struct{ name, reason string }

func (e *unavailableError) Error() string {
	return fmt.Sprintf("connector %q is configured but cannot start: %s", e.name, e.reason)
}

// checkAvailable fails for a configured connector that could not be built.
func (l *localSync) checkAvailable(name string) error {
	if reason, ok := l.unavailable[name]; ok {
		return &unavailableError{name: name, reason: reason}
	}
	return nil
}

// unavailableStatuses reports the connectors that could not be built, in the daemon's
// "unavailable" state with the reason.
func (l *localSync) unavailableStatuses() []syncengine.Status {
	out := make([]syncengine.Status, 0, len(l.unavailable))
	for name, reason := range l.unavailable {
		out = append(out, syncengine.Status{Connector: name, State: connectorStateUnavailable, Reason: reason})
	}
	return out
}

// Close closes the connectors, then the store.
func (l *localSync) Close() error {
	var errs []error
	for _, c := range l.conns {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close connector: %w", err))
		}
	}
	if err := l.closeStore(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func sortStatuses(sts []syncengine.Status) {
	sort.Slice(sts, func(i, j int) bool { return sts[i].Connector < sts[j].Connector })
}
