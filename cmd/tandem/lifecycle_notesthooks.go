//go:build !tandem_testhooks

package main

import "github.com/tandem-crm/tandem/internal/admin"

// testHooksCompiled says whether this binary has the test hooks: release binaries do not.
// See lifecycle_testhooks.go.
const testHooksCompiled = false

// mountTestHooks does nothing in a release binary.
func (d *daemon) mountTestHooks(*admin.Server) {}
