package memory

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandem-crm/tandem/connectors"
)

// Default sizes, chosen to match HubSpot's batch and page limits so call counts in tests
// resemble a real platform's.
const (
	DefaultPageSize  = 100
	DefaultBatchSize = 100
)

// Options configures a Remote. The zero value is usable.
type Options struct {
	// Clock stamps ModifiedAt on every change; nil means time.Now. Inject one to make
	// most-recent conflict decisions deterministic.
	Clock func() time.Time
	// PageSize is the most records one Pull or List call returns, and the size used when a
	// request gives none; zero means DefaultPageSize.
	PageSize int
	// BatchSize is the most changes one remote push call carries; a Push of more changes
	// makes several calls. Zero means DefaultBatchSize.
	BatchSize int
	// Fields declares each object's fields for the FieldDescriber capability. An object not
	// declared here reports the fields its records hold, typed "string"; a declared field with
	// an empty Type is reported as "string".
	Fields map[string][]connectors.Field
	// Unique names, per object, a field whose value the remote keeps unique among live records
	// (for example "contacts": "email"), compared after trimming and lower-casing. A push that
	// would duplicate a value is refused with a permanent CONFLICT error. Put, Update and
	// Delete are not checked, so tests can create remote duplicates on purpose.
	Unique map[string]string
	// Reject lists value rules the remote refuses on push.
	Reject []Rule
}

// Rule makes the remote refuse, on push, a record whose Field contains Contains (a plain,
// case-sensitive substring). An empty Object applies the rule to every object.
type Rule struct {
	Object   string
	Field    string
	Contains string
}

// matches reports whether the rule refuses fields written to object.
func (r Rule) matches(object string, fields map[string]string) bool {
	if r.Object != "" && r.Object != object {
		return false
	}
	v, ok := fields[r.Field]
	return ok && strings.Contains(v, r.Contains)
}

// record is one stored record. seq is the change-sequence number of its latest change; the
// object's feed holds one live entry per record, the one whose seq equals record.seq.
type record struct {
	id         string
	fields     map[string]string
	version    int64
	modifiedAt time.Time
	deleted    bool
	seq        uint64
}

// feedEntry is one change in an object's change feed.
type feedEntry struct {
	seq uint64
	rec *record
}

// table is the storage of one remote object type.
type table struct {
	records map[string]*record
	// order holds records in creation order; positions never move (deleted records stay as
	// tombstones), so a position is a stable List cursor.
	order []*record
	// feed holds changes in increasing seq order. An entry whose seq is no longer its
	// record's seq was superseded by a later change and is skipped; stale counts those so the
	// feed can be compacted.
	feed  []feedEntry
	stale int
	// unique maps a normalised unique-field value to the id of the live record holding it.
	unique map[string]string
}

// Remote is an in-memory remote platform. It is safe for concurrent use.
type Remote struct {
	mu       sync.Mutex
	clock    func() time.Time
	pageSize int
	batch    int
	fields   map[string][]connectors.Field
	uniqueBy map[string]string
	rules    []Rule

	objects map[string]*table
	nextID  uint64
	seq     uint64
	links   map[linkKey]map[string]map[string]struct{}

	faults   []Fault
	failRate float64
	rng      *rand.Rand
	calls    callCounts
}

// New returns an empty remote configured by opts.
func New(opts Options) *Remote {
	r := &Remote{
		clock:    opts.Clock,
		pageSize: opts.PageSize,
		batch:    opts.BatchSize,
		fields:   map[string][]connectors.Field{},
		uniqueBy: map[string]string{},
		rules:    append([]Rule(nil), opts.Reject...),
		objects:  map[string]*table{},
		links:    map[linkKey]map[string]map[string]struct{}{},
		calls:    newCallCounts(),
	}
	if r.clock == nil {
		r.clock = time.Now
	}
	if r.pageSize <= 0 {
		r.pageSize = DefaultPageSize
	}
	if r.batch <= 0 {
		r.batch = DefaultBatchSize
	}
	for obj, fs := range opts.Fields {
		r.fields[obj] = append([]connectors.Field(nil), fs...)
	}
	for obj, f := range opts.Unique {
		r.uniqueBy[obj] = f
	}
	return r
}

// Reject adds a value rule the remote refuses on push from now on.
func (r *Remote) Reject(rule Rule) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rules = append(r.rules, rule)
}

// obj returns the storage of name, creating it on first use: the remote accepts any object.
func (r *Remote) obj(name string) *table {
	o, ok := r.objects[name]
	if !ok {
		o = &table{records: map[string]*record{}, unique: map[string]string{}}
		r.objects[name] = o
	}
	return o
}

// create stores a new live record and returns it.
func (r *Remote) create(name string, fields map[string]string) *record {
	o := r.obj(name)
	r.nextID++
	rec := &record{id: strconv.FormatUint(r.nextID, 10), fields: map[string]string{}}
	mergeFields(rec.fields, fields)
	o.records[rec.id] = rec
	o.order = append(o.order, rec)
	r.touch(name, o, rec)
	return rec
}

// modify merges fields into rec (an empty value clears a field) and records a change. It
// reports whether any value changed; when none did and force is false, nothing is recorded,
// as a platform that ignores no-op writes behaves.
func (r *Remote) modify(name string, o *table, rec *record, fields map[string]string, force bool) bool {
	changed := false
	for k, v := range fields {
		if rec.fields[k] != v {
			changed = true
		}
	}
	if !changed && !force {
		return false
	}
	r.unindex(name, o, rec)
	mergeFields(rec.fields, fields)
	r.touch(name, o, rec)
	return changed
}

// remove turns rec into a tombstone and records the change.
func (r *Remote) remove(name string, o *table, rec *record) {
	r.unindex(name, o, rec)
	rec.deleted = true
	r.touch(name, o, rec)
}

// touch bumps rec's version, stamps it and appends it to the object's change feed.
func (r *Remote) touch(name string, o *table, rec *record) {
	if rec.seq != 0 {
		o.stale++
	}
	r.seq++
	rec.seq = r.seq
	rec.version++
	rec.modifiedAt = r.clock().UTC()
	o.feed = append(o.feed, feedEntry{seq: rec.seq, rec: rec})
	if !rec.deleted {
		r.index(name, o, rec)
	}
	if o.stale > 1024 && o.stale > len(o.feed)/2 {
		o.compact()
	}
}

// compact drops superseded feed entries; order is preserved, so cursors stay valid.
func (o *table) compact() {
	live := o.feed[:0]
	for _, e := range o.feed {
		if e.seq == e.rec.seq {
			live = append(live, e)
		}
	}
	clear(o.feed[len(live):])
	o.feed = live
	o.stale = 0
}

// uniqueKey normalises a unique-field value; empty values are never unique-checked.
func uniqueKey(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

func (r *Remote) index(name string, o *table, rec *record) {
	f, ok := r.uniqueBy[name]
	if !ok {
		return
	}
	if k := uniqueKey(rec.fields[f]); k != "" {
		o.unique[k] = rec.id
	}
}

func (r *Remote) unindex(name string, o *table, rec *record) {
	f, ok := r.uniqueBy[name]
	if !ok {
		return
	}
	if k := uniqueKey(rec.fields[f]); k != "" && o.unique[k] == rec.id {
		delete(o.unique, k)
	}
}

// mergeFields writes src into dst; an empty value clears the field.
func mergeFields(dst, src map[string]string) {
	for k, v := range src {
		if v == "" {
			delete(dst, k)
			continue
		}
		dst[k] = v
	}
}

// toRecord copies rec for a caller. With fields empty every stored field is returned;
// otherwise exactly the requested ones, empty when unset.
func toRecord(rec *record, fields []string) connectors.Record {
	out := connectors.Record{
		ID:         rec.id,
		Version:    strconv.FormatInt(rec.version, 10),
		ModifiedAt: rec.modifiedAt,
		Deleted:    rec.deleted,
	}
	if len(fields) == 0 {
		out.Fields = make(map[string]string, len(rec.fields))
		for k, v := range rec.fields {
			out.Fields[k] = v
		}
		return out
	}
	out.Fields = make(map[string]string, len(fields))
	for _, f := range fields {
		out.Fields[f] = rec.fields[f]
	}
	return out
}

// describe returns the fields of object: the declared ones, or those its records hold.
func (r *Remote) describe(name string) []connectors.Field {
	if declared, ok := r.fields[name]; ok {
		out := make([]connectors.Field, len(declared))
		for i, f := range declared {
			f.Options = append([]string(nil), f.Options...)
			if f.Type == "" {
				f.Type = "string"
			}
			out[i] = f
		}
		return out
	}
	seen := map[string]bool{}
	if o, ok := r.objects[name]; ok {
		for _, rec := range o.records {
			for k := range rec.fields {
				seen[k] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]connectors.Field, len(names))
	for i, n := range names {
		out[i] = connectors.Field{Name: n, Type: "string"}
	}
	return out
}
