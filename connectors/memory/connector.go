package memory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"

	"github.com/tandem-crm/tandem/connectors"
)

// Conn is the connector over a Remote. It implements connectors.Connector, connectors.Lister,
// connectors.Associator and connectors.FieldDescriber. Several Conns may share one Remote.
type Conn struct {
	remote *Remote
	// pageSize overrides the remote's page size when positive.
	pageSize int
	closed   atomic.Bool
}

var (
	_ connectors.Connector      = (*Conn)(nil)
	_ connectors.Lister         = (*Conn)(nil)
	_ connectors.Associator     = (*Conn)(nil)
	_ connectors.FieldDescriber = (*Conn)(nil)
)

// ErrClosed is returned by every call on a closed Conn.
var ErrClosed = errors.New("memory connector is closed")

// Connector returns a new connector over r.
func (r *Remote) Connector() *Conn { return &Conn{remote: r} }

// Cursor prefixes keep a List cursor from being mistaken for a Pull cursor.
const (
	pullCursor = 's'
	listCursor = 'l'
)

func encodeCursor(kind byte, n uint64) string {
	return string(kind) + strconv.FormatUint(n, 10)
}

// decodeCursor parses a cursor of the given kind; empty means the beginning.
func decodeCursor(kind byte, cur string) (uint64, error) {
	if cur == "" {
		return 0, nil
	}
	if cur[0] != kind {
		return 0, fmt.Errorf("cursor %q was not issued by this call", cur)
	}
	n, err := strconv.ParseUint(cur[1:], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cursor %q is malformed", cur)
	}
	return n, nil
}

// enter checks that c is open and accounts for one remote call. The caller holds the remote's
// lock.
func (c *Conn) enter(ctx context.Context, method, object string) error {
	if c.closed.Load() {
		return ErrClosed
	}
	return c.remote.enter(ctx, method, object)
}

// size is the page size for a request asking for want (zero: no preference).
func (c *Conn) size(want int) int {
	limit := c.remote.pageSize
	if c.pageSize > 0 {
		limit = c.pageSize
	}
	if want > 0 && want < limit {
		return want
	}
	return limit
}

// Pull returns the records of req.Object changed after req.Cursor, each at its latest state
// and once, in the order of their latest change; deleted records come as tombstones. The
// cursor is the change-sequence number of the last record returned, so a change made while
// paging moves its record behind the cursor's end and is returned by a later page.
func (c *Conn) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	after, err := decodeCursor(pullCursor, req.Cursor)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("pull %s: %w", req.Object, err)
	}
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "pull", req.Object); err != nil {
		return connectors.Page{}, fmt.Errorf("pull %s: %w", req.Object, err)
	}
	page := connectors.Page{Cursor: encodeCursor(pullCursor, after)}
	o, ok := r.objects[req.Object]
	if !ok {
		return page, nil
	}
	size := c.size(req.PageSize)
	i := sort.Search(len(o.feed), func(i int) bool { return o.feed[i].seq > after })
	for ; i < len(o.feed); i++ {
		e := o.feed[i]
		if e.seq != e.rec.seq {
			continue // superseded: the record comes later at its latest change
		}
		if len(page.Records) == size {
			page.More = true
			break
		}
		page.Records = append(page.Records, toRecord(e.rec, req.Fields))
		page.Cursor = encodeCursor(pullCursor, e.seq)
	}
	return page, nil
}

// List returns live records of req.Object in creation order from req.Cursor, for full
// reconciliation. Records created while listing appear at the end; records deleted while
// listing may or may not appear, as on a real platform.
func (c *Conn) List(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	pos, err := decodeCursor(listCursor, req.Cursor)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("list %s: %w", req.Object, err)
	}
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "list", req.Object); err != nil {
		return connectors.Page{}, fmt.Errorf("list %s: %w", req.Object, err)
	}
	page := connectors.Page{Cursor: encodeCursor(listCursor, pos)}
	o, ok := r.objects[req.Object]
	if !ok || pos > uint64(len(o.order)) {
		return page, nil
	}
	size := c.size(req.PageSize)
	for i := int(pos); i < len(o.order); i++ {
		rec := o.order[i]
		if rec.deleted {
			page.Cursor = encodeCursor(listCursor, uint64(i+1))
			continue
		}
		if len(page.Records) == size {
			page.More = true
			break
		}
		page.Records = append(page.Records, toRecord(rec, req.Fields))
		page.Cursor = encodeCursor(listCursor, uint64(i+1))
	}
	return page, nil
}

// Fetch returns the live records of object among ids, one remote call per BatchSize ids.
// Unknown and deleted ids are absent from the result.
func (c *Conn) Fetch(ctx context.Context, object string, ids []string, fields []string) ([]connectors.Record, error) {
	r := c.remote
	out := make([]connectors.Record, 0, len(ids))
	for start := 0; start < len(ids); start += r.batch {
		chunk := ids[start:min(start+r.batch, len(ids))]
		var err error
		out, err = c.fetchBatch(ctx, object, chunk, fields, out)
		if err != nil {
			return nil, fmt.Errorf("fetch %s batch %d: %w", object, start/r.batch+1, err)
		}
	}
	return out, nil
}

func (c *Conn) fetchBatch(ctx context.Context, object string, ids, fields []string, out []connectors.Record) ([]connectors.Record, error) {
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "fetch", object); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, rec, err := r.live(object, id); err == nil {
			out = append(out, toRecord(rec, fields))
		}
	}
	return out, nil
}

// Fields returns the declared fields of object, or the fields its records hold, as strings.
func (c *Conn) Fields(ctx context.Context, object string) ([]connectors.Field, error) {
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "fields", object); err != nil {
		return nil, fmt.Errorf("fields of %s: %w", object, err)
	}
	return r.describe(object), nil
}

// Test makes one remote call, so injected faults (a refused credential) show here too.
func (c *Conn) Test(ctx context.Context) error {
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "test", ""); err != nil {
		return fmt.Errorf("test connection: %w", err)
	}
	return nil
}

// Close marks the connector closed; later calls fail with ErrClosed. The Remote is untouched.
func (c *Conn) Close() error {
	c.closed.Store(true)
	return nil
}
