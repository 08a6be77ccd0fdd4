package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/syncengine"
	"github.com/tandem-crm/tandem/syncengine/schedule"
)

// memTestType is a connector type registered for these tests: a memory remote chosen by the
// "remote" option from testRemotes; the option "block" makes every Pull wait until the
// remote's channel in testBlocks is closed.
const memTestType = "memtest"

var (
	registerMemTest sync.Once
	testRemotesMu   sync.Mutex
	testRemotes     = map[string]*memory.Remote{}
	testBlocks      = map[string]chan struct{}{}
)

// addTestRemote registers remote under a fresh key for connectors of type memtest and returns
// the key; block, when not nil, holds the connector's pulls until it is closed.
func addTestRemote(t *testing.T, remote *memory.Remote, block chan struct{}) string {
	t.Helper()
	registerMemTest.Do(func() {
		connectors.Register(memTestType, func(cfg connectors.Config) (connectors.Connector, error) {
			opts := map[string]string{}
			for k, v := range cfg.Options {
				if k != "remote" {
					opts[k] = v
				}
			}
			testRemotesMu.Lock()
			r, ok := testRemotes[cfg.Options["remote"]]
			block := testBlocks[cfg.Options["remote"]]
			testRemotesMu.Unlock()
			if !ok {
				return nil, fmt.Errorf("option remote: no test remote %q", cfg.Options["remote"])
			}
			conn, err := memory.Factory(r)(connectors.Config{Name: cfg.Name, Options: opts})
			if err != nil || block == nil {
				return conn, err
			}
			return blockingConnector{Connector: conn, block: block}, nil
		})
	})
	testRemotesMu.Lock()
	defer testRemotesMu.Unlock()
	key := fmt.Sprintf("%s-%d", t.Name(), len(testRemotes))
	testRemotes[key] = remote
	if block != nil {
		testBlocks[key] = block
	}
	return key
}

// blockingConnector holds every Pull until block is closed or the run is cancelled.
type blockingConnector struct {
	connectors.Connector
	block chan struct{}
}

func (c blockingConnector) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	select {
	case <-c.block:
	case <-ctx.Done():
		return connectors.Page{}, ctx.Err()
	}
	return c.Connector.Pull(ctx, req)
}

// parseConfig parses a configuration, failing the test on problems.
func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatalf("parse config: %v", err)
	}
	return cfg
}

func TestSyncSpec(t *testing.T) {
	cfg := parseConfig(t, `
connectors:
  - name: crm
    type: hubspot
    schedule: "*/5 * * * *"
    push_on_change: true
    objects:
      - object: contacts
        remote: people
        create: pull
        match: [email]
        conflict: prefer_remote
        deletes: archive
        max_delete_percent: 20
        fields:
          - {local: email, remote: email_address, transform: trim|lower}
          - {local: lifecyclestage, remote: stage, direction: pull, values: {Lead: lead}, overwrite_with_empty: true}
      - object: companies
        direction: pull
        fields:
          - {local: domain, remote: domain}
`)
	got := syncSpec(cfg.Connectors[0])
	want := syncengine.ConnectorSpec{Name: "crm", Objects: []syncengine.ObjectSpec{
		{Object: "contacts", Remote: "people", Direction: syncengine.DirectionBoth, Create: syncengine.DirectionPull,
			Match: []string{"email"}, Conflict: syncengine.PreferRemote, Deletes: syncengine.DeletesArchive, MaxDeletePercent: 20,
			Fields: []syncengine.FieldSpec{
				{Local: "email", Remote: "email_address", Direction: syncengine.DirectionBoth, Transform: "trim|lower"},
				{Local: "lifecyclestage", Remote: "stage", Direction: syncengine.DirectionPull, Values: map[string]string{"Lead": "lead"}, OverwriteWithEmpty: true},
			}},
		{Object: "companies", Remote: "companies", Direction: syncengine.DirectionPull, Create: syncengine.DirectionPull,
			Conflict: syncengine.MostRecent, Deletes: syncengine.DeletesIgnore, MaxDeletePercent: 10,
			Fields: []syncengine.FieldSpec{{Local: "domain", Remote: "domain", Direction: syncengine.DirectionPull}}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("syncSpec =\n%+v\nwant\n%+v", got, want)
	}
}

func TestScheduleSpec(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       schedule.Spec
	}{
		{"push objects only", `
connectors:
  - name: crm
    type: hubspot
    schedule: "@every 5m"
    push_on_change: true
    objects:
      - {object: contacts, fields: [{local: email, remote: email}]}
      - {object: companies, direction: pull, fields: [{local: domain, remote: domain}]}
      - {object: deals, direction: push, fields: [{local: dealname, remote: dealname}]}
`, schedule.Spec{Name: "crm", Schedule: "@every 5m", Reconcile: config.DefaultReconcile, PushOnChange: true, Objects: []string{"contacts", "deals"}}},
		{"pull only has nothing to push", `
connectors:
  - name: crm
    type: hubspot
    push_on_change: true
    reconcile: "@weekly"
    objects:
      - {object: contacts, direction: pull, fields: [{local: email, remote: email}]}
`, schedule.Spec{Name: "crm", Reconcile: "@weekly"}},
		{"push on change off", `
connectors:
  - name: crm
    type: hubspot
    objects:
      - {object: contacts, fields: [{local: email, remote: email}]}
`, schedule.Spec{Name: "crm", Reconcile: config.DefaultReconcile, Objects: []string{"contacts"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scheduleSpec(parseConfig(t, tc.yaml).Connectors[0]); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("scheduleSpec = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCheckConnectors(t *testing.T) {
	const head = `
connectors:
  - name: crm
`
	const okOptions = `    options: {token: "t"}
`
	for _, tc := range []struct {
		name, yaml string
		want       []string // "path: message fragment", in order
	}{
		{"valid", head + "    type: hubspot\n" + okOptions + `    objects:
      - object: contacts
        fields:
          - {local: email, remote: email, transform: trim|lower}
          - {local: phone, remote: phone, transform: e164}
          - {local: birthday, remote: dob, transform: "date:DAY_MONTH_YEAR"}
          - {local: lifecyclestage, remote: stage, values: {Lead: lead, Customer: customer}}
`, nil},
		{"unknown type", head + `    type: salesforce
    objects:
      - {object: contacts, fields: [{local: email, remote: email}]}
`, []string{`connectors[0].type: unknown connector type "salesforce" (known: `}},
		{"bad option", head + `    type: hubspot
    options: {token: "t", requests_per_10s: "lots"}
    objects:
      - {object: contacts, fields: [{local: email, remote: email}]}
`, []string{`connectors[0].options: `, `requests_per_10s`}},
		{"bad transforms", head + "    type: hubspot\n" + okOptions + `    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
          - {local: phone, remote: phone, transform: phone}
      - object: companies
        fields:
          - {local: founded, remote: founded, transform: "date:YYYY"}
`, []string{`connectors[0].objects[0].fields[1].transform: transform "phone" (step 1): unknown transform "phone"`,
			`connectors[0].objects[1].fields[0].transform: transform "date:YYYY" (step 1): unknown date layout "YYYY"`}},
		{"field set", head + "    type: hubspot\n" + okOptions + `    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
          - {local: work_email, remote: email}
          - {local: stage, remote: stage, values: {Lead: lead, Prospect: lead}}
`, []string{`connectors[0].objects[0]: fields[1] (local "work_email", remote "email"): remote field "email" is already mapped by fields[0]`,
			`connectors[0].objects[0]: fields[2] (local "stage", remote "stage"): value map is not one-to-one`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := checkConnectors(parseConfig(t, tc.yaml))
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if len(tc.want) == 0 && len(got) > 0 {
				t.Fatalf("problems %q, want none", got)
			}
			if tc.name == "bad option" { // one problem naming the option
				if len(got) != 1 || !strings.HasPrefix(got[0], tc.want[0]) || !strings.Contains(got[0], tc.want[1]) {
					t.Errorf("problems %q, want one at options naming %s", got, tc.want[1])
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d: %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("problem %d = %q, want it to start with %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCheckConfigCommand_Connectors(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/tandem.yaml"
	writeFile(t, file, `connectors:
  - name: crm
    type: hubspot
    options: {token: "t"}
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email, transform: lowercase}
  - name: mail
    type: mailchimp
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
`)
	var out, errOut strings.Builder
	if code := run([]string{"check-config", file}, &out, &errOut); code != exitError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitError, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	want := []string{
		file + `: connectors[0].objects[0].fields[0].transform: transform "lowercase" (step 1): unknown transform "lowercase"`,
		file + `: connectors[1].type: unknown connector type "mailchimp"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("stderr:\n%s\nwant %d lines", errOut.String(), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %q, want it to start with %q", i, lines[i], want[i])
		}
	}
}
