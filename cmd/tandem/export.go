package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
)

// exportFlags are the flags of tandem export.
type exportFlags struct {
	properties []string
	all        bool
	filters    []string
	query      string
	header     string
	output     string
}

func (a *app) exportCommand() *cobra.Command {
	var ef exportFlags
	cmd := &cobra.Command{
		Use:   "export OBJECT [--properties a,b,c | --all-properties] [--filter FILTER]... [--header labels|names] [-o FILE]",
		Short: "Export the records of an object as CSV",
		Long: `Export the live records of an object (contacts, companies, deals, ..., or a custom object) as
CSV, in record id order, to stdout or to FILE. Any number of records: the export reads them a
page at a time, so its memory stays flat.

Columns: "Record ID" (hs_object_id) first, then, by default, every property a write can set;
--all-properties adds the read-only ones (Create Date, Last Modified Date, ...); --properties
names the columns, in order. The header holds property labels (--header labels, the default;
a label that another column's label or another property's name could be mistaken for is
replaced by the property's name) or internal names (--header names).

Values are written as the store holds them, which is what "tandem import" reads back: dates
as 2024-01-31, datetimes as 2024-01-31T09:00:00.000Z (UTC), multiple checkboxes as
values joined with ";", booleans as true/false, owners by owner id. Importing the file
into an empty store reproduces the records.

With -o the file is written under a temporary name and moved into place when complete, so
an interrupted export leaves no partial file; the file is readable by its owner only.

` + exportFilterHelp,
		Example: `  tandem export contacts -o contacts.csv
  tandem export contacts --filter "lifecyclestage EQ lead" --filter "createdate BETWEEN 2024-01-01 2024-12-31"
  tandem export companies --properties name,domain,city --header names
  tandem export deals --all-properties --filter "amount GT 1000" -o big-deals.csv`,
		Args: exactArgs("OBJECT"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if ef.all && len(ef.properties) > 0 {
				return usagef("--properties and --all-properties cannot be combined")
			}
			if ef.header != exportHeaderLabels && ef.header != exportHeaderNames {
				return usagef("invalid --header %q: want labels or names", ef.header)
			}
			groups, err := parseExportFilters(ef.filters)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return a.withStore(ctx, func(st *crmstore.Store) error {
				return a.export(ctx, st, args[0], ef, groups)
			})
		}),
	}
	f := cmd.Flags()
	f.StringSliceVar(&ef.properties, "properties", nil, "export only these properties, in this `order` (comma-separated internal names)")
	f.BoolVar(&ef.all, "all-properties", false, "export every property, read-only ones included")
	f.StringArrayVar(&ef.filters, "filter", nil, "export only records matching `FILTER`, e.g. \"lifecyclestage EQ lead\" (repeat to AND filters)")
	f.StringVar(&ef.query, "query", "", "export only records matching the search API's free-text `QUERY`")
	f.StringVar(&ef.header, "header", exportHeaderLabels, "header row of property `labels` or internal names")
	f.StringVarP(&ef.output, "output", "o", "", "write to `FILE` instead of stdout")
	return cmd
}

// export writes the matching records of object as CSV.
func (a *app) export(ctx context.Context, st *crmstore.Store, object string, ef exportFlags, groups []crmstore.SearchFilterGroup) error {
	props, err := st.Properties(ctx, object, false)
	if err != nil {
		return err
	}
	schema, err := st.Schema(ctx, object)
	if err != nil {
		return err
	}
	lead := append([]string{schema.PrimaryDisplayProperty}, schema.SecondaryDisplayProperties...)
	cols, err := exportColumns(object, props, lead, trimmedNames(ef.properties), ef.all, ef.header)
	if err != nil {
		return err
	}
	out, err := openExportOutput(ef.output, a.stdout)
	if err != nil {
		return err
	}
	n, err := writeExport(ctx, st, object, cols, ef, groups, out, newExportProgress(a.stderr, object))
	if err != nil {
		out.abort()
		return exportFilterError(err, ef.filters)
	}
	if err := out.commit(); err != nil {
		return err
	}
	if ef.output != "" && ef.output != "-" {
		fmt.Fprintf(a.stdout, "exported %d %s to %s\n", n, object, ef.output)
	}
	return nil
}

// writeExport streams the records as CSV rows to out and returns how many
// it wrote.
func writeExport(ctx context.Context, st *crmstore.Store, object string, cols []exportColumn, ef exportFlags,
	groups []crmstore.SearchFilterGroup, out *exportOutput, progress *exportProgress) (int, error) {
	w := csv.NewWriter(out.w)
	if err := w.Write(exportHeaderRow(cols)); err != nil {
		return 0, fmt.Errorf("write %s: %w", out.name(), err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	n := 0
	req := crmstore.ExportRequest{Query: ef.query, FilterGroups: groups, Properties: names, Start: progress.start}
	err := st.ExportRecords(ctx, object, req, func(row []string) error {
		if err := w.Write(row); err != nil {
			return fmt.Errorf("write %s: %w", out.name(), err)
		}
		n++
		progress.add()
		return nil
	})
	progress.finish()
	if err != nil {
		return n, err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return n, fmt.Errorf("write %s: %w", out.name(), err)
	}
	return n, nil
}

// trimmedNames trims the names of a comma-separated list flag, dropping
// empty ones ("a, b," is a and b).
func trimmedNames(names []string) []string {
	var out []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
