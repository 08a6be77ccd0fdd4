package connectortest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/connectortest"
	"github.com/tandem-crm/tandem/connectors/memory"
)

// The suite is proven by running it against connectors with one deliberate defect each: every
// defect must fail the subtest that guards against it. The defective connector runs in a child
// process (this test binary, TestMutant) because a failing suite fails its *testing.T.

const mutantEnv = "CONNECTORTEST_MUTANT"

// mutant is the memory connector with one defect.
type mutant struct {
	*memory.Conn
	defect string
}

func (m *mutant) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	switch m.defect {
	case "ignores cancellation":
		ctx = context.WithoutCancel(ctx)
	case "forgets the cursor":
		if req.Cursor != "" {
			return connectors.Page{Cursor: req.Cursor}, nil
		}
	}
	p, err := m.Conn.Pull(ctx, req)
	switch m.defect {
	case "drops a record":
		if req.Cursor != "" && len(p.Records) > 0 {
			p.Records = p.Records[1:]
		}
	case "hides the rate limit":
		if _, ok := connectors.RetryAfter(err); ok {
			err = errors.New(err.Error())
		}
	case "hides refused credentials":
		if connectors.IsUnauthorized(err) {
			err = errors.New(err.Error())
		}
	case "oversized pages":
		if p.More {
			more, err2 := m.Conn.Pull(ctx, connectors.PullRequest{Object: req.Object, Cursor: p.Cursor, Fields: req.Fields})
			p.Records, p.Cursor, p.More, err = append(p.Records, more.Records...), more.Cursor, more.More, err2
		}
	}
	return p, err
}

func (m *mutant) Push(ctx context.Context, object string, changes []connectors.Change) ([]connectors.Result, error) {
	res, err := m.Conn.Push(ctx, object, changes)
	if m.defect == "swallows rejections" {
		for i := range res {
			res[i].Err = nil
		}
		err = nil
	}
	return res, err
}

func (m *mutant) List(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	if m.defect == "lists tombstones" {
		return m.Conn.Pull(ctx, req)
	}
	return m.Conn.List(ctx, req)
}

func harness(defect string) connectortest.Harness {
	return connectortest.Harness{
		Object:  "contacts",
		Fields:  []string{"email", "firstname"},
		Invalid: map[string]string{"email": "invalid"},
		New: func(t *testing.T) (connectors.Connector, connectortest.Remote) {
			r := memory.New(memory.Options{Reject: []memory.Rule{{Field: "email", Contains: "invalid"}}})
			return &mutant{Conn: r.Connector(), defect: defect}, connectortest.MemoryRemote(r)
		},
	}
}

// TestMutant runs the suite against the defective connector named by $CONNECTORTEST_MUTANT;
// it runs only as TestSuiteCatchesDefects' child process.
func TestMutant(t *testing.T) {
	defect := os.Getenv(mutantEnv)
	if defect == "" {
		t.Skip("runs only as a child of TestSuiteCatchesDefects")
	}
	connectortest.Run(t, harness(defect))
}

func TestSuiteCatchesDefects(t *testing.T) {
	if os.Getenv(mutantEnv) != "" {
		t.Skip("child process")
	}
	for _, tc := range []struct{ defect, subtest string }{
		{"drops a record", "Paging"},
		{"oversized pages", "Paging"},
		{"forgets the cursor", "CursorResume"},
		{"swallows rejections", "PartialFailure"},
		{"hides the rate limit", "RateLimit"},
		{"hides refused credentials", "Unauthorized"},
		{"ignores cancellation", "ContextCancelled"},
		{"lists tombstones", "Lister"},
	} {
		t.Run(tc.defect, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutant$/^"+tc.subtest+"$", "-test.v")
			cmd.Env = append(os.Environ(), mutantEnv+"="+tc.defect)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("suite against a connector that %s: err %v, want a failing run\n%s", tc.defect, err, out)
			}
			if want := "--- FAIL: TestMutant/" + tc.subtest; !strings.Contains(string(out), want) {
				t.Errorf("suite against a connector that %s: output lacks %q\n%s", tc.defect, want, out)
			}
		})
	}
}

// TestSuitePassesTheMemoryConnector is the control: without a defect the suite passes.
func TestSuitePassesTheMemoryConnector(t *testing.T) {
	connectortest.Run(t, harness("none"))
}
