package main

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/internal/logging"
)

// What a reload (SIGHUP) does with each key of the configuration:
//
//	applied at once           log.level, admin.token, connectors (kept in the running state,
//	                          logged as added, removed or changed by name, and handed to the
//	                          sync engine and its scheduler), api.rate_limit
//	logged as needs restart   data_dir, api.listen, admin.listen, api.max_body_bytes,
//	                          api.max_import_bytes, log.format, shutdown_timeout
//
// The listeners stay up throughout, so no API request is dropped. A file that does not load
// changes nothing: each problem is logged on its own line with its file, line and path.

// reload rereads the configuration file and applies it; see above.
func (d *daemon) reload() {
	started := time.Now()
	if err := d.notify.Reloading("reloading configuration"); err != nil {
		d.log.Warn("cannot notify systemd", zap.Error(err))
	}
	defer d.ready()
	if d.file == "" {
		d.log.Info("configuration not reloaded: running on the embedded default, there is no file to reread")
		return
	}

	next, err := config.Load(d.file)
	if err != nil {
		d.reloadFailed(err)
		return
	}
	d.applyFlags(next)

	cur := d.config()
	plan := planReload(cur, next)

	// Apply. The order does not matter: each setter is safe while requests run.
	if plan.levelChanged {
		lvl, _ := logging.ParseLevel(plan.effective.Log.Level) // validated by config.Load
		d.level.SetLevel(lvl)
	}
	if plan.tokenChanged {
		d.adm.SetToken(plan.effective.Admin.Token)
	}
	if plan.rateChanged {
		d.api.SetRateLimit(effectiveRate(plan.effective))
	}
	d.current.Store(&loadedConfig{Config: plan.effective, LoadedAt: time.Now()})

	for _, k := range plan.restart {
		d.log.Warn("configuration change needs a restart; not applied",
			zap.String("key", k.key), zap.String("running", k.running), zap.String("file", k.file))
	}
	d.applyConnectorChanges(plan.added, plan.removed, plan.changed)
	for _, c := range plan.added {
		d.log.Info("connector added", zap.String("connector", c.Name), zap.String("type", c.Type), zap.String("schedule", c.Schedule))
	}
	for _, name := range plan.removed {
		d.log.Info("connector removed", zap.String("connector", name))
	}
	for _, c := range plan.changed {
		d.log.Info("connector changed", zap.String("connector", c.name), zap.Strings("changes", c.changes))
	}
	restart := make([]string, len(plan.restart))
	for i, k := range plan.restart {
		restart[i] = k.key
	}
	d.log.Info("configuration reloaded",
		zap.String("config", d.file),
		zap.Strings("applied", plan.applied),
		zap.Strings("needs_restart", restart),
		zap.Duration("took", time.Since(started)),
	)
	d.setLastReload("")
}

// applyConnectorChanges is where a reload's connector changes take effect beyond the
// configuration in effect, which already holds the new list: the sync engine and its
// scheduler take the new list (reloadSync: added, removed and changed connectors, and a new
// attempt at those that could not start), and the per-connector metrics follow.
func (d *daemon) applyConnectorChanges(added []config.Connector, removed []string, changed []connectorChange) {
	d.reloadSync()
	for _, c := range added {
		d.metrics.InitConnector(c.Name)
	}
	for _, name := range removed {
		d.metrics.RemoveConnector(name)
	}
}

// reloadFailed logs why the file did not load: one line per problem, then one summary.
func (d *daemon) reloadFailed(err error) {
	_, _, loadedAt := d.configInfo()
	var ce *config.Errors
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			d.log.Error("configuration problem",
				zap.String("file", ce.Source), zap.Int("line", p.Line), zap.String("path", p.Path), zap.String("problem", p.Message))
		}
		d.log.Error("configuration reload failed; still running on the previous configuration",
			zap.String("config", d.file), zap.Int("problems", len(ce.Problems)), zap.Time("running_config_loaded_at", loadedAt))
		d.setLastReload(fmt.Sprintf("last reload failed with %d problem(s) in %s, running on the previous configuration", len(ce.Problems), d.file))
		return
	}
	d.log.Error("configuration reload failed; still running on the previous configuration",
		zap.String("config", d.file), zap.Error(errors.Unwrap(err)), zap.Time("running_config_loaded_at", loadedAt))
	d.setLastReload("last reload failed: cannot read " + d.file + ", running on the previous configuration")
}

func (d *daemon) setLastReload(s string) {
	d.statusMu.Lock()
	d.lastReload = s
	d.statusMu.Unlock()
}

// reloadPlan is what a reload changes.
type reloadPlan struct {
	// effective is the new configuration in effect: the file's, with the keys that need a
	// restart kept at their running values.
	effective *config.Config

	applied                                 []string // keys applied, for the summary line
	levelChanged, tokenChanged, rateChanged bool
	restart                                 []restartKey

	added   []config.Connector
	removed []string
	changed []connectorChange
}

// restartKey is a changed key that takes effect only after a restart. Its values are never
// secrets.
type restartKey struct{ key, running, file string }

type connectorChange struct {
	name    string
	changes []string
}

// planReload compares the running configuration cur with next, freshly loaded, and decides
// what to apply.
func planReload(cur, next *config.Config) reloadPlan {
	eff := *next
	p := reloadPlan{effective: &eff}

	// Keys that need a restart keep their running values.
	keep := func(key, running, file string, restore func()) {
		if running != file {
			p.restart = append(p.restart, restartKey{key, running, file})
			restore()
		}
	}
	keep("data_dir", cur.DataDir, next.DataDir, func() { eff.DataDir = cur.DataDir })
	keep("api.listen", cur.API.Listen, next.API.Listen, func() { eff.API.Listen = cur.API.Listen })
	keep("api.max_body_bytes", strconv.FormatInt(cur.API.MaxBodyBytes, 10), strconv.FormatInt(next.API.MaxBodyBytes, 10),
		func() { eff.API.MaxBodyBytes = cur.API.MaxBodyBytes })
	keep("api.max_import_bytes", strconv.FormatInt(cur.API.MaxImportBytes, 10), strconv.FormatInt(next.API.MaxImportBytes, 10),
		func() { eff.API.MaxImportBytes = cur.API.MaxImportBytes })
	keep("admin.listen", cur.Admin.Listen, next.Admin.Listen, func() { eff.Admin.Listen = cur.Admin.Listen })
	keep("log.format", cur.Log.Format, next.Log.Format, func() { eff.Log.Format = cur.Log.Format })
	keep("shutdown_timeout", cur.ShutdownTimeout.String(), next.ShutdownTimeout.String(),
		func() { eff.ShutdownTimeout = cur.ShutdownTimeout })

	if effectiveRate(cur) != effectiveRate(next) {
		p.rateChanged = true
		p.applied = append(p.applied, "api.rate_limit")
	}
	if cur.Log.Level != next.Log.Level {
		p.levelChanged = true
		p.applied = append(p.applied, "log.level")
	}
	if cur.Admin.Token != next.Admin.Token {
		p.tokenChanged = true
		p.applied = append(p.applied, "admin.token")
	}

	old := map[string]config.Connector{}
	for _, c := range cur.Connectors {
		old[c.Name] = c
	}
	seen := map[string]bool{}
	for _, c := range next.Connectors {
		seen[c.Name] = true
		prev, ok := old[c.Name]
		if !ok {
			p.added = append(p.added, c)
			continue
		}
		if ch := connectorChanges(prev, c); len(ch) > 0 {
			p.changed = append(p.changed, connectorChange{name: c.Name, changes: ch})
		}
	}
	for _, c := range cur.Connectors {
		if !seen[c.Name] {
			p.removed = append(p.removed, c.Name)
		}
	}
	if len(p.added)+len(p.removed)+len(p.changed) > 0 {
		p.applied = append(p.applied, "connectors")
	}
	return p
}

// effectiveRate is the rate limit the API server runs with: 0 when limiting is off.
func effectiveRate(cfg *config.Config) int {
	if !cfg.API.RateLimit.Enabled {
		return 0
	}
	return cfg.API.RateLimit.RequestsPer10s
}

// connectorChanges names what differs between two versions of one connector. Option values
// are never named: they hold tokens.
func connectorChanges(prev, next config.Connector) []string {
	var ch []string
	if prev.Type != next.Type {
		ch = append(ch, fmt.Sprintf("type %s → %s", prev.Type, next.Type))
	}
	if prev.Schedule != next.Schedule {
		ch = append(ch, fmt.Sprintf("rescheduled %q → %q", prev.Schedule, next.Schedule))
	}
	if prev.PushOnChange != next.PushOnChange {
		ch = append(ch, fmt.Sprintf("push_on_change %t → %t", prev.PushOnChange, next.PushOnChange))
	}
	if !maps.Equal(prev.Options, next.Options) {
		ch = append(ch, "options")
	}
	prevObjs := map[string]config.ObjectMapping{}
	for _, o := range prev.Objects {
		prevObjs[o.Object] = o
	}
	nextObjs := map[string]bool{}
	for _, o := range next.Objects {
		nextObjs[o.Object] = true
		po, ok := prevObjs[o.Object]
		switch {
		case !ok:
			ch = append(ch, "object "+o.Object+" added")
		case !reflect.DeepEqual(po, o):
			ch = append(ch, "object "+o.Object+" remapped")
		}
	}
	for _, o := range prev.Objects {
		if !nextObjs[o.Object] {
			ch = append(ch, "object "+o.Object+" removed")
		}
	}
	return ch
}
