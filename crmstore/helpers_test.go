package crmstore

import (
	"context"
	"testing"
)

// newTestStore opens a fresh store with the real clock in a temporary
// directory, closed when the test ends. openTestStore (store_test.go) is
// the variant with an injected clock.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
