package main

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/connectors"
	_ "github.com/tandem-crm/tandem/connectors/all" // registers the connector types
	"github.com/tandem-crm/tandem/internal/logging"
	"github.com/tandem-crm/tandem/syncengine"
	"github.com/tandem-crm/tandem/syncengine/schedule"
)

// Turning the configuration's connectors section into what the sync engine and its scheduler
// run. config has validated the keys and filled the defaults; the engine checks the spec
// again when the connector is added.

// syncSpec converts a configured connector into the engine's spec.
func syncSpec(c config.Connector) syncengine.ConnectorSpec {
	spec := syncengine.ConnectorSpec{Name: c.Name, Objects: make([]syncengine.ObjectSpec, 0, len(c.Objects))}
	for _, o := range c.Objects {
		obj := syncengine.ObjectSpec{
			Object:           o.Object,
			Remote:           o.Remote,
			Direction:        syncengine.Direction(o.Direction),
			Create:           syncengine.Direction(o.Create),
			Match:            o.Match,
			Conflict:         syncengine.ConflictPolicy(o.Conflict),
			Deletes:          syncengine.DeletePolicy(o.Deletes),
			MaxDeletePercent: o.MaxDeletePercent,
			Fields:           make([]syncengine.FieldSpec, 0, len(o.Fields)),
		}
		for _, f := range o.Fields {
			obj.Fields = append(obj.Fields, syncengine.FieldSpec{
				Local:              f.Local,
				Remote:             f.Remote,
				Direction:          syncengine.Direction(f.Direction),
				Transform:          f.Transform,
				Values:             f.Values,
				OverwriteWithEmpty: f.OverwriteWithEmpty,
			})
		}
		spec.Objects = append(spec.Objects, obj)
	}
	return spec
}

// scheduleSpec converts a configured connector into its scheduler spec. Push on change
// watches only the objects the connector pushes; a connector that pushes nothing has nothing
// to push on change.
func scheduleSpec(c config.Connector) schedule.Spec {
	sp := schedule.Spec{Name: c.Name, Schedule: c.Schedule, Reconcile: c.Reconcile}
	for _, o := range c.Objects {
		if o.Direction.Allows(config.DirectionPush) {
			sp.Objects = append(sp.Objects, o.Object)
		}
	}
	sp.PushOnChange = c.PushOnChange && len(sp.Objects) > 0
	return sp
}

// buildConnector builds the configured connector through the registry. Its logs go to log
// named "connectors", with the connector's name.
func buildConnector(c config.Connector, log *zap.Logger) (connectors.Connector, error) {
	conn, err := connectors.New(c.Type, connectors.Config{
		Name:    c.Name,
		Options: c.Options,
		Logger:  logging.NewSlog(log.Named("connectors").With(zap.String("connector", c.Name))),
	})
	if err != nil {
		return nil, fmt.Errorf("build connector %s (type %s): %w", c.Name, c.Type, err)
	}
	return conn, nil
}
