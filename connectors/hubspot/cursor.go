package hubspot

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Pull cursor phases.
const (
	phaseList   = "list"
	phaseSearch = "search"
	phaseTie    = "tie"
)

// pullCursor is Pull's position. In the list phase (the first pull of an object) it holds the
// listing's next page (After), Mark, the newest modification time the remote had before the
// listing began, and ID, the highest id listed with modification time Mark; the search phase
// then starts from (Mark, ID), so a change made while listing is read again rather than
// missed, and the records listed at Mark are not read twice. In the search phase it holds the
// modification time (epoch ms) and id of the last record returned: every record before
// (TS, ID) in (time, id) order has been returned. The tie phase means the same, in the middle
// of a millisecond shared by more records than a page: the last page showed more records at TS
// after ID, so the next pull reads them by id (see resumeTie) without first searching for
// them again.
type pullCursor struct {
	Phase string `json:"p"`
	After string `json:"a,omitempty"`
	Mark  int64  `json:"m,omitempty"`
	TS    int64  `json:"t,omitempty"`
	ID    string `json:"i,omitempty"`
}

// cursorPrefix versions the encoding, so a future format can still read today's cursors.
const cursorPrefix = "hs1."

func (c pullCursor) encode() string {
	raw, _ := json.Marshal(c) // a struct of strings and ints always marshals
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor reads a cursor; "" is the start of a first pull.
func decodeCursor(s string) (pullCursor, error) {
	if s == "" {
		return pullCursor{}, nil
	}
	bad := func(why string) error { return fmt.Errorf("pull cursor %q is not one this connector made: %s", s, why) }
	body, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok {
		return pullCursor{}, bad("unknown prefix")
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return pullCursor{}, bad("not base64")
	}
	var c pullCursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return pullCursor{}, bad("not JSON")
	}
	switch c.Phase {
	case phaseList:
		if (c.After != "" && !isID(c.After)) || (c.ID != "" && !isID(c.ID)) {
			return pullCursor{}, bad("list position is not an id")
		}
	case phaseSearch:
		if c.ID != "" && !isID(c.ID) {
			return pullCursor{}, bad("last id is not an id")
		}
	case phaseTie:
		if !isID(c.ID) {
			return pullCursor{}, bad("last id of a shared timestamp is not an id")
		}
	default:
		return pullCursor{}, bad("unknown phase")
	}
	return c, nil
}

// isID reports whether s is a HubSpot record id (decimal digits).
func isID(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// compareIDs orders decimal ids numerically without parsing (ids can outgrow int64 in theory).
func compareIDs(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
