package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/syncengine/mapping"
)

// Checks of the connectors section that the config package cannot make, because they need
// the connector registry and the sync engine's mapping rules. check-config runs them after
// config.Load succeeds; the daemon runs them before it adds a connector, so a connector with
// a bad mapping is refused at start (and on reload) instead of failing every run.

// checkConnectors checks every connector of cfg and returns the problems with their config
// paths. config exposes no line numbers for paths, so the problems have none.
func checkConnectors(cfg *config.Config) []config.Problem {
	var out []config.Problem
	for i, c := range cfg.Connectors {
		out = append(out, checkConnector(fmt.Sprintf("connectors[%d]", i), c)...)
	}
	return out
}

// checkConnector checks one connector at path: its type against the registry, its options
// by building it (a factory names the bad option; building contacts nothing), each field's
// transform, and each object's field set compiled as the engine compiles it, with string
// types on both sides since the real types are known only at run time.
func checkConnector(path string, c config.Connector) []config.Problem {
	var out []config.Problem
	if !slices.Contains(connectors.Types(), c.Type) {
		out = append(out, config.Problem{Path: path + ".type",
			Message: fmt.Sprintf("unknown connector type %q (known: %s)", c.Type, strings.Join(connectors.Types(), ", "))})
	} else if conn, err := connectors.New(c.Type, connectors.Config{Name: c.Name, Options: c.Options}); err != nil {
		out = append(out, config.Problem{Path: path + ".options", Message: err.Error()})
	} else {
		_ = conn.Close() // built only to check the options
	}
	return append(out, checkMappings(path, c)...)
}

// checkMappings checks the field mappings of every object of connector c at path.
func checkMappings(path string, c config.Connector) []config.Problem {
	var out []config.Problem
	for j, o := range c.Objects {
		out = append(out, checkFields(fmt.Sprintf("%s.objects[%d]", path, j), o)...)
	}
	return out
}

// checkFields checks one object's fields: each transform on its own (reported at the field's
// transform), then the set as a whole (two fields on one remote field, a value map that is
// not one to one), with the bad transforms left out so they are not reported twice.
func checkFields(path string, o config.ObjectMapping) []config.Problem {
	var out []config.Problem
	specs := make([]mapping.FieldSpec, len(o.Fields))
	for k, f := range o.Fields {
		specs[k] = mapping.FieldSpec{Local: f.Local, Remote: f.Remote, Direction: mapping.Direction(f.Direction),
			Transform: f.Transform, Values: f.Values}
		if err := mapping.ValidateTransform(f.Transform); err != nil {
			out = append(out, config.Problem{Path: fmt.Sprintf("%s.fields[%d].transform", path, k), Message: err.Error()})
			specs[k].Transform = ""
		}
	}
	if _, err := mapping.CompileSet(specs, nil, nil); err != nil {
		for _, e := range unjoin(err) {
			out = append(out, config.Problem{Path: path, Message: e.Error()})
		}
	}
	return out
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// problemsError joins problems into one error for a log line or an error return.
func problemsError(problems []config.Problem) error {
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = errors.New(p.String())
	}
	return errors.Join(errs...)
}
