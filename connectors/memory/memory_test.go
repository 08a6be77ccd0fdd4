package memory_test

import (
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/connectortest"
	"github.com/tandem-crm/tandem/connectors/memory"
)

// handle adapts a memory.Remote to the conformance suite's Remote.
type handle struct{ r *memory.Remote }

func (h handle) Put(_ testing.TB, object string, fields map[string]string) string {
	return h.r.Put(object, fields)
}

func (h handle) Update(t testing.TB, object, id string, fields map[string]string) {
	t.Helper()
	if err := h.r.Update(object, id, fields); err != nil {
		t.Fatal(err)
	}
}

func (h handle) Delete(t testing.TB, object, id string) {
	t.Helper()
	if err := h.r.Delete(object, id); err != nil {
		t.Fatal(err)
	}
}

func (h handle) Get(_ testing.TB, object, id string) (map[string]string, bool) {
	rec, ok := h.r.Get(object, id)
	return rec.Fields, ok
}

func (h handle) FailNext(f connectortest.Fault, n int) {
	kinds := map[connectortest.FaultKind]memory.FaultKind{
		connectortest.FaultRateLimit:    memory.FaultRateLimit,
		connectortest.FaultUnauthorized: memory.FaultUnauthorized,
		connectortest.FaultServerError:  memory.FaultServerError,
	}
	h.r.FailNext(memory.Fault{Kind: kinds[f.Kind], RetryAfter: f.RetryAfter}, n)
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, connectortest.Harness{
		Object:  "contacts",
		Fields:  []string{"email", "firstname"},
		Invalid: map[string]string{"email": "invalid-address"},
		New: func(t *testing.T) (connectors.Connector, connectortest.Remote) {
			r := memory.New(memory.Options{
				Unique: map[string]string{"contacts": "email"},
				Reject: []memory.Rule{{Field: "email", Contains: "invalid"}},
			})
			return r.Connector(), handle{r}
		},
	})
}
