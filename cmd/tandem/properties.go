package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tandem-crm/tandem/crmstore"
)

type propertiesJSON struct {
	Results []crmstore.Property `json:"results"`
}

func (a *app) propertiesCommand() *cobra.Command {
	cmd := groupCommand("properties", "List, create, update, archive and restore property definitions")
	cmd.Long = `Work with the property definitions of an object (contacts, companies, deals, ..., or a custom
object). Definitions are printed as JSON on stdout, in the shape of HubSpot's properties API.`
	cmd.AddCommand(
		a.propertiesList(), a.propertiesGet(), a.propertiesCreate(),
		a.propertiesUpdate(), a.propertiesArchive(), a.propertiesRestore(),
		a.propertiesExport(),
	)
	return cmd
}

func (a *app) propertiesList() *cobra.Command {
	var archived bool
	cmd := &cobra.Command{
		Use:   "list OBJECT",
		Short: "List the properties of an object",
		Args:  exactArgs("OBJECT"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				props, err := st.Properties(cmd.Context(), args[0], archived)
				if err != nil {
					return err
				}
				if props == nil {
					props = []crmstore.Property{}
				}
				return a.writeJSON(propertiesJSON{Results: props})
			})
		}),
	}
	cmd.Flags().BoolVar(&archived, "archived", false, "list only archived properties")
	return cmd
}

func (a *app) propertiesGet() *cobra.Command {
	var archived bool
	cmd := &cobra.Command{
		Use:   "get OBJECT NAME",
		Short: "Print one property definition",
		Args:  exactArgs("OBJECT", "NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				p, err := st.Property(cmd.Context(), args[0], args[1], archived)
				if err != nil {
					return err
				}
				return a.writeJSON(p)
			})
		}),
	}
	cmd.Flags().BoolVar(&archived, "archived", false, "also find the property when it is archived")
	return cmd
}

// propertyFlags are the flags that define a property on create and update.
type propertyFlags struct {
	jsonFile    string
	name        string
	label       string
	typ         string
	fieldType   string
	group       string
	description string
	options     []string
	unique      bool
	hidden      bool
}

func (pf *propertyFlags) register(f *pflag.FlagSet, create bool) {
	f.StringVar(&pf.jsonFile, "json", "", "read the definition from `FILE` (HubSpot's property JSON) instead of flags")
	if create {
		f.StringVar(&pf.name, "name", "", "internal `NAME`: lower-case letters, digits and _ (required)")
	}
	f.StringVar(&pf.label, "label", "", "display `LABEL`")
	f.StringVar(&pf.typ, "type", "", "`TYPE`: string, number, date, datetime, bool, enumeration or phone_number")
	f.StringVar(&pf.fieldType, "field-type", "", "`FIELD_TYPE`: text, textarea, number, date, select, radio, checkbox, booleancheckbox, ...")
	f.StringVar(&pf.group, "group", "", "property group `NAME` (e.g. contactinformation)")
	f.StringVar(&pf.description, "description", "", "description `TEXT`")
	f.StringArrayVar(&pf.options, "option", nil, "enumeration option as `value=Label` (repeat for each option, in order)")
	if create {
		f.BoolVar(&pf.unique, "unique", false, "keep values unique among live records (string and number only; set at creation only)")
	}
	f.BoolVar(&pf.hidden, "hidden", false, "hide the property in forms and views")
}

// checkJSONExclusive refuses --json combined with any definition flag.
func checkJSONExclusive(f *pflag.FlagSet) error {
	var others []string
	f.Visit(func(fl *pflag.Flag) {
		if fl.Name != "json" && fl.Name != "help" && !isGlobalFlag(fl.Name) {
			others = append(others, "--"+fl.Name)
		}
	})
	if len(others) > 0 {
		return usagef("--json cannot be combined with %s", strings.Join(others, ", "))
	}
	return nil
}

func isGlobalFlag(name string) bool {
	return name == "config" || name == "data-dir" || name == "log-level"
}

// parseOptions turns --option arguments into enumeration options. "value" alone uses the
// value as its label.
func parseOptions(args []string) ([]crmstore.Option, error) {
	opts := make([]crmstore.Option, 0, len(args))
	for i, arg := range args {
		value, label, ok := strings.Cut(arg, "=")
		if !ok {
			label = value
		}
		if value == "" {
			return nil, usagef("invalid --option %q: want value=Label", arg)
		}
		opts = append(opts, crmstore.Option{Value: value, Label: label, DisplayOrder: i})
	}
	return opts, nil
}

// readJSONFile decodes the JSON document in path into v, refusing unknown fields so that a
// misspelt field is not silently ignored.
func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: invalid JSON: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: invalid JSON: more than one value", path)
	}
	return nil
}

func (a *app) propertiesCreate() *cobra.Command {
	var pf propertyFlags
	cmd := &cobra.Command{
		Use:   "create OBJECT (--name NAME --label LABEL --type TYPE --field-type FIELD_TYPE --group GROUP [flags] | --json FILE)",
		Short: "Define a new property",
		Example: `  tandem properties create contacts --name favourite_colour --label "Favourite colour" \
    --type enumeration --field-type select --group contactinformation \
    --option red=Red --option green=Green
  tandem properties create contacts --json property.json`,
		Args: exactArgs("OBJECT"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			var in crmstore.PropertyInput
			if pf.jsonFile != "" {
				if err := checkJSONExclusive(cmd.Flags()); err != nil {
					return err
				}
				if err := readJSONFile(pf.jsonFile, &in); err != nil {
					return err
				}
			} else {
				options, err := parseOptions(pf.options)
				if err != nil {
					return err
				}
				in = crmstore.PropertyInput{
					Name:           pf.name,
					Label:          pf.label,
					Description:    pf.description,
					GroupName:      pf.group,
					Type:           pf.typ,
					FieldType:      pf.fieldType,
					Options:        options,
					Hidden:         pf.hidden,
					HasUniqueValue: pf.unique,
				}
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				p, err := st.CreateProperty(cmd.Context(), args[0], in)
				if err != nil {
					return err
				}
				return a.writeJSON(p)
			})
		}),
	}
	pf.register(cmd.Flags(), true)
	return cmd
}

func (a *app) propertiesUpdate() *cobra.Command {
	var pf propertyFlags
	cmd := &cobra.Command{
		Use:   "update OBJECT NAME (flags... | --json FILE)",
		Short: "Change a property definition (only the fields given)",
		Long: `Change a property definition. Only the fields given change; --option replaces the whole list
of options. With --json FILE the body is HubSpot's PropertyUpdate JSON.`,
		Example: `  tandem properties update contacts favourite_colour --label "Colour" --option red=Red --option blue=Blue`,
		Args:    exactArgs("OBJECT", "NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			var in crmstore.PropertyUpdate
			f := cmd.Flags()
			if pf.jsonFile != "" {
				if err := checkJSONExclusive(f); err != nil {
					return err
				}
				if err := readJSONFile(pf.jsonFile, &in); err != nil {
					return err
				}
			} else {
				set := func(name string, v string) *string {
					if f.Changed(name) {
						return &v
					}
					return nil
				}
				in.Label = set("label", pf.label)
				in.Description = set("description", pf.description)
				in.GroupName = set("group", pf.group)
				in.Type = set("type", pf.typ)
				in.FieldType = set("field-type", pf.fieldType)
				if f.Changed("hidden") {
					in.Hidden = &pf.hidden
				}
				if f.Changed("option") {
					options, err := parseOptions(pf.options)
					if err != nil {
						return err
					}
					in.Options = &options
				}
				if in == (crmstore.PropertyUpdate{}) {
					return usagef("nothing to update: give --label, --description, --group, --type, --field-type, --option, --hidden or --json")
				}
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				p, err := st.UpdateProperty(cmd.Context(), args[0], args[1], in)
				if err != nil {
					return err
				}
				return a.writeJSON(p)
			})
		}),
	}
	pf.register(cmd.Flags(), false)
	return cmd
}

func (a *app) propertiesArchive() *cobra.Command {
	return &cobra.Command{
		Use:   "archive OBJECT NAME",
		Short: "Archive a property (its values are kept until it is restored)",
		Args:  exactArgs("OBJECT", "NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				if err := st.ArchiveProperty(cmd.Context(), args[0], args[1]); err != nil {
					return err
				}
				p, err := st.Property(cmd.Context(), args[0], args[1], true)
				if err != nil {
					return err
				}
				return a.writeJSON(p)
			})
		}),
	}
}

func (a *app) propertiesRestore() *cobra.Command {
	return &cobra.Command{
		Use:   "restore OBJECT NAME",
		Short: "Restore an archived property with its values",
		Args:  exactArgs("OBJECT", "NAME"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				p, err := st.RestoreProperty(cmd.Context(), args[0], args[1])
				if err != nil {
					return err
				}
				return a.writeJSON(p)
			})
		}),
	}
}
