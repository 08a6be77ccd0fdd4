package connectors

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Record is one remote record as the connector sees it: remote field names and their values as
// text. An empty string means the field is empty on the remote.
type Record struct {
	// ID is the remote's identifier for the record; stable for the record's life.
	ID string
	// Version changes whenever the remote record changes (a modification stamp, an ETag, a
	// revision number). The engine compares it for equality only.
	Version string
	// ModifiedAt is the remote's last-modification time, zero when the platform has none. The
	// engine uses it for the most_recent conflict policy.
	ModifiedAt time.Time
	// Fields holds the requested fields; a field absent from the map was not read.
	Fields map[string]string
	// Deleted marks a tombstone: the record was deleted or archived on the remote.
	Deleted bool
}

// PullRequest asks for one page of records of Object changed since Cursor.
type PullRequest struct {
	Object string
	// Cursor is the opaque position returned with the previous page; empty starts from the
	// beginning (every record).
	Cursor string
	// Fields are the remote fields to read; empty means the connector's default set.
	Fields []string
	// PageSize is a hint; a connector may return fewer records (never more than it can
	// handle in one call).
	PageSize int
}

// Page is one page of a pull. Cursor is the position after this page: the engine commits it
// only after the page's records are durably applied, and passes it back on the next call.
// A connector must make re-reading a page after a crash harmless (the engine deduplicates by
// ID and Version), and must never skip a change that happened while paging.
type Page struct {
	Records []Record
	Cursor  string
	// More is true while further pages are available now; false once the pull caught up.
	More bool
}

// OpKind says what a pushed change does.
type OpKind int

// The three kinds of pushed change.
const (
	OpCreate OpKind = iota + 1
	OpUpdate
	OpDelete
)

// String names the kind for logs and errors.
func (k OpKind) String() string {
	switch k {
	case OpCreate:
		return "create"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	}
	return "unknown"
}

// Change is one record pushed to the remote.
type Change struct {
	Kind OpKind
	// Ref is the engine's correlation key (the local record id); echoed in the Result.
	Ref string
	// ID is the remote id; required for updates and deletes, empty for creates.
	ID string
	// Fields are the remote fields to write; an empty string clears the field.
	Fields map[string]string
}

// Result is the outcome of one pushed Change, in the same position as its Change.
type Result struct {
	Ref string
	// ID is the remote id (assigned by the remote for a create).
	ID string
	// Version and ModifiedAt describe the record after the write when the remote returns
	// them, so the engine does not mistake its own write for a remote change on the next pull.
	Version    string
	ModifiedAt time.Time
	// Err is nil on success. A PermanentError quarantines the record; any other error is
	// retried on a later run.
	Err error
}

// Connector is what every connector implements.
type Connector interface {
	// Pull returns the next page of records of req.Object changed since req.Cursor, including
	// tombstones where the platform reports them.
	Pull(ctx context.Context, req PullRequest) (Page, error)
	// Fetch reads records by remote id. Ids that do not exist are absent from the result (not
	// an error); order is not significant.
	Fetch(ctx context.Context, object string, ids []string, fields []string) ([]Record, error)
	// Push applies changes in one or more batches and returns one Result per Change, in order.
	// A non-nil error means the batch as a whole failed (transport, auth, rate limit) and no
	// Result can be trusted, except a *PartialError, which accompanies valid Results of which
	// some failed. When some batches were applied before a later one failed, a connector
	// returns their Results, gives the unsent changes that failure as their Err, and returns a
	// *PartialError, so the engine never repeats creates the remote already holds.
	Push(ctx context.Context, object string, changes []Change) ([]Result, error)
	// Test checks that the remote is reachable and the credentials are accepted.
	Test(ctx context.Context) error
	// Close releases the connector's resources.
	Close() error
}

// Lister is an optional capability: a complete listing of every live record of an object, used
// by full reconciliation, the only place where the engine infers deletions. Pages must cover
// every live record exactly once when read from an empty cursor to More == false; a listing
// that ends in an error is discarded whole.
type Lister interface {
	List(ctx context.Context, req PullRequest) (Page, error)
}

// Field describes one remote field for type coercion.
type Field struct {
	Name string
	// Type is one of "string", "number", "bool", "date", "datetime", "enumeration".
	Type string
	// Options are the allowed values of an enumeration.
	Options []string
	// ReadOnly fields are never pushed.
	ReadOnly bool
}

// FieldDescriber is an optional capability: the remote's field definitions for an object.
type FieldDescriber interface {
	Fields(ctx context.Context, object string) ([]Field, error)
}

// Association links one remote record of one object to one of another object.
type Association struct {
	FromID string
	ToID   string
}

// Associator is an optional capability: reading and writing associations between records of
// two remote objects (for example contacts and companies).
type Associator interface {
	// Associations returns, for each of fromIDs that has any, the remote ids it is linked to.
	Associations(ctx context.Context, from, to string, fromIDs []string) (map[string][]string, error)
	// Associate creates the given links; one error per pair, in order (nil on success).
	Associate(ctx context.Context, from, to string, pairs []Association) ([]error, error)
}

// Config is what a connector is built from: the connector's name in the configuration, its
// free-form options (validated by the connector's factory, naming the bad option), an HTTP
// client to use as the base transport when the connector speaks HTTP, and a logger.
type Config struct {
	Name    string
	Options map[string]string
	// HTTPClient may be nil; connectors then use their own default.
	HTTPClient *http.Client
	// Logger may be nil; connectors then log nothing. The host has already added the
	// connector's name to it, so connectors do not add it again.
	Logger *slog.Logger
}
