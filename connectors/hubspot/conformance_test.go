package hubspot

import (
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/connectortest"
	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
)

// fakeRemote adapts the fake HubSpot server to the conformance suite's Remote.
type fakeRemote struct{ s *hubspotfake.Server }

func (r fakeRemote) Put(t testing.TB, object string, fields map[string]string) string {
	t.Helper()
	id, err := r.s.Put(object, fields)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (r fakeRemote) Update(t testing.TB, object, id string, fields map[string]string) {
	t.Helper()
	if err := r.s.Update(object, id, fields); err != nil {
		t.Fatal(err)
	}
}

func (r fakeRemote) Delete(t testing.TB, object, id string) {
	t.Helper()
	if err := r.s.Delete(object, id); err != nil {
		t.Fatal(err)
	}
}

func (r fakeRemote) Get(_ testing.TB, object, id string) (map[string]string, bool) {
	return r.s.Get(object, id)
}

func (r fakeRemote) FailNext(f connectortest.Fault, n int) {
	kind := map[connectortest.FaultKind]hubspotfake.FaultKind{
		connectortest.FaultRateLimit:    hubspotfake.FaultRateLimit,
		connectortest.FaultUnauthorized: hubspotfake.FaultUnauthorized,
		connectortest.FaultServerError:  hubspotfake.FaultServerError,
	}[f.Kind]
	r.s.FailNext(hubspotfake.Fault{Kind: kind, RetryAfter: f.RetryAfter}, n)
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, connectortest.Harness{
		Object:  "contacts",
		Fields:  []string{"email", "firstname"},
		Invalid: map[string]string{"email": "not-an-email"},
		New: func(t *testing.T) (connectors.Connector, connectortest.Remote) {
			fake := hubspotfake.New(hubspotfake.Options{})
			t.Cleanup(fake.Close)
			c, err := New(connectorsConfig(fake, map[string]string{OptRequestsPer10s: "1000", OptSearchPerSecond: "50"}))
			if err != nil {
				t.Fatal(err)
			}
			return c, fakeRemote{fake}
		},
	})
}
