package main

import (
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
)

// propertiesExportHeader is the header row of tandem properties export.
var propertiesExportHeader = []string{"Name", "Label", "Type", "Field type", "Group", "Options", "Description"}

func (a *app) propertiesExport() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "export OBJECT [-o FILE]",
		Short: "Export the property definitions of an object as CSV",
		Long: `Export the live property definitions of an object as CSV, one row per property in the order
of "properties list": name, label, type, field type, group, options and description.
Options are written as value=Label pairs joined with ";" (just the value when the label is
the same), in display order, as --option of "properties create" takes them.`,
		Example: `  tandem properties export contacts -o contact-properties.csv`,
		Args:    exactArgs("OBJECT"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				props, err := st.Properties(cmd.Context(), args[0], false)
				if err != nil {
					return err
				}
				out, err := openExportOutput(output, a.stdout)
				if err != nil {
					return err
				}
				if err := writePropertyDefinitions(csv.NewWriter(out.w), props); err != nil {
					out.abort()
					return fmt.Errorf("write %s: %w", out.name(), err)
				}
				if err := out.commit(); err != nil {
					return err
				}
				if output != "" && output != "-" {
					fmt.Fprintf(a.stdout, "exported %d %s properties to %s\n", len(props), args[0], output)
				}
				return nil
			})
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` instead of stdout")
	return cmd
}

// writePropertyDefinitions writes the header and one row per property.
func writePropertyDefinitions(w *csv.Writer, props []crmstore.Property) error {
	if err := w.Write(propertiesExportHeader); err != nil {
		return err
	}
	for _, p := range props {
		if err := w.Write([]string{p.Name, p.Label, p.Type, p.FieldType, p.GroupName, optionsCell(p.Options), p.Description}); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// optionsCell writes options as value=Label pairs joined with ";".
func optionsCell(opts []crmstore.Option) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = o.Value
		if o.Label != o.Value {
			parts[i] += "=" + o.Label
		}
	}
	return strings.Join(parts, ";")
}
