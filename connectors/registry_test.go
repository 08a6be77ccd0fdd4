package connectors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// nopConnector is the smallest Connector, for registry tests.
type nopConnector struct{ cfg Config }

func (nopConnector) Pull(context.Context, PullRequest) (Page, error) { return Page{}, nil }
func (nopConnector) Fetch(context.Context, string, []string, []string) ([]Record, error) {
	return nil, nil
}
func (nopConnector) Push(context.Context, string, []Change) ([]Result, error) { return nil, nil }
func (nopConnector) Test(context.Context) error                               { return nil }
func (nopConnector) Close() error                                             { return nil }

// registerForTest registers f under a name unique to t and removes it when t ends, so tests
// do not leak into the process-wide registry.
func registerForTest(t *testing.T, name string, f Factory) string {
	t.Helper()
	name = "test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + name
	Register(name, f)
	t.Cleanup(func() {
		registryMu.Lock()
		defer registryMu.Unlock()
		delete(registry, name)
	})
	return name
}

func TestRegistry_NewBuildsWithTheConfig(t *testing.T) {
	name := registerForTest(t, "ok", func(cfg Config) (Connector, error) { return nopConnector{cfg}, nil })
	c, err := New(name, Config{Name: "main", Options: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	got := c.(nopConnector).cfg
	if got.Name != "main" || got.Options["k"] != "v" {
		t.Errorf("factory saw config %+v", got)
	}
}

func TestRegistry_FactoryErrorIsReturned(t *testing.T) {
	bad := errors.New("option token: missing")
	name := registerForTest(t, "bad", func(Config) (Connector, error) { return nil, bad })
	if _, err := New(name, Config{}); !errors.Is(err, bad) {
		t.Errorf("New: %v, want the factory's error", err)
	}
}

func TestRegistry_UnknownTypeNamesItAndTheKnownOnes(t *testing.T) {
	known := registerForTest(t, "known", func(Config) (Connector, error) { return nopConnector{}, nil })
	_, err := New("no-such-type", Config{})
	if err == nil || !strings.Contains(err.Error(), `"no-such-type"`) || !strings.Contains(err.Error(), known) {
		t.Errorf("New of an unknown type: %v, want an error naming it and %s", err, known)
	}
}

func TestRegistry_TypesSorted(t *testing.T) {
	b := registerForTest(t, "b", func(Config) (Connector, error) { return nopConnector{}, nil })
	a := registerForTest(t, "a", func(Config) (Connector, error) { return nopConnector{}, nil })
	types := Types()
	if !slices.IsSorted(types) {
		t.Errorf("Types() = %v, not sorted", types)
	}
	if !slices.Contains(types, a) || !slices.Contains(types, b) {
		t.Errorf("Types() = %v, want %s and %s", types, a, b)
	}
}

func TestRegistry_DuplicatePanicsNamingTheType(t *testing.T) {
	name := registerForTest(t, "dup", func(Config) (Connector, error) { return nopConnector{}, nil })
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), name) {
			t.Errorf("second Register: recovered %v, want a panic naming %s", r, name)
		}
	}()
	Register(name, func(Config) (Connector, error) { return nopConnector{}, nil })
}
