package syncengine

// The field-level three-way merge and the conflict policies.

import (
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// mergeInput is one mapped field of a linked record as the pull sees it,
// all values in the local representation.
type mergeInput struct {
	Base, Local, Remote string
	Pulls, Pushes       bool
	Policy              ConflictPolicy
	// RemoteNewer: the remote record changed after the local one (for
	// most_recent).
	RemoteNewer bool
	// OverwriteEmpty lets an empty value clear the other side.
	OverwriteEmpty bool
	// Parked: an open manual conflict holds the field.
	Parked bool
	// Equal compares two local values (type-aware); nil means ==.
	Equal func(a, b string) bool
}

// mergeResult is what the pull does with the field.
type mergeResult struct {
	// SetLocal: write Value to the local record.
	SetLocal bool
	Value    string
	// Base is the field's new base.
	Base string
	// Conflict: both sides changed to different values; Winner says who won
	// ("" for manual: nothing changes and the conflict stays open).
	Conflict bool
	Winner   string
	// Resolved: a parked field's sides now agree, settling the conflict.
	Resolved bool
}

// mergeField is the three-way merge of one field: base is the last synced
// value; a side whose value differs from it changed. One side changed →
// take it (the push sends local changes; the pull writes remote ones). Both
// changed to the same value → converged. Both changed differently → the
// policy decides and the conflict is recorded. An empty value never
// overwrites one unless OverwriteEmpty.
func mergeField(in mergeInput) mergeResult {
	eq := in.Equal
	if eq == nil {
		eq = func(a, b string) bool { return a == b }
	}
	keep := mergeResult{Base: in.Base}
	takeRemote := func() mergeResult {
		if in.Remote == "" && in.Local != "" && !in.OverwriteEmpty {
			return keep
		}
		return mergeResult{SetLocal: !eq(in.Local, in.Remote), Value: in.Remote, Base: in.Remote}
	}
	switch {
	case in.Parked:
		if eq(in.Local, in.Remote) {
			return mergeResult{Base: in.Local, Resolved: true}
		}
		return keep
	case !in.Pulls:
		// Push-only: the remote's value is not ours to take; the push sends
		// local changes against the base.
		return keep
	case !in.Pushes:
		// Pull-only: the remote is the master of this field.
		if eq(in.Local, in.Remote) {
			return mergeResult{Base: in.Remote}
		}
		return takeRemote()
	}
	localChanged, remoteChanged := !eq(in.Local, in.Base), !eq(in.Remote, in.Base)
	switch {
	case !remoteChanged:
		return keep
	case !localChanged:
		return takeRemote()
	case eq(in.Local, in.Remote):
		return mergeResult{Base: in.Local}
	}
	winner := in.winner()
	switch winner {
	case crmstore.WinnerRemote:
		r := mergeResult{SetLocal: true, Value: in.Remote, Base: in.Remote}
		r.Conflict, r.Winner = true, winner
		return r
	case crmstore.WinnerLocal:
		// The base becomes the remote's value so the push sends the local one.
		return mergeResult{Base: in.Remote, Conflict: true, Winner: winner}
	}
	return mergeResult{Base: in.Base, Conflict: true}
}

// winner applies the policy to a true conflict; an empty value loses to a
// value unless OverwriteEmpty.
func (in mergeInput) winner() string {
	if !in.OverwriteEmpty && in.Policy != Manual {
		if in.Remote == "" {
			return crmstore.WinnerLocal
		}
		if in.Local == "" {
			return crmstore.WinnerRemote
		}
	}
	switch in.Policy {
	case PreferLocal:
		return crmstore.WinnerLocal
	case PreferRemote:
		return crmstore.WinnerRemote
	case MostRecent:
		if in.RemoteNewer {
			return crmstore.WinnerRemote
		}
		return crmstore.WinnerLocal
	}
	return ""
}

// remoteNewer decides most_recent: the remote wins only when it has a
// modification time later than the local record's last update.
func remoteNewer(remote, local time.Time) bool {
	return !remote.IsZero() && remote.After(local)
}
