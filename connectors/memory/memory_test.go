package memory_test

import (
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/connectortest"
	"github.com/tandem-crm/tandem/connectors/memory"
)

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
			return r.Connector(), connectortest.MemoryRemote(r)
		},
	})
}
