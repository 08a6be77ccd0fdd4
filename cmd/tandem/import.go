package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/importer"
)

// importFlags are the flags shared by single-file and multi-file imports.
type importFlags struct {
	mode        string
	match       []string
	maps        []string
	dateFormat  string
	noOverwrite []string
	associate   bool
	name        string
	batch       int
}

func (f *importFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.mode, "mode", "upsert", "`MODE` for every object: create, update or upsert")
	fl.StringArrayVar(&f.match, "match", nil, "match existing records by `KEY`: email, domain, id or a unique property; OBJECT.KEY for another object (repeatable)")
	fl.StringArrayVar(&f.maps, "map", nil, "map a column: \"Column Header=property\", \"Column Header=OBJECT.property\" or \"Column Header=-\" to skip it (repeatable)")
	fl.StringVar(&f.dateFormat, "date-format", "", "`ORDER` of day, month and year in dates: DAY_MONTH_YEAR, MONTH_DAY_YEAR or YEAR_MONTH_DAY (ISO dates are always read)")
	fl.StringArrayVar(&f.noOverwrite, "no-overwrite", nil, "keep existing non-empty values of `PROPERTY` (OBJECT.PROPERTY for another object; repeatable)")
	fl.BoolVar(&f.associate, "associate", true, "associate the records of different objects on the same row")
	fl.StringVar(&f.name, "name", "", "`NAME` of the import in listings (default: the file name)")
	fl.IntVar(&f.batch, "batch-size", 2000, "rows written per transaction")
}

func (a *app) importCommand() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import OBJECT FILE.csv",
		Short: "Import records from CSV files; list, show and revert imports",
		Long: `Import the rows of a CSV file as records of OBJECT (contacts, companies, deals, ... or a custom
object). Columns map to properties by internal name or label, ignoring case and spacing
("First Name" -> firstname); --map overrides, and columns that map to nothing are listed at the
end. Rows are matched to existing records by --match (contacts by email, companies by domain,
other objects by record id by default); rows of the file naming the same record merge into one,
later rows winning per column. Empty cells never clear a value. Owners may be given by email,
multi-checkbox values are separated by ";", and a lifecycle stage never moves backwards.

One file can hold two objects: map the other object's columns with --map "Column=OBJECT.property"
and each row's records are associated. Several files joined on a common column: see
"tandem import multi".

A row that cannot be imported (bad quoting, wrong number of fields, invalid value, missing
required property) fails alone; the import goes on and writes the failed rows, their line
numbers and the reasons to an error file in the data directory. Ctrl-C stops after the batch
being written; running the same import again completes it without duplicates.`,
		Example: `  tandem import contacts leads.csv
  tandem import contacts leads.csv --match email --map "E-mail address=email" --date-format DAY_MONTH_YEAR
  tandem import contacts leads.csv --map "Company Name=companies.name" --map "Company Domain=companies.domain"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("%s needs 2 arguments: OBJECT FILE.csv, or a subcommand; got %d", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			spec, err := f.singleSpec(args[0], args[1])
			if err != nil {
				return err
			}
			return a.runImport(cmd.Context(), spec, f.batch)
		}),
	}
	f.register(cmd)
	cmd.AddCommand(a.importMultiCommand(), a.importListCommand(), a.importShowCommand(), a.importRevertCommand())
	return cmd
}

func (a *app) importMultiCommand() *cobra.Command {
	var f importFlags
	var joins []string
	cmd := &cobra.Command{
		Use:   "multi OBJECT=FILE.csv... [--join \"Column Header=OBJECT.property\"]...",
		Short: "Import several files, one object each, joined on a common column",
		Long: `Import several CSV files, each holding one object's records, joined on a common column.
--join "Column Header=companies.domain" says that the column named "Column Header" holds
companies' domain: in the companies file it fills domain (and matches by it), in every other
file it associates the row's record with the company of that domain. Files that others join to
are imported first. --map takes "OBJECT:Column Header=property" to map a column of one file.`,
		Example: `  tandem import multi companies=companies.csv contacts=contacts.csv --join "Company Domain=companies.domain"`,
		Args:    minArgs("OBJECT=FILE.csv", "OBJECT=FILE.csv"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			spec, err := f.multiSpec(args, joins)
			if err != nil {
				return err
			}
			return a.runImport(cmd.Context(), spec, f.batch)
		}),
	}
	f.register(cmd)
	cmd.Flags().StringArrayVar(&joins, "join", nil, "common `COLUMN=OBJECT.property` linking the files (repeatable)")
	return cmd
}

// objectSpec returns the spec of object in s, adding it.
func objectSpec(s *importer.Spec, object string) *importer.ObjectSpec {
	for i := range s.Objects {
		if s.Objects[i].Object == object {
			return &s.Objects[i]
		}
	}
	s.Objects = append(s.Objects, importer.ObjectSpec{Object: object})
	return &s.Objects[len(s.Objects)-1]
}

// objectProperty splits "OBJECT.property", defaulting the object.
func objectProperty(s, defaultObject string) (string, string) {
	if obj, prop, ok := strings.Cut(s, "."); ok && obj != "" && prop != "" {
		return obj, prop
	}
	return defaultObject, s
}

// common applies the flags every import takes to spec, whose objects are given.
func (f *importFlags) common(spec *importer.Spec, main string, objects []string) error {
	mode := strings.ToUpper(strings.TrimSpace(f.mode))
	switch mode {
	case crmstore.ImportCreate, crmstore.ImportUpdate, crmstore.ImportUpsert:
	default:
		return usagef("invalid --mode %q: want create, update or upsert", f.mode)
	}
	for _, o := range objects {
		objectSpec(spec, o).Operation = mode
	}
	for _, m := range f.match {
		obj, prop := objectProperty(m, main)
		if obj == "" {
			return usagef("invalid --match %q: want OBJECT.PROPERTY", m)
		}
		objectSpec(spec, obj).Match = prop
	}
	for _, n := range f.noOverwrite {
		obj, prop := objectProperty(n, main)
		if obj == "" {
			return usagef("invalid --no-overwrite %q: want OBJECT.PROPERTY", n)
		}
		ospec := objectSpec(spec, obj)
		ospec.NoOverwrite = append(ospec.NoOverwrite, prop)
	}
	df := strings.ToUpper(strings.TrimSpace(f.dateFormat))
	switch importer.DateFormat(df) {
	case "", importer.DayMonthYear, importer.MonthDayYear, importer.YearMonthDay:
		spec.DateFormat = importer.DateFormat(df)
	default:
		return usagef("invalid --date-format %q: want DAY_MONTH_YEAR, MONTH_DAY_YEAR or YEAR_MONTH_DAY", f.dateFormat)
	}
	spec.Name = f.name
	spec.Source = importer.SourceCLI
	spec.AssociateRows = f.associate
	if f.batch <= 0 {
		return usagef("invalid --batch-size %d: want a positive number", f.batch)
	}
	return nil
}

// parseMap parses "Column Header=property" (the header may contain '=':
// the value is after the last one).
func parseMap(m, defaultObject string) (importer.ColumnSpec, error) {
	i := strings.LastIndex(m, "=")
	if i <= 0 {
		return importer.ColumnSpec{}, usagef("invalid --map %q: want \"Column Header=property\"", m)
	}
	col, target := m[:i], strings.TrimSpace(m[i+1:])
	if target == "-" {
		return importer.ColumnSpec{Name: col, Ignore: true}, nil
	}
	obj, prop := objectProperty(target, defaultObject)
	if prop == "" {
		return importer.ColumnSpec{}, usagef("invalid --map %q: no property after '='", m)
	}
	return importer.ColumnSpec{Name: col, Object: obj, Property: prop}, nil
}

// singleSpec builds the spec of "tandem import OBJECT FILE".
func (f *importFlags) singleSpec(object, path string) (importer.Spec, error) {
	spec := importer.Spec{}
	fs := importer.FileSpec{Name: filepath.Base(path), Path: path, Object: object}
	objects := []string{object}
	for _, m := range f.maps {
		cs, err := parseMap(m, object)
		if err != nil {
			return spec, err
		}
		if cs.Object != "" && cs.Object != object && !slices.Contains(objects, cs.Object) {
			objects = append(objects, cs.Object)
		}
		fs.Columns = append(fs.Columns, cs)
	}
	spec.Files = []importer.FileSpec{fs}
	if err := f.common(&spec, object, objects); err != nil {
		return spec, err
	}
	spec.Request = f.request(map[string]any{"object": object, "file": path})
	return spec, nil
}

// multiSpec builds the spec of "tandem import multi".
func (f *importFlags) multiSpec(args, joins []string) (importer.Spec, error) {
	spec := importer.Spec{}
	var objects []string
	for _, arg := range args {
		obj, path, ok := strings.Cut(arg, "=")
		if !ok || obj == "" || path == "" {
			return spec, usagef("invalid file argument %q: want OBJECT=FILE.csv", arg)
		}
		if slices.Contains(objects, obj) {
			return spec, usagef("object %q is given twice; one file per object", obj)
		}
		objects = append(objects, obj)
		spec.Files = append(spec.Files, importer.FileSpec{Name: filepath.Base(path), Path: path, Object: obj})
	}
	for _, m := range f.maps {
		obj, rest, ok := strings.Cut(m, ":")
		if !ok || !slices.Contains(objects, obj) {
			return spec, usagef("invalid --map %q: want \"OBJECT:Column Header=property\" with OBJECT one of %s", m, strings.Join(objects, ", "))
		}
		cs, err := parseMap(rest, obj)
		if err != nil {
			return spec, err
		}
		fs := &spec.Files[slices.Index(objects, obj)]
		fs.Columns = append(fs.Columns, cs)
	}
	for _, j := range joins {
		i := strings.LastIndex(j, "=")
		if i <= 0 {
			return spec, usagef("invalid --join %q: want \"Column Header=OBJECT.property\"", j)
		}
		col := j[:i]
		obj, prop := objectProperty(strings.TrimSpace(j[i+1:]), "")
		if obj == "" || !slices.Contains(objects, obj) {
			return spec, usagef("invalid --join %q: the object must be one of %s", j, strings.Join(objects, ", "))
		}
		for k := range spec.Files {
			if objects[k] == obj {
				spec.Files[k].Columns = append(spec.Files[k].Columns, importer.ColumnSpec{Name: col, Property: prop})
				objectSpec(&spec, obj).Match = prop
			} else {
				spec.Files[k].Columns = append(spec.Files[k].Columns, importer.ColumnSpec{Name: col, ToObject: obj, Property: prop})
			}
		}
	}
	if err := f.common(&spec, "", objects); err != nil {
		return spec, err
	}
	spec.Request = f.request(map[string]any{"files": args, "join": joins})
	return spec, nil
}

// request records the command line's flags as the import's request JSON.
func (f *importFlags) request(extra map[string]any) json.RawMessage {
	req := map[string]any{"mode": f.mode, "match": f.match, "map": f.maps, "dateFormat": f.dateFormat,
		"noOverwrite": f.noOverwrite, "associate": f.associate}
	for k, v := range extra {
		req[k] = v
	}
	b, _ := json.Marshal(req)
	return b
}

// withImporter opens the store and an importer on it (error files in
// DATA_DIR/imports), marks imports a killed process left running, and runs fn.
func (a *app) withImporter(ctx context.Context, batch int, fn func(st *crmstore.Store, im *importer.Importer) error) error {
	dir, err := a.resolveDataDir()
	if err != nil {
		return err
	}
	return a.withStore(ctx, func(st *crmstore.Store) error {
		im := importer.New(st, filepath.Join(dir, "imports"), nil, importer.WithBatchSize(batch))
		if _, err := im.Recover(ctx); err != nil {
			return err
		}
		return fn(st, im)
	})
}

// runImport runs spec in the foreground with progress on stderr and the
// summary on stdout. Rows that failed make the command fail after the summary.
func (a *app) runImport(ctx context.Context, spec importer.Spec, batch int) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer tuneGCForImport()()
	return a.withImporter(ctx, batch, func(_ *crmstore.Store, im *importer.Importer) error {
		prog := newImportProgress(a.stderr)
		sum, err := im.Run(ctx, spec, prog.update)
		prog.finish()
		var se *importer.SpecError
		if errors.As(err, &se) {
			return err
		}
		if sum.Import.ID != 0 {
			a.printSummary(sum)
		}
		if err != nil {
			return err
		}
		if n := sum.Import.Counters.Failed; n > 0 {
			return fmt.Errorf("%d row(s) failed; see %s", n, sum.Import.ErrorFile)
		}
		return nil
	})
}

// importHeapLimit bounds the Go heap of an import. The store's page cache
// (64 MB) comes on top; together they stay under the 200 MB an import of
// any size may take.
const importHeapLimit = 80 << 20

// tuneGCForImport lets the heap grow to importHeapLimit before collecting:
// an import allocates per row and keeps little, so the default GOGC=100
// spent a third of the CPU in the collector. It returns the undo.
func tuneGCForImport() func() {
	pct := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(importHeapLimit)
	return func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(limit)
	}
}

// printSummary prints the end of an import.
func (a *app) printSummary(sum importer.Summary) {
	im := sum.Import
	c := im.Counters
	fmt.Fprintf(a.stdout, "import %d %s: %d rows\n", im.ID, im.State, c.Rows)
	fmt.Fprintf(a.stdout, "  created %d, updated %d, unchanged %d, merged %d, failed %d", c.Created, c.Updated, c.Unchanged, c.Merged, c.Failed)
	if c.Associations > 0 {
		fmt.Fprintf(a.stdout, ", associations %d", c.Associations)
	}
	fmt.Fprintln(a.stdout)
	if im.ErrorFile != "" {
		fmt.Fprintf(a.stdout, "  error file: %s\n", im.ErrorFile)
	}
	if im.Message != "" {
		fmt.Fprintf(a.stdout, "  %s\n", im.Message)
	}
	files := make([]string, 0, len(sum.Unmapped))
	for f := range sum.Unmapped {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintf(a.stdout, "  unmapped columns in %s (not imported): %s\n", f, strings.Join(sum.Unmapped[f], ", "))
	}
}

func (a *app) importListCommand() *cobra.Command {
	var limit int
	var before int64
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List imports, newest first, as JSON",
		Args:  noArgs,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withImporter(cmd.Context(), 1, func(st *crmstore.Store, _ *importer.Importer) error {
				list, next, err := st.Imports(cmd.Context(), crmstore.ImportListOptions{Before: before, Limit: limit})
				if err != nil {
					return err
				}
				for i := range list {
					list[i].Request = nil
				}
				out := map[string]any{"results": list}
				if next != 0 {
					out["next"] = next
				}
				return a.writeJSON(out)
			})
		}),
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "at most `N` imports")
	cmd.Flags().Int64Var(&before, "before", 0, "list imports older than import `ID`")
	return cmd
}

func (a *app) importShowCommand() *cobra.Command {
	var withErrors bool
	cmd := &cobra.Command{
		Use:   "show IMPORT_ID",
		Short: "Print one import as JSON, with --errors its failed rows too",
		Args:  exactArgs("IMPORT_ID"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := parseID("import id", args[0])
			if err != nil {
				return err
			}
			return a.withImporter(cmd.Context(), 1, func(st *crmstore.Store, _ *importer.Importer) error {
				rec, err := st.Import(cmd.Context(), id)
				if err != nil {
					return err
				}
				if !withErrors {
					return a.writeJSON(rec)
				}
				var all []crmstore.ImportError
				var after int64
				for {
					page, next, err := st.ImportErrors(cmd.Context(), id, after, 1000)
					if err != nil {
						return err
					}
					all = append(all, page...)
					if next == 0 {
						break
					}
					after = next
				}
				if all == nil {
					all = []crmstore.ImportError{}
				}
				return a.writeJSON(map[string]any{"import": rec, "errors": all})
			})
		}),
	}
	cmd.Flags().BoolVar(&withErrors, "errors", false, "include the import's error rows")
	return cmd
}

func (a *app) importRevertCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revert IMPORT_ID",
		Short: "Archive the records an import created",
		Long: `Archive (soft-delete, restorable) every record the import created and that is still live,
and mark the import REVERTED. Records the import only updated keep their values.`,
		Args: exactArgs("IMPORT_ID"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := parseID("import id", args[0])
			if err != nil {
				return err
			}
			return a.withImporter(cmd.Context(), 1, func(_ *crmstore.Store, im *importer.Importer) error {
				rec, n, err := im.Revert(cmd.Context(), id)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "import %d %s: archived %d record(s)\n", rec.ID, rec.State, n)
				return nil
			})
		}),
	}
}
