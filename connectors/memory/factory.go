package memory

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/tandem-crm/tandem/connectors"
)

// Factory returns a connectors.Factory whose connectors all speak to remote, for code that
// builds connectors by type name (for example a test registering "memory" in a private
// configuration). The only option is page_size, a positive integer capping Pull and List
// pages below the remote's own page size.
func Factory(remote *Remote) connectors.Factory {
	return func(cfg connectors.Config) (connectors.Connector, error) {
		c := remote.Connector()
		keys := make([]string, 0, len(cfg.Options))
		for k := range cfg.Options {
			keys = append(keys, k)
		}
		sort.Strings(keys) // report the same bad option on every run
		for _, k := range keys {
			v := cfg.Options[k]
			switch k {
			case "page_size":
				n, err := strconv.Atoi(v)
				if err != nil || n <= 0 {
					return nil, fmt.Errorf("connector %s: option page_size: %q is not a positive integer", cfg.Name, v)
				}
				c.pageSize = n
			default:
				return nil, fmt.Errorf("connector %s: unknown option %q (known: page_size)", cfg.Name, k)
			}
		}
		return c, nil
	}
}
