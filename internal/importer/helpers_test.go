package importer

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// env is a store in a temporary directory and an importer on it.
type env struct {
	t     *testing.T
	dir   string
	store *crmstore.Store
	im    *Importer
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := crmstore.Open(context.Background(), filepath.Join(dir, "data"), crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &env{t: t, dir: dir, store: st, im: New(st, filepath.Join(dir, "data", "imports"), nil, opts...)}
}

// file writes content to a file named name and returns its path.
func (e *env) file(name, content string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// spec is a single-file spec importing content into object.
func (e *env) spec(object, content string, objSpec ...ObjectSpec) Spec {
	return Spec{Files: []FileSpec{{Name: "in.csv", Path: e.file("in.csv", content), Object: object}}, Objects: objSpec}
}

// run imports spec and fails the test on an error.
func (e *env) run(spec Spec) Summary {
	e.t.Helper()
	sum, err := e.im.Run(context.Background(), spec, nil)
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	return sum
}

// get reads a record by a unique property, failing when it is missing.
func (e *env) get(object, idProp, value string) *crmstore.Record {
	e.t.Helper()
	r, err := e.store.GetRecord(context.Background(), object, value, crmstore.GetOptions{IDProperty: idProp})
	if err != nil {
		e.t.Fatalf("get %s %s=%s: %v", object, idProp, value, err)
	}
	return r
}

// count returns how many live records object has.
func (e *env) count(object string) int {
	e.t.Helper()
	n := 0
	var after int64
	for {
		page, err := e.store.ListRecords(context.Background(), object, crmstore.ListOptions{Limit: 100, After: after})
		if err != nil {
			e.t.Fatal(err)
		}
		n += len(page.Records)
		if page.Next == 0 {
			return n
		}
		after = page.Next
	}
}

// errors reads every error row of an import.
func (e *env) errors(id int64) []crmstore.ImportError {
	e.t.Helper()
	errs, _, err := e.store.ImportErrors(context.Background(), id, 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return errs
}

// fixedClock is a clock that moves only when told.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

func (e *env) listAll() crmstore.ImportListOptions { return crmstore.ImportListOptions{Limit: 1000} }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
