package connectortest

import (
	"testing"

	"github.com/tandem-crm/tandem/connectors/memory"
)

// MemoryRemote is the Remote of an in-memory remote (connectors/memory), for the memory
// connector's conformance test and the suite's own tests, which run on it.
func MemoryRemote(r *memory.Remote) Remote { return memoryRemote{r} }

// memoryRemote adapts a memory.Remote to Remote.
type memoryRemote struct{ r *memory.Remote }

func (h memoryRemote) Put(_ testing.TB, object string, fields map[string]string) string {
	return h.r.Put(object, fields)
}

func (h memoryRemote) Update(t testing.TB, object, id string, fields map[string]string) {
	t.Helper()
	if err := h.r.Update(object, id, fields); err != nil {
		t.Fatal(err)
	}
}

func (h memoryRemote) Delete(t testing.TB, object, id string) {
	t.Helper()
	if err := h.r.Delete(object, id); err != nil {
		t.Fatal(err)
	}
}

func (h memoryRemote) Get(_ testing.TB, object, id string) (map[string]string, bool) {
	rec, ok := h.r.Get(object, id)
	return rec.Fields, ok
}

// memoryFaults maps the suite's fault kinds to the memory remote's, which fail calls with
// the errors an HTTP platform's responses become.
var memoryFaults = map[FaultKind]memory.FaultKind{
	FaultRateLimit:    memory.FaultRateLimit,
	FaultUnauthorized: memory.FaultUnauthorized,
	FaultServerError:  memory.FaultServerError,
}

func (h memoryRemote) FailNext(f Fault, n int) {
	h.r.FailNext(memory.Fault{Kind: memoryFaults[f.Kind], RetryAfter: f.RetryAfter}, n)
}
