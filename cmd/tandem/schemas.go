package main

import (
	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
)

type schemasJSON struct {
	Results []crmstore.ObjectType `json:"results"`
}

// schemaJSON is a custom object with its properties, as "schemas create" prints it.
type schemaJSON struct {
	crmstore.ObjectType
	Properties []crmstore.Property `json:"properties"`
}

func (a *app) schemasCommand() *cobra.Command {
	cmd := groupCommand("schemas", "Define and list custom objects")
	cmd.AddCommand(a.schemasCreate(), a.schemasList())
	return cmd
}

func (a *app) schemasCreate() *cobra.Command {
	return &cobra.Command{
		Use:   "create FILE.json",
		Short: "Define a custom object from a HubSpot schema JSON body",
		Long: `Define a custom object from FILE.json, a body as HubSpot's POST /crm/v3/schemas takes it
(name, labels, properties, requiredProperties, primaryDisplayProperty, associatedObjects, ...),
and print the new object with its properties.`,
		Example: "  tandem schemas create cars.json",
		Args:    exactArgs("FILE.json"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			var in crmstore.SchemaInput
			if err := readJSONFile(args[0], &in); err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				o, err := st.CreateSchema(cmd.Context(), in)
				if err != nil {
					return err
				}
				props, err := st.Properties(cmd.Context(), o.TypeID, false)
				if err != nil {
					return err
				}
				return a.writeJSON(schemaJSON{ObjectType: *o, Properties: props})
			})
		}),
	}
}

func (a *app) schemasList() *cobra.Command {
	var archived bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the custom objects",
		Args:  noArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				objs, err := st.Schemas(cmd.Context(), archived)
				if err != nil {
					return err
				}
				if objs == nil {
					objs = []crmstore.ObjectType{}
				}
				return a.writeJSON(schemasJSON{Results: objs})
			})
		}),
	}
	cmd.Flags().BoolVar(&archived, "archived", false, "list only archived custom objects")
	return cmd
}
