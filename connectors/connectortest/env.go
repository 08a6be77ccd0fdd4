package connectortest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
)

const (
	// pageSize is the PageSize every pull of the suite asks for.
	pageSize = 100
	// maxPages bounds a pull to the end, so a connector whose More never turns false fails
	// instead of hanging.
	maxPages = 200
	// subtestTimeout bounds every remote call of one subtest.
	subtestTimeout = 30 * time.Second
	// retryAfter is the wait injected rate limits ask for: one whole second, the smallest a
	// Retry-After header can say.
	retryAfter = time.Second
)

// env is one subtest's connector, remote and context.
type env struct {
	t     *testing.T
	h     Harness
	c     connectors.Connector
	r     Remote
	ctx   context.Context
	seeds int
}

// open builds a fresh connector for t and closes it when t ends.
func open(t *testing.T, h Harness) *env {
	t.Helper()
	c, r := h.New(t)
	if c == nil || r == nil {
		t.Fatal("Harness.New returned a nil connector or remote")
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), subtestTimeout)
	t.Cleanup(cancel)
	return &env{t: t, h: h, c: c, r: r, ctx: ctx}
}

// values returns the fields of a record the suite writes: a unique key and a text value.
func (e *env) values(tag string) map[string]string {
	e.seeds++
	return map[string]string{
		e.h.Fields[0]: fmt.Sprintf("ct-%d-%s@example.com", e.seeds, tag),
		e.h.Fields[1]: "value " + tag,
	}
}

// seed creates n records on the remote behind the connector's back and returns their ids and
// the fields each was created with.
func (e *env) seed(n int) ([]string, map[string]map[string]string) {
	e.t.Helper()
	ids := make([]string, n)
	want := make(map[string]map[string]string, n)
	for i := range ids {
		v := e.values(fmt.Sprint(i))
		ids[i] = e.r.Put(e.t, e.h.Object, v)
		if _, dup := want[ids[i]]; dup {
			e.t.Fatalf("Remote.Put returned id %q twice", ids[i])
		}
		want[ids[i]] = v
	}
	return ids, want
}

// request is a pull or list request of the suite's object and fields.
func (e *env) request(cursor string) connectors.PullRequest {
	return connectors.PullRequest{Object: e.h.Object, Cursor: cursor, Fields: e.h.Fields, PageSize: pageSize}
}

// page reads one page and checks the page size.
func (e *env) page(read func(context.Context, connectors.PullRequest) (connectors.Page, error), what, cursor string) connectors.Page {
	e.t.Helper()
	p, err := read(e.ctx, e.request(cursor))
	if err != nil {
		e.t.Fatalf("%s from cursor %q: %v", what, cursor, err)
	}
	if len(p.Records) > pageSize {
		e.t.Fatalf("%s from cursor %q returned %d records; PageSize was %d", what, cursor, len(p.Records), pageSize)
	}
	return p
}

// readAll reads pages from cursor until More is false and returns the records in order and
// the final cursor.
func (e *env) readAll(read func(context.Context, connectors.PullRequest) (connectors.Page, error), what, cursor string) ([]connectors.Record, string) {
	e.t.Helper()
	var out []connectors.Record
	for range maxPages {
		p := e.page(read, what, cursor)
		out = append(out, p.Records...)
		cursor = p.Cursor
		if !p.More {
			return out, cursor
		}
	}
	e.t.Fatalf("%s still reports More after %d pages of %d (%d records read)", what, maxPages, pageSize, len(out))
	return nil, ""
}

// pullAll pulls from cursor to the end.
func (e *env) pullAll(cursor string) ([]connectors.Record, string) {
	e.t.Helper()
	return e.readAll(e.c.Pull, "Pull", cursor)
}

// latest indexes records by id, keeping the last occurrence (the newest state).
func latest(recs []connectors.Record) map[string]connectors.Record {
	m := make(map[string]connectors.Record, len(recs))
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

// checkFields reports every field of want that got differs in.
func checkFields(t testing.TB, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: field %s = %q, want %q", what, k, got[k], v)
		}
	}
}

// pushOne pushes one change and folds the batch error and the per-record error into one.
func (e *env) pushOne(ctx context.Context, ch connectors.Change) (connectors.Result, error) {
	res, err := e.c.Push(ctx, e.h.Object, []connectors.Change{ch})
	if err != nil && len(res) != 1 {
		return connectors.Result{}, err
	}
	if len(res) != 1 {
		return connectors.Result{}, fmt.Errorf("push of 1 change returned %d results", len(res))
	}
	if res[0].Err != nil {
		return res[0], res[0].Err
	}
	return res[0], err
}
