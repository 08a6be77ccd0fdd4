package syncengine

import (
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

func TestMergeField(t *testing.T) {
	both := func(in mergeInput) mergeInput { in.Pulls, in.Pushes = true, true; return in }
	tests := []struct {
		name string
		in   mergeInput
		want mergeResult
	}{
		{"nothing changed", both(mergeInput{Base: "a", Local: "a", Remote: "a"}), mergeResult{Base: "a"}},
		{"remote changed", both(mergeInput{Base: "a", Local: "a", Remote: "b"}), mergeResult{SetLocal: true, Value: "b", Base: "b"}},
		{"local changed: the push sends it", both(mergeInput{Base: "a", Local: "b", Remote: "a"}), mergeResult{Base: "a"}},
		{"both changed alike", both(mergeInput{Base: "a", Local: "b", Remote: "b"}), mergeResult{Base: "b"}},
		{"remote emptied: empty never overwrites", both(mergeInput{Base: "a", Local: "a", Remote: ""}), mergeResult{Base: "a"}},
		{"remote emptied with overwrite", both(mergeInput{Base: "a", Local: "a", Remote: "", OverwriteEmpty: true}), mergeResult{SetLocal: true, Value: "", Base: ""}},
		{"prefer remote", both(mergeInput{Base: "a", Local: "l", Remote: "r", Policy: PreferRemote}),
			mergeResult{SetLocal: true, Value: "r", Base: "r", Conflict: true, Winner: crmstore.WinnerRemote}},
		{"prefer local", both(mergeInput{Base: "a", Local: "l", Remote: "r", Policy: PreferLocal}),
			mergeResult{Base: "r", Conflict: true, Winner: crmstore.WinnerLocal}},
		{"most recent, remote newer", both(mergeInput{Base: "a", Local: "l", Remote: "r", Policy: MostRecent, RemoteNewer: true}),
			mergeResult{SetLocal: true, Value: "r", Base: "r", Conflict: true, Winner: crmstore.WinnerRemote}},
		{"most recent, local newer", both(mergeInput{Base: "a", Local: "l", Remote: "r", Policy: MostRecent}),
			mergeResult{Base: "r", Conflict: true, Winner: crmstore.WinnerLocal}},
		{"manual keeps both", both(mergeInput{Base: "a", Local: "l", Remote: "r", Policy: Manual}), mergeResult{Base: "a", Conflict: true}},
		{"prefer remote but remote emptied: the value wins", both(mergeInput{Base: "a", Local: "l", Remote: "", Policy: PreferRemote}),
			mergeResult{Base: "", Conflict: true, Winner: crmstore.WinnerLocal}},
		{"conflict with empty local loses", both(mergeInput{Base: "a", Local: "", Remote: "r", Policy: PreferLocal}),
			mergeResult{SetLocal: true, Value: "r", Base: "r", Conflict: true, Winner: crmstore.WinnerRemote}},
		{"first link: only remote has a value", both(mergeInput{Base: "", Local: "", Remote: "r", Policy: PreferLocal}),
			mergeResult{SetLocal: true, Value: "r", Base: "r"}},
		{"first link: different values are a conflict", both(mergeInput{Base: "", Local: "l", Remote: "r", Policy: PreferLocal}),
			mergeResult{Base: "r", Conflict: true, Winner: crmstore.WinnerLocal}},
		{"parked field stays", both(mergeInput{Base: "a", Local: "l", Remote: "r2", Policy: Manual, Parked: true}), mergeResult{Base: "a"}},
		{"parked field settles when sides agree", both(mergeInput{Base: "a", Local: "r", Remote: "r", Policy: Manual, Parked: true}),
			mergeResult{Base: "r", Resolved: true}},
		{"pull-only takes remote over a local edit", mergeInput{Base: "a", Local: "l", Remote: "r", Pulls: true},
			mergeResult{SetLocal: true, Value: "r", Base: "r"}},
		{"pull-only equal", mergeInput{Base: "a", Local: "r", Remote: "r", Pulls: true}, mergeResult{Base: "r"}},
		{"push-only ignores the remote", mergeInput{Base: "a", Local: "a", Remote: "r", Pushes: true}, mergeResult{Base: "a"}},
		{"type-aware equality", both(mergeInput{Base: "1.0", Local: "1", Remote: "1.00",
			Equal: func(a, b string) bool { return a[:1] == b[:1] }}), mergeResult{Base: "1.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeField(tc.in); got != tc.want {
				t.Errorf("mergeField(%+v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}
