package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/tandem-crm/tandem/syncengine"
	"github.com/tandem-crm/tandem/syncengine/schedule"
)

// fixedRunner answers every run and replay with the same report and error.
type fixedRunner struct {
	rep syncengine.RunReport
	err error
}

func (r fixedRunner) Run(context.Context, string, syncengine.RunOptions) (syncengine.RunReport, error) {
	return r.rep, r.err
}

func (r fixedRunner) Replay(context.Context, string, []int64) (syncengine.RunReport, error) {
	return r.rep, r.err
}

// The run and replay endpoints answer like the local backend (recordedRun): a run recorded as
// failed is a 200 report, while a run whose record could not be completed is an error, not a
// report that claims success with the run left "running" in the history.
func TestSyncAdmin_RunAnswersLikeTheLocalBackend(t *testing.T) {
	diskErr := errors.New("finish sync run 7: disk I/O error")
	tests := []struct {
		name     string
		rep      syncengine.RunReport
		err      error
		wantCode int
		wantText string // in the error message or the report's status
	}{
		{"succeeded", syncengine.RunReport{ID: 7, Connector: "crm", Status: syncengine.RunSucceeded}, nil, http.StatusOK, syncengine.RunSucceeded},
		{"failed run is a report", syncengine.RunReport{ID: 7, Connector: "crm", Status: syncengine.RunFailed, Error: "remote down"},
			errors.New("remote down"), http.StatusOK, syncengine.RunFailed},
		{"record not completed", syncengine.RunReport{ID: 7, Connector: "crm", Status: syncengine.RunSucceeded}, diskErr,
			http.StatusInternalServerError, "not recorded completely"},
		{"not started", syncengine.RunReport{}, errors.New("open store: locked"), http.StatusInternalServerError, "locked"},
	}
	for _, tc := range tests {
		for _, ep := range []string{"run", "quarantine/replay"} {
			t.Run(tc.name+" "+ep, func(t *testing.T) {
				sched, err := schedule.New(schedule.Options{Runner: fixedRunner{tc.rep, tc.err}})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = sched.Stop(context.Background()) })
				log := zaptest.NewLogger(t)
				a := &syncAdmin{sd: &syncDaemon{log: log, sched: sched, running: map[string]builtConnector{}, failed: map[string]string{}}, log: log}
				fn := a.run
				if ep != "run" {
					fn = a.replay
				}
				req := httptest.NewRequest(http.MethodPost, "/sync/connectors/crm/"+ep, nil)
				req.SetPathValue("name", "crm")
				rec := httptest.NewRecorder()
				a.handle(fn, true).ServeHTTP(rec, req)

				if rec.Code != tc.wantCode {
					t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tc.wantCode)
				}
				var body map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatal(err)
				}
				got, _ := body["error"].(string)
				if tc.wantCode == http.StatusOK {
					got, _ = body["status"].(string)
				}
				if !strings.Contains(got, tc.wantText) {
					t.Errorf("answer %s, want %q", rec.Body, tc.wantText)
				}
			})
		}
	}
}
