package memory

import (
	"context"
	"fmt"
	"sort"

	"github.com/tandem-crm/tandem/connectors"
)

// linkKey names the direction of a set of links: records of from linked to records of to.
type linkKey struct{ from, to string }

// link records fromID→toID and its reverse, so both directions read back. The caller holds
// r.mu.
func (r *Remote) link(from, fromID, to, toID string) error {
	if _, _, err := r.live(from, fromID); err != nil {
		return err
	}
	if _, _, err := r.live(to, toID); err != nil {
		return err
	}
	r.addLink(linkKey{from, to}, fromID, toID)
	r.addLink(linkKey{to, from}, toID, fromID)
	return nil
}

func (r *Remote) addLink(k linkKey, a, b string) {
	m, ok := r.links[k]
	if !ok {
		m = map[string]map[string]struct{}{}
		r.links[k] = m
	}
	set, ok := m[a]
	if !ok {
		set = map[string]struct{}{}
		m[a] = set
	}
	set[b] = struct{}{}
}

// linked returns the live records of to linked to the live record fromID, sorted; none when
// fromID was deleted. The caller holds r.mu.
func (r *Remote) linked(from, fromID, to string) []string {
	if _, _, err := r.live(from, fromID); err != nil {
		return nil
	}
	var out []string
	for id := range r.links[linkKey{from, to}][fromID] {
		if _, _, err := r.live(to, id); err == nil {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Link associates record fromID of from with record toID of to, bypassing the connector. Both
// must be live.
func (r *Remote) Link(from, fromID, to, toID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.link(from, fromID, to, toID); err != nil {
		return fmt.Errorf("link %s %s to %s %s: %w", from, fromID, to, toID, err)
	}
	return nil
}

// Linked returns the ids of the live records of to associated with record fromID of from,
// sorted, bypassing the connector.
func (r *Remote) Linked(from, fromID, to string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.linked(from, fromID, to)
}

// Associations returns, for each of fromIDs linked to any live record of to, those records'
// ids, sorted.
func (c *Conn) Associations(ctx context.Context, from, to string, fromIDs []string) (map[string][]string, error) {
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "associations", from); err != nil {
		return nil, fmt.Errorf("read %s→%s associations: %w", from, to, err)
	}
	out := map[string][]string{}
	for _, id := range fromIDs {
		if ids := r.linked(from, id, to); len(ids) > 0 {
			out[id] = ids
		}
	}
	return out, nil
}

// Associate creates links in one remote call. A pair naming a record that is unknown or
// deleted fails alone with a permanent NOT_FOUND error; linking an existing pair again
// succeeds.
func (c *Conn) Associate(ctx context.Context, from, to string, pairs []connectors.Association) ([]error, error) {
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "associate", from); err != nil {
		return nil, fmt.Errorf("associate %s→%s: %w", from, to, err)
	}
	errs := make([]error, len(pairs))
	for i, p := range pairs {
		if err := r.link(from, p.FromID, to, p.ToID); err != nil {
			errs[i] = &connectors.PermanentError{Code: "NOT_FOUND", Reason: err.Error()}
		}
	}
	return errs, nil
}
