package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/admin"
	"github.com/tandem-crm/tandem/internal/metrics"
	"github.com/tandem-crm/tandem/syncengine"
)

// StatusInfo is what /admin/status reports besides the store; serve fills it.
type StatusInfo struct {
	// Version is the build's version; empty means the version of this binary.
	Version string
	// Started is when the daemon started; the uptime counts from it.
	Started time.Time
	// Config returns the configuration in force, the file it was loaded from ("" for the
	// embedded default) and when it was loaded. It is called on every request, so a reload
	// shows at once, and must be safe for concurrent use. Nil reports no configuration.
	Config func() (cfg *config.Config, file string, loadedAt time.Time)
	// ConnectorSync reports the sync engine's view of the named connector: its state, why it
	// is paused, failing or unavailable, and its last run (nil before the first). Nil
	// reports every connector as "configured".
	ConnectorSync func(ctx context.Context, name string) (state, reason string, lastRun *syncengine.RunReport)
}

// ConnectorStateConfigured is the state of a connector before the sync engine runs it.
const ConnectorStateConfigured = "configured"

// statusBody is the JSON of /admin/status.
type statusBody struct {
	Version       string            `json:"version"`
	Build         string            `json:"build"`
	StartedAt     time.Time         `json:"startedAt"`
	Uptime        string            `json:"uptime"`
	UptimeSeconds float64           `json:"uptimeSeconds"`
	Store         storeStatus       `json:"store"`
	Config        configStatus      `json:"config"`
	Connectors    []connectorStatus `json:"connectors"`
}

type storeStatus struct {
	Path             string `json:"path"`
	SizeBytes        int64  `json:"sizeBytes"`
	MigrationVersion int    `json:"migrationVersion"`
	LastChangeSeq    int64  `json:"lastChangeSeq"`
}

type configStatus struct {
	File     string     `json:"file"` // "" for the embedded default
	Embedded bool       `json:"embedded"`
	LoadedAt *time.Time `json:"loadedAt,omitempty"`
}

type connectorStatus struct {
	Name     string                `json:"name"`
	Type     string                `json:"type"`
	Schedule string                `json:"schedule"`
	State    string                `json:"state"`
	Reason   string                `json:"reason,omitempty"`
	LastRun  *syncengine.RunReport `json:"lastRun,omitempty"`
}

// mountAdmin mounts the token-protected endpoints of the admin server: GET /metrics
// (Prometheus) and GET /admin/status (JSON). It points the store metrics of reg at st and
// creates the metric series of the configured connectors. The API server reports its
// requests to reg through api.Options{Observer: reg.ObserveAPIRequest}.
func mountAdmin(adm *admin.Server, st *crmstore.Store, reg *metrics.Registry, info StatusInfo) {
	if info.Version == "" {
		info.Version = version
	}
	if info.Started.IsZero() {
		info.Started = time.Now()
	}
	reg.SetStoreStats(func(ctx context.Context) (metrics.StoreStats, error) {
		s, err := st.Stats(ctx)
		if err != nil {
			return metrics.StoreStats{}, err
		}
		return metrics.StoreStats{
			RecordsByObject:  s.RecordsByObject,
			SizeBytes:        s.SizeBytes,
			LastChangeSeq:    s.LastChangeSeq,
			MigrationVersion: s.MigrationVersion,
		}, nil
	})
	if info.Config != nil {
		if cfg, _, _ := info.Config(); cfg != nil {
			for _, c := range cfg.Connectors {
				reg.InitConnector(c.Name)
			}
		}
	}
	adm.Handle("GET /metrics", reg.Handler())
	adm.Handle("GET /admin/status", adm.JSON(func(r *http.Request) (any, error) {
		return adminStatus(r.Context(), st, info)
	}))
}

// adminStatus builds the body of /admin/status.
func adminStatus(ctx context.Context, st *crmstore.Store, info StatusInfo) (statusBody, error) {
	up := time.Since(info.Started)
	body := statusBody{
		Version:       info.Version,
		Build:         versionString(),
		StartedAt:     info.Started.UTC(),
		Uptime:        up.Truncate(time.Second).String(),
		UptimeSeconds: up.Seconds(),
		Store:         storeStatus{Path: st.Path()},
		Connectors:    []connectorStatus{},
	}
	var err error
	if body.Store.SizeBytes, err = st.SizeBytes(); err != nil {
		return body, err
	}
	if body.Store.MigrationVersion, err = st.MigrationVersion(ctx); err != nil {
		return body, fmt.Errorf("read migration version: %w", err)
	}
	if body.Store.LastChangeSeq, err = st.LastChangeSeq(ctx); err != nil {
		return body, fmt.Errorf("read change-log position: %w", err)
	}
	if info.Config == nil {
		return body, nil
	}
	cfg, file, loadedAt := info.Config()
	body.Config = configStatus{File: file, Embedded: file == ""}
	if !loadedAt.IsZero() {
		t := loadedAt.UTC()
		body.Config.LoadedAt = &t
	}
	if cfg == nil {
		return body, nil
	}
	for _, c := range cfg.Connectors {
		cs := connectorStatus{Name: c.Name, Type: c.Type, Schedule: c.Schedule, State: ConnectorStateConfigured}
		if info.ConnectorSync != nil {
			cs.State, cs.Reason, cs.LastRun = info.ConnectorSync(ctx, c.Name)
		}
		body.Connectors = append(body.Connectors, cs)
	}
	return body, nil
}
