package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/tandem-crm/tandem/syncengine"
)

// Human output of the sync commands: tables through text/tabwriter. Values that come from
// records or remotes (reasons, field values) are cleaned of control characters and cut to a
// width, so one odd value cannot break a table; --json prints them in full.

// Widths at which table cells are cut.
const (
	reasonWidth = 60
	valueWidth  = 30
	fieldsWidth = 80
)

// timeLayout formats times in the tables: local time with its offset.
const timeLayout = "2006-01-02 15:04:05Z07:00"

// table writes a header and rows as aligned columns, each line prefixed by indent.
func table(w io.Writer, indent string, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells []string) {
		fmt.Fprintln(tw, indent+strings.Join(cells, "\t"))
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return tw.Flush()
}

// cell makes s safe for a table cell: control characters become spaces, an empty value
// becomes "-", and a value longer than width runes is cut with an ellipsis.
func cell(s string, width int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if s == "" {
		return "-"
	}
	return truncate(s, width)
}

// truncate cuts s to at most width runes, ending in "…" when cut.
func truncate(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return string(r[:width-1]) + "…"
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(timeLayout)
}

// fmtTook is how long a run took, "-" while it runs.
func fmtTook(r syncengine.RunReport) string {
	if r.FinishedAt.IsZero() || r.StartedAt.IsZero() {
		return "-"
	}
	d := r.FinishedAt.Sub(r.StartedAt)
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func fmtLag(seconds float64) string {
	return (time.Duration(seconds * float64(time.Second))).Round(time.Second).String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fmtID(n int64) string {
	if n == 0 {
		return "-"
	}
	return itoa(n)
}

// pair formats a local/remote pair of counts as "L/R".
func pair(local, remote int64) string { return itoa(local) + "/" + itoa(remote) }

// countSummary is a short form of a run's counts for the status table.
func countSummary(c syncengine.Counts) string {
	parts := []string{"pulled " + itoa(c.Pulled), "pushed " + itoa(c.Pushed)}
	for _, p := range []struct {
		name string
		n    int64
	}{{"conflicts", c.Conflicts}, {"failed", c.Failed}, {"ambiguous", c.Ambiguous}} {
		if p.n > 0 {
			parts = append(parts, p.name+" "+itoa(p.n))
		}
	}
	return strings.Join(parts, ", ")
}

// lastRunCell is a status table's "last run": id, status and when it finished (or started).
func lastRunCell(r *syncengine.RunReport) (last, counts string) {
	if r == nil {
		return "never", "-"
	}
	at := r.FinishedAt
	if at.IsZero() {
		at = r.StartedAt
	}
	return fmt.Sprintf("#%d %s %s", r.ID, r.Status, fmtTime(at)), countSummary(r.Counts)
}

// printStatuses writes the status table.
func printStatuses(w io.Writer, sts []syncengine.Status) error {
	if len(sts) == 0 {
		_, err := fmt.Fprintln(w, "no connectors configured")
		return err
	}
	header := []string{"NAME", "STATE", "REASON", "LAST RUN", "COUNTS", "LAG", "PENDING",
		"IN-SYNC", "EXCLUDED", "FAILING", "QUARANTINED", "PENDING-DELETE", "OPEN-CONFLICTS"}
	rows := make([][]string, len(sts))
	for i, st := range sts {
		last, counts := lastRunCell(st.LastRun)
		rows[i] = []string{cell(st.Connector, 40), st.State, cell(st.Reason, reasonWidth), last, counts,
			fmtLag(st.LagSeconds), itoa(st.PendingChanges), itoa(st.InSync), itoa(st.Excluded), itoa(st.Failing),
			itoa(st.Quarantined), itoa(st.PendingDelete), itoa(st.OpenConflicts)}
	}
	return table(w, "", header, rows)
}

// printRunReport writes one run as "key value" lines.
func printRunReport(w io.Writer, r syncengine.RunReport) error {
	kind := r.Trigger
	if r.Full {
		kind += ", full reconciliation"
	}
	rows := [][]string{
		{"run", itoa(r.ID)},
		{"connector", r.Connector},
		{"status", r.Status},
		{"trigger", kind},
		{"started", fmtTime(r.StartedAt)},
		{"finished", fmtTime(r.FinishedAt) + " (took " + fmtTook(r) + ")"},
		{"pulled", itoa(r.Pulled)},
		{"pushed", itoa(r.Pushed)},
		{"created", "local " + itoa(r.CreatedLocal) + ", remote " + itoa(r.CreatedRemote)},
		{"updated", "local " + itoa(r.UpdatedLocal) + ", remote " + itoa(r.UpdatedRemote)},
		{"deleted", "local " + itoa(r.DeletedLocal) + ", remote " + itoa(r.DeletedRemote)},
		{"conflicts", itoa(r.Conflicts)},
		{"failed", itoa(r.Failed)},
		{"ambiguous", itoa(r.Ambiguous)},
		{"skipped echo", itoa(r.SkippedEcho)},
	}
	if r.Error != "" {
		rows = append(rows, []string{"error", cell(r.Error, 1<<16)})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintln(tw, row[0]+"\t"+row[1])
	}
	return tw.Flush()
}

// printRuns writes the run history table.
func printRuns(w io.Writer, runs []syncengine.RunReport) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(w, "no runs yet")
		return err
	}
	header := []string{"ID", "TRIGGER", "FULL", "STATUS", "STARTED", "TOOK", "PULLED", "PUSHED",
		"CREATED L/R", "UPDATED L/R", "DELETED L/R", "CONFLICTS", "FAILED", "ERROR"}
	rows := make([][]string, len(runs))
	for i, r := range runs {
		rows[i] = []string{itoa(r.ID), r.Trigger, strconv.FormatBool(r.Full), r.Status, fmtTime(r.StartedAt), fmtTook(r),
			itoa(r.Pulled), itoa(r.Pushed), pair(r.CreatedLocal, r.CreatedRemote), pair(r.UpdatedLocal, r.UpdatedRemote),
			pair(r.DeletedLocal, r.DeletedRemote), itoa(r.Conflicts), itoa(r.Failed), cell(r.Error, reasonWidth)}
	}
	return table(w, "", header, rows)
}

// conflictOutcome says how a conflict ended.
func conflictOutcome(c syncengine.Conflict) string {
	switch {
	case !c.Resolved:
		return "open"
	case c.Winner != "":
		return c.Winner + " won"
	default:
		return "resolved"
	}
}

// printConflicts writes the conflicts table.
func printConflicts(w io.Writer, cs []syncengine.Conflict, all bool) error {
	if len(cs) == 0 {
		msg := "no open conflicts"
		if all {
			msg = "no conflicts recorded"
		}
		_, err := fmt.Fprintln(w, msg)
		return err
	}
	return table(w, "", conflictHeader(true), conflictRows(cs, true))
}

func conflictHeader(withID bool) []string {
	h := []string{"OBJECT", "LOCAL ID", "REMOTE ID", "FIELD", "BASE", "LOCAL", "REMOTE", "POLICY", "OUTCOME"}
	if withID {
		h = append([]string{"ID"}, append(h, "RECORDED")...)
	}
	return h
}

func conflictRows(cs []syncengine.Conflict, withID bool) [][]string {
	rows := make([][]string, len(cs))
	for i, c := range cs {
		r := []string{c.Object, fmtID(c.LocalID), cell(c.RemoteID, 40), cell(c.Field, 40), cell(c.Base, valueWidth),
			cell(c.Local, valueWidth), cell(c.Remote, valueWidth), c.Policy, conflictOutcome(c)}
		if withID {
			r = append([]string{itoa(c.ID)}, append(r, fmtTime(c.CreatedAt))...)
		}
		rows[i] = r
	}
	return rows
}

// printQuarantine writes the quarantine table.
func printQuarantine(w io.Writer, qs []syncengine.QuarantineEntry) error {
	if len(qs) == 0 {
		_, err := fmt.Fprintln(w, "no quarantined records")
		return err
	}
	header := []string{"ID", "OBJECT", "DIRECTION", "LOCAL ID", "REMOTE ID", "OP", "CODE", "ATTEMPTS", "FIRST FAILED", "LAST FAILED", "REASON"}
	rows := make([][]string, len(qs))
	for i, q := range qs {
		rows[i] = []string{itoa(q.ID), q.Object, q.Direction, fmtID(q.LocalID), cell(q.RemoteID, 40), cell(q.Op, 20),
			cell(q.Code, 30), strconv.Itoa(q.Attempts), fmtTime(q.FirstAt), fmtTime(q.LastAt), cell(q.Reason, reasonWidth)}
	}
	return table(w, "", header, rows)
}

// printPlan writes a dry run: per object the counts per side, the planned writes and the
// conflicts.
func printPlan(w io.Writer, p syncengine.Plan) error {
	if _, err := fmt.Fprintf(w, "plan for %s (dry run: nothing was written)\n", p.Connector); err != nil {
		return err
	}
	for _, o := range p.Objects {
		if err := printObjectPlan(w, o); err != nil {
			return err
		}
	}
	return nil
}

func printObjectPlan(w io.Writer, o syncengine.ObjectPlan) error {
	fmt.Fprintf(w, "\n%s\n", o.Object)
	sides := [][]string{
		{"local", strconv.Itoa(o.Local.Create), strconv.Itoa(o.Local.Update), strconv.Itoa(o.Local.Delete)},
		{"remote", strconv.Itoa(o.Remote.Create), strconv.Itoa(o.Remote.Update), strconv.Itoa(o.Remote.Delete)},
	}
	if err := table(w, "  ", []string{"SIDE", "CREATE", "UPDATE", "DELETE"}, sides); err != nil {
		return err
	}
	fmt.Fprintf(w, "  conflicts: %d, ambiguous matches: %d\n", o.ConflictCount, o.Ambiguous)
	if o.DeleteGuard != "" {
		fmt.Fprintf(w, "  mass-delete guard would pause the connector: %s\n", cell(o.DeleteGuard, 1<<16))
	}
	if items := planItemRows(o); len(items) > 0 {
		fmt.Fprintln(w)
		if err := table(w, "  ", []string{"SIDE", "OP", "LOCAL ID", "REMOTE ID", "FIELDS"}, items); err != nil {
			return err
		}
		if listed, total := len(o.Local.Items)+len(o.Remote.Items), planTotal(o); listed < total {
			fmt.Fprintf(w, "  (%d of %d writes listed)\n", listed, total)
		}
	}
	if len(o.Conflicts) > 0 {
		fmt.Fprintln(w)
		if err := table(w, "  ", conflictHeader(false), conflictRows(o.Conflicts, false)); err != nil {
			return err
		}
		if len(o.Conflicts) < o.ConflictCount {
			fmt.Fprintf(w, "  (%d of %d conflicts listed)\n", len(o.Conflicts), o.ConflictCount)
		}
	}
	return nil
}

func planTotal(o syncengine.ObjectPlan) int {
	return o.Local.Create + o.Local.Update + o.Local.Delete + o.Remote.Create + o.Remote.Update + o.Remote.Delete
}

func planItemRows(o syncengine.ObjectPlan) [][]string {
	var rows [][]string
	for _, side := range []struct {
		name  string
		items []syncengine.PlanItem
	}{{"local", o.Local.Items}, {"remote", o.Remote.Items}} {
		for _, it := range side.items {
			rows = append(rows, []string{side.name, it.Op, fmtID(it.LocalID), cell(it.RemoteID, 40), fmtFields(it.Fields)})
		}
	}
	return rows
}

// fmtFields formats planned field values as name=value pairs sorted by name; values with
// spaces or quotes are quoted.
func fmtFields(f map[string]string) string {
	if len(f) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(f))
	for _, k := range slices.Sorted(maps.Keys(f)) {
		v := f[k]
		if v == "" || strings.ContainsAny(v, " \t\n\"=") {
			v = strconv.Quote(v)
		}
		parts = append(parts, k+"="+v)
	}
	return cell(strings.Join(parts, " "), fieldsWidth)
}

// printResumed says that a connector was resumed and what became of the deletions the
// mass-delete guard held back.
func printResumed(w io.Writer, before, after syncengine.Status, approved bool) error {
	if before.State != syncengine.StatePaused {
		_, err := fmt.Fprintf(w, "connector %s was not paused (state %s)\n", after.Connector, after.State)
		return err
	}
	if _, err := fmt.Fprintf(w, "connector %s resumed (state %s)\n", after.Connector, after.State); err != nil {
		return err
	}
	if before.PendingDelete == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d held-back deletion(s) dropped: those records stay on both sides and no longer sync", before.PendingDelete)
	if approved {
		msg = fmt.Sprintf("%d held-back deletion(s) will be applied by the next run", before.PendingDelete)
	}
	_, err := fmt.Fprintln(w, msg)
	return err
}
