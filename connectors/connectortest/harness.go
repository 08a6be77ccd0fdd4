// Package connectortest is the conformance suite every connector passes: paging, cursor
// resume, changes made while paging, fetch by id, push round trips, partial batch failure,
// rate limits with Retry-After, refused credentials, transient server errors, context
// cancellation, complete listings and the connection test.
//
// A connector's test supplies a Harness: a way to build a fresh connector together with a
// handle on the remote it speaks to (a fake server, an in-memory remote), through which the
// suite changes the remote behind the connector's back and injects faults.
//
//	func TestConformance(t *testing.T) {
//		connectortest.Run(t, connectortest.Harness{
//			Object: "contacts",
//			Fields: []string{"email", "firstname"},
//			Invalid: map[string]string{"email": "not-an-email"},
//			New: func(t *testing.T) (connectors.Connector, connectortest.Remote) { ... },
//		})
//	}
package connectortest

import (
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
)

// Harness describes the connector under test.
type Harness struct {
	// Object is the remote object the suite reads and writes, for example "contacts".
	Object string
	// Fields are at least two writable text fields of Object. Fields[0] must accept unique
	// values of the form "ct-<n>-<m>@example.com" (an email or other key field).
	Fields []string
	// Invalid holds field values the remote refuses per record, for the partial failure
	// case; empty skips that case.
	Invalid map[string]string
	// New returns a fresh connector and the test's handle on its remote, holding no records
	// of Object. The suite closes the connector; New registers any other cleanup with t.
	New func(t *testing.T) (connectors.Connector, Remote)
}

// Remote is the test's handle on the remote, bypassing the connector. Methods fail the test
// through t when the remote cannot do what is asked.
type Remote interface {
	// Put creates a record of object and returns its remote id.
	Put(t testing.TB, object string, fields map[string]string) string
	// Update changes fields of record id; the record's version must change.
	Update(t testing.TB, object, id string, fields map[string]string)
	// Delete deletes or archives record id.
	Delete(t testing.TB, object, id string)
	// Get returns the fields of the live record id; false when it is absent or deleted.
	Get(t testing.TB, object, id string) (map[string]string, bool)
	// FailNext makes the next n remote calls (HTTP requests, for an HTTP platform) fail
	// this way.
	FailNext(f Fault, n int)
}

// FaultKind is a kind of remote failure.
type FaultKind int

// The faults a Remote must be able to inject.
const (
	// FaultRateLimit is a 429 with a Retry-After of Fault.RetryAfter.
	FaultRateLimit FaultKind = iota + 1
	// FaultUnauthorized is a 401: the credentials were refused.
	FaultUnauthorized
	// FaultServerError is a transient 5xx.
	FaultServerError
)

// String names the kind in failure messages.
func (k FaultKind) String() string {
	switch k {
	case FaultRateLimit:
		return "rate limit"
	case FaultUnauthorized:
		return "unauthorized"
	case FaultServerError:
		return "server error"
	}
	return "unknown fault"
}

// Fault is one injected remote failure.
type Fault struct {
	Kind FaultKind
	// RetryAfter is the wait a FaultRateLimit asks for. The suite uses whole seconds, at most
	// one, so HTTP fakes can send it as a Retry-After header.
	RetryAfter time.Duration
}
