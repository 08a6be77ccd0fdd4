package main

import (
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/syncengine"
)

func TestCell(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"", 10, "-"},
		{"plain", 10, "plain"},
		{"tab\there\nnewline", 40, "tab here newline"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ch…"},
		{"ünïcödé wörds", 5, "ünïc…"},
		{"\x1b[31mred", 20, " [31mred"},
	}
	for _, tt := range tests {
		if got := cell(tt.in, tt.width); got != tt.want {
			t.Errorf("cell(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestFmtFields(t *testing.T) {
	tests := []struct {
		in   map[string]string
		want string
	}{
		{nil, "-"},
		{map[string]string{"b": "2", "a": "1"}, "a=1 b=2"},
		{map[string]string{"name": "Ann Marie", "empty": "", "q": `say "hi"`, "eq": "a=b"}, `empty="" eq="a=b" name="Ann Marie" q="say \"hi\""`},
		{map[string]string{"long": strings.Repeat("x", 100)}, "long=" + strings.Repeat("x", fieldsWidth-6) + "…"},
	}
	for _, tt := range tests {
		if got := fmtFields(tt.in); got != tt.want {
			t.Errorf("fmtFields(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConflictOutcome(t *testing.T) {
	tests := []struct {
		c    syncengine.Conflict
		want string
	}{
		{syncengine.Conflict{}, "open"},
		{syncengine.Conflict{Resolved: true, Winner: "local"}, "local won"},
		{syncengine.Conflict{Resolved: true, Winner: "remote"}, "remote won"},
		{syncengine.Conflict{Resolved: true}, "resolved"},
	}
	for _, tt := range tests {
		if got := conflictOutcome(tt.c); got != tt.want {
			t.Errorf("conflictOutcome(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestCountSummaryAndTook(t *testing.T) {
	if got := countSummary(syncengine.Counts{Pulled: 5}); got != "pulled 5, pushed 0" {
		t.Errorf("countSummary = %q", got)
	}
	if got := countSummary(syncengine.Counts{Pushed: 1, Failed: 2, Ambiguous: 3, Conflicts: 4}); got != "pulled 0, pushed 1, conflicts 4, failed 2, ambiguous 3" {
		t.Errorf("countSummary = %q", got)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		took time.Duration
		want string
	}{
		{0, "0s"}, {1234567 * time.Microsecond, "1.2s"}, {250500 * time.Microsecond, "251ms"}, {-1, "-"},
	}
	for _, tt := range tests {
		r := syncengine.RunReport{StartedAt: start, FinishedAt: start.Add(tt.took)}
		if tt.took < 0 {
			r.FinishedAt = time.Time{}
		}
		if got := fmtTook(r); got != tt.want {
			t.Errorf("fmtTook(%v) = %q, want %q", tt.took, got, tt.want)
		}
	}
}

// A plan that lists fewer writes than it counts says so, and so do its conflicts.
func TestPrintPlan_Truncated(t *testing.T) {
	p := syncengine.Plan{Connector: "crm-a", Objects: []syncengine.ObjectPlan{{
		Object:        "contacts",
		Local:         syncengine.PlanSide{Create: 250, Items: []syncengine.PlanItem{{Op: "create", RemoteID: "1"}}},
		Remote:        syncengine.PlanSide{Delete: 3, Items: []syncengine.PlanItem{{Op: "delete", LocalID: 4, RemoteID: "9"}}},
		Conflicts:     []syncengine.Conflict{{Object: "contacts", LocalID: 4, RemoteID: "9", Field: "phone", Policy: "prefer_local"}},
		ConflictCount: 2,
		DeleteGuard:   "3 of 10 linked records (30%) exceeds max_delete_percent 10",
	}}}
	var b strings.Builder
	if err := printPlan(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"local   250     0       0",
		"remote  0       0       3",
		"conflicts: 2, ambiguous matches: 0",
		"mass-delete guard would pause the connector: 3 of 10 linked records",
		"remote  delete  4         9",
		"(2 of 253 writes listed)",
		"(1 of 2 conflicts listed)",
		"prefer_local",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
}

func TestPrintEmptyLists(t *testing.T) {
	tests := []struct {
		print func(*strings.Builder) error
		want  string
	}{
		{func(b *strings.Builder) error { return printStatuses(b, nil) }, "no connectors configured\n"},
		{func(b *strings.Builder) error { return printRuns(b, nil) }, "no runs yet\n"},
		{func(b *strings.Builder) error { return printConflicts(b, nil, false) }, "no open conflicts\n"},
		{func(b *strings.Builder) error { return printConflicts(b, nil, true) }, "no conflicts recorded\n"},
		{func(b *strings.Builder) error { return printQuarantine(b, nil) }, "no quarantined records\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := tt.print(&b); err != nil || b.String() != tt.want {
			t.Errorf("got %q, %v; want %q", b.String(), err, tt.want)
		}
	}
}
