package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/internal/admin"
	"github.com/tandem-crm/tandem/syncengine"
	"github.com/tandem-crm/tandem/syncengine/schedule"
)

// The /sync admin endpoints (behind the admin token), for `tandem sync ...` and operators.
// Bodies are the engine's types as they marshal; errors are {"error": "..."} with
//
//	400 a bad query parameter or body    409 the connector is running
//	404 no such connector (running)      423 the connector is paused
//	500 anything else                    503 the daemon is shutting down
//
//	GET  /sync/connectors                          {"connectors": [Status...]}
//	GET  /sync/connectors/{name}                   Status
//	GET  /sync/connectors/{name}/runs?limit=N      {"runs": [RunReport...]}, newest first
//	POST /sync/connectors/{name}/run?full=true     RunReport, also of a failed run
//	POST /sync/connectors/{name}/plan              Plan
//	POST /sync/connectors/{name}/pause             {"reason": "..."} → Status
//	POST /sync/connectors/{name}/resume            {"approveDeletes": bool} → Status
//	GET  /sync/connectors/{name}/conflicts?all=true&limit=N {"conflicts": [Conflict...]},
//	                                               open ones unless all, newest first
//	GET  /sync/connectors/{name}/quarantine?limit=N {"quarantine": [QuarantineEntry...]}
//	POST /sync/connectors/{name}/quarantine/replay {"ids": [...]} (empty: all) → RunReport
//
// Runs started here pass the scheduler's gate like scheduled ones, so they never overlap
// one, and they are not cancelled when the client goes away: a run, once started, finishes
// and is recorded. Their responses may take long, so they lift the admin server's write
// timeout.

// Defaults and bounds of the list endpoints' limit parameter.
const (
	defaultRunsLimit       = 20
	maxRunsLimit           = 1000
	defaultQuarantineLimit = 100
	maxQuarantineLimit     = 10000
	defaultConflictsLimit  = 100
	maxConflictsLimit      = 1000
	maxSyncAdminBody       = 1 << 20
)

// syncAdmin serves the /sync endpoints.
type syncAdmin struct {
	sd  *syncDaemon
	log *zap.Logger
}

// mountSyncAdmin mounts the /sync endpoints on adm.
func mountSyncAdmin(adm *admin.Server, sd *syncDaemon, log *zap.Logger) {
	a := &syncAdmin{sd: sd, log: log}
	adm.Handle("GET /sync/connectors", a.handle(a.list, false))
	adm.Handle("GET /sync/connectors/{name}", a.handle(a.status, false))
	adm.Handle("GET /sync/connectors/{name}/runs", a.handle(a.runs, false))
	adm.Handle("POST /sync/connectors/{name}/run", a.handle(a.run, true))
	adm.Handle("POST /sync/connectors/{name}/plan", a.handle(a.plan, true))
	adm.Handle("POST /sync/connectors/{name}/pause", a.handle(a.pause, false))
	adm.Handle("POST /sync/connectors/{name}/resume", a.handle(a.resume, false))
	adm.Handle("GET /sync/connectors/{name}/conflicts", a.handle(a.conflicts, false))
	adm.Handle("GET /sync/connectors/{name}/quarantine", a.handle(a.quarantine, false))
	adm.Handle("POST /sync/connectors/{name}/quarantine/replay", a.handle(a.replay, true))
}

// statusError is an error with its HTTP status.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &statusError{code: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// handle adapts fn to an http.Handler: 200 with fn's value as JSON, or the error's status
// with {"error": ...}. long lifts the write timeout for calls that run the connector.
func (a *syncAdmin) handle(fn func(r *http.Request) (any, error), long bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if long {
			// The zero time means no deadline; a server that cannot change it keeps its own.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		}
		v, err := fn(r)
		if err != nil {
			code, msg := a.classify(r, err)
			if code == http.StatusInternalServerError {
				a.log.Error("admin sync request failed", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
			}
			admin.WriteJSON(w, code, map[string]string{"error": msg})
			return
		}
		admin.WriteJSON(w, http.StatusOK, v)
	})
}

// classify maps an error to its status and message.
func (a *syncAdmin) classify(r *http.Request, err error) (int, string) {
	var se *statusError
	switch {
	case errors.As(err, &se):
		return se.code, se.msg
	case errors.Is(err, syncengine.ErrUnknownConnector):
		name := r.PathValue("name")
		if why := a.sd.notRunning(name); why != "" {
			return http.StatusNotFound, fmt.Sprintf("connector %q is configured but not running: %s", name, why)
		}
		return http.StatusNotFound, fmt.Sprintf("no connector named %q", name)
	case errors.Is(err, syncengine.ErrBusy):
		return http.StatusConflict, err.Error()
	case errors.Is(err, syncengine.ErrPaused):
		return http.StatusLocked, err.Error()
	case errors.Is(err, schedule.ErrStopped):
		return http.StatusServiceUnavailable, "the daemon is shutting down"
	}
	return http.StatusInternalServerError, err.Error()
}

// list is every connector's status, those that could not start included.
func (a *syncAdmin) list(r *http.Request) (any, error) {
	sts, err := a.sd.engine.Statuses(r.Context())
	if err != nil {
		return nil, err
	}
	a.sd.mu.Lock()
	for name, why := range a.sd.failed {
		sts = append(sts, syncengine.Status{Connector: name, State: connectorStateUnavailable, Reason: why})
	}
	a.sd.mu.Unlock()
	sortStatuses(sts)
	return map[string][]syncengine.Status{"connectors": nonNilSlice(sts)}, nil
}

func (a *syncAdmin) status(r *http.Request) (any, error) {
	name := r.PathValue("name")
	if why := a.sd.notRunning(name); why != "" {
		return syncengine.Status{Connector: name, State: connectorStateUnavailable, Reason: why}, nil
	}
	return a.sd.engine.Status(r.Context(), name)
}

func (a *syncAdmin) runs(r *http.Request) (any, error) {
	limit, err := queryLimit(r, defaultRunsLimit, maxRunsLimit)
	if err != nil {
		return nil, err
	}
	runs, err := a.sd.engine.Runs(r.Context(), r.PathValue("name"), limit)
	if err != nil {
		return nil, err
	}
	return map[string][]syncengine.RunReport{"runs": nonNilSlice(runs)}, nil
}

// run runs the connector now. A run that was recorded as failed answers 200 with its report:
// the report says how. As in the local backend (recordedRun), a run whose record could not be
// completed is an error, since its report would claim an outcome the history does not hold.
func (a *syncAdmin) run(r *http.Request) (any, error) {
	full, err := queryBool(r, "full")
	if err != nil {
		return nil, err
	}
	opts := syncengine.RunOptions{Full: full, Trigger: syncengine.TriggerManual}
	return runAnswer(recordedRun(a.sd.sched.Run(context.WithoutCancel(r.Context()), r.PathValue("name"), opts)))
}

// runAnswer is a handler's answer for the report of a run: the report, or only the error.
func runAnswer(rep syncengine.RunReport, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (a *syncAdmin) plan(r *http.Request) (any, error) {
	return a.sd.engine.Plan(r.Context(), r.PathValue("name"))
}

func (a *syncAdmin) pause(r *http.Request) (any, error) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	name := r.PathValue("name")
	if err := a.sd.engine.Pause(r.Context(), name, body.Reason); err != nil {
		return nil, err
	}
	return a.sd.engine.Status(r.Context(), name)
}

func (a *syncAdmin) resume(r *http.Request) (any, error) {
	var body struct {
		ApproveDeletes bool `json:"approveDeletes"`
	}
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	name := r.PathValue("name")
	if err := a.sd.engine.Resume(r.Context(), name, body.ApproveDeletes); err != nil {
		return nil, err
	}
	return a.sd.engine.Status(r.Context(), name)
}

func (a *syncAdmin) conflicts(r *http.Request) (any, error) {
	all, err := queryBool(r, "all")
	if err != nil {
		return nil, err
	}
	limit, err := queryLimit(r, defaultConflictsLimit, maxConflictsLimit)
	if err != nil {
		return nil, err
	}
	cs, err := a.sd.engine.Conflicts(r.Context(), r.PathValue("name"), syncengine.ConflictQuery{Open: !all, Limit: limit})
	if err != nil {
		return nil, err
	}
	return map[string][]syncengine.Conflict{"conflicts": nonNilSlice(cs)}, nil
}

func (a *syncAdmin) quarantine(r *http.Request) (any, error) {
	limit, err := queryLimit(r, defaultQuarantineLimit, maxQuarantineLimit)
	if err != nil {
		return nil, err
	}
	q, err := a.sd.engine.Quarantine(r.Context(), r.PathValue("name"), limit)
	if err != nil {
		return nil, err
	}
	return map[string][]syncengine.QuarantineEntry{"quarantine": nonNilSlice(q)}, nil
}

// replay retries quarantined records as a recorded run, answered like run.
func (a *syncAdmin) replay(r *http.Request) (any, error) {
	var body struct {
		IDs []int64 `json:"ids"`
	}
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	return runAnswer(recordedRun(a.sd.sched.Replay(context.WithoutCancel(r.Context()), r.PathValue("name"), body.IDs)))
}

// decodeBody reads an optional JSON object body into v; an empty body leaves v as it is.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxSyncAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return badRequest("invalid JSON body: %v", err)
	}
	return nil
}

// queryBool reads an optional boolean query parameter.
func queryBool(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("query parameter %s: %q is not true or false", name, s)
	}
	return b, nil
}

// queryLimit reads the optional limit query parameter within 1..most.
func queryLimit(r *http.Request, def, most int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > most {
		return 0, badRequest("query parameter limit: %q is not a whole number between 1 and %d", s, most)
	}
	return n, nil
}

// nonNilSlice makes an empty list marshal as [] rather than null.
func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
