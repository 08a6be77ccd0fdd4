// Package all registers every connector type that ships with Tandem. cmd/tandem imports it for
// its side effects; nothing else should, so that a library user picks only the connectors they
// need.
package all

import (
	// Each import registers its connector type in its init.
	_ "github.com/tandem-crm/tandem/connectors/hubspot"
)
