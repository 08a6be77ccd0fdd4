package syncengine

// Run reports, statuses and plans as the engine publishes them.

import (
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// Run triggers kept in the run history.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerChange   = "change"
	TriggerReplay   = "replay"
)

// Run statuses.
const (
	RunRunning   = crmstore.SyncRunRunning
	RunSucceeded = crmstore.SyncRunSucceeded
	// RunPartial: the run finished but some records failed (quarantined or
	// ambiguous).
	RunPartial = crmstore.SyncRunPartial
	RunFailed  = crmstore.SyncRunFailed
	// RunPaused: the mass-delete guard paused the connector.
	RunPaused = crmstore.SyncRunPaused
)

// Connector states reported by Status.
const (
	StateIdle    = "idle"
	StateRunning = "running"
	StatePaused  = "paused"
	StateFailing = "failing"
)

// Counts are a run's tallies: Pulled and Pushed count records read from and
// written to the remote; the others what was done with them.
type Counts = crmstore.SyncCounts

// Conflict is one recorded field conflict.
type Conflict = crmstore.SyncConflict

// ConflictQuery filters Conflicts.
type ConflictQuery = crmstore.SyncConflictQuery

// QuarantineEntry is one record that failed for good, with the reason.
type QuarantineEntry = crmstore.SyncQuarantine

// RunReport is one run of a connector.
type RunReport struct {
	ID         int64     `json:"id"`
	Connector  string    `json:"connector"`
	Trigger    string    `json:"trigger"`
	Full       bool      `json:"full"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
	// Status is running, succeeded, partial, failed or paused.
	Status string `json:"status"`
	Counts
	Error string `json:"error,omitempty"`
}

func reportOf(r crmstore.SyncRun) RunReport {
	return RunReport{ID: r.ID, Connector: r.Connector, Trigger: r.Trigger, Full: r.Full,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Status: r.Status, Counts: r.Counts, Error: r.Error}
}

// Status is a connector's state and health.
type Status struct {
	Connector string `json:"connector"`
	// State is idle, running, paused or failing.
	State string `json:"state"`
	// Reason says why the connector is paused or failing.
	Reason   string    `json:"reason,omitempty"`
	PausedAt time.Time `json:"pausedAt,omitzero"`
	// LastRun is the newest run, nil before the first.
	LastRun *RunReport `json:"lastRun,omitempty"`
	// LastSuccessAt is when the last run that did not fail finished.
	LastSuccessAt time.Time `json:"lastSuccessAt,omitzero"`
	// LagSeconds is the time since LastSuccessAt (since the first local
	// change when it never succeeded); 0 when nothing is pending.
	LagSeconds float64 `json:"lagSeconds"`
	// PendingChanges counts change-log rows past the connector's slowest
	// local cursor.
	PendingChanges int64 `json:"pendingChanges"`
	// InSync counts linked records; Excluded links whose record was deleted
	// on one side; Failing records with a quarantine entry; PendingDelete
	// deletions held back by the guard; OpenConflicts manual conflicts not
	// yet settled.
	InSync        int64 `json:"inSync"`
	Excluded      int64 `json:"excluded"`
	Failing       int64 `json:"failing"`
	Quarantined   int64 `json:"quarantined"`
	PendingDelete int64 `json:"pendingDelete"`
	OpenConflicts int64 `json:"openConflicts"`
}

// Plan is what a run would do, per object.
type Plan struct {
	Connector string       `json:"connector"`
	Objects   []ObjectPlan `json:"objects"`
}

// ObjectPlan is the plan of one object mapping. Items lists at most
// MaxPlanItems entries per side; the counts are complete.
type ObjectPlan struct {
	Object string   `json:"object"`
	Local  PlanSide `json:"local"`
	Remote PlanSide `json:"remote"`
	// Conflicts are the field conflicts the run would record.
	Conflicts     []Conflict `json:"conflicts"`
	ConflictCount int        `json:"conflictCount"`
	// Ambiguous counts remote records matching several local ones.
	Ambiguous int `json:"ambiguous"`
	// DeleteGuard is set when the deletions would trip the mass-delete guard.
	DeleteGuard string `json:"deleteGuard,omitempty"`
}

// PlanSide is what would change on one side.
type PlanSide struct {
	Create int        `json:"create"`
	Update int        `json:"update"`
	Delete int        `json:"delete"`
	Items  []PlanItem `json:"items"`
}

// PlanItem is one planned write.
type PlanItem struct {
	// Op is create, update or delete.
	Op       string            `json:"op"`
	LocalID  int64             `json:"localId,omitempty"`
	RemoteID string            `json:"remoteId,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
}

// MaxPlanItems bounds the items a plan lists per object and side.
const MaxPlanItems = 200
