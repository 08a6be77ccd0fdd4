package connectors

import (
	"fmt"
	"sort"
	"sync"
)

// Factory builds a connector from its configuration. It validates cfg.Options and names the
// option that is wrong.
type Factory func(cfg Config) (Connector, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a connector type available by name. It panics on a duplicate name, as
// database/sql does, because that is a programming error found at start-up.
func Register(typeName string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[typeName]; dup {
		panic("connectors: Register called twice for " + typeName)
	}
	registry[typeName] = f
}

// New builds a connector of the registered type typeName.
func New(typeName string, cfg Config) (Connector, error) {
	registryMu.RLock()
	f, ok := registry[typeName]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown connector type %q (known: %v)", typeName, Types())
	}
	return f(cfg)
}

// Types lists the registered connector types, sorted.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for name := range registry {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
