package main

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
)

// recordJSON is a record as the CLI prints it, in the shape of HubSpot's API.
type recordJSON struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
	CreatedAt  string            `json:"createdAt"`
	UpdatedAt  string            `json:"updatedAt"`
	Archived   bool              `json:"archived"`
	ArchivedAt string            `json:"archivedAt,omitempty"`
}

func toRecordJSON(r *crmstore.Record) recordJSON {
	out := recordJSON{
		ID:         strconv.FormatInt(r.ID, 10),
		Properties: r.Properties,
		CreatedAt:  crmstore.FormatTime(r.CreatedAt),
		UpdatedAt:  crmstore.FormatTime(r.UpdatedAt),
		Archived:   r.Archived,
	}
	if out.Properties == nil {
		out.Properties = map[string]string{}
	}
	if r.ArchivedAt != nil {
		out.ArchivedAt = crmstore.FormatTime(*r.ArchivedAt)
	}
	return out
}

type pagingJSON struct {
	Next struct {
		After string `json:"after"`
	} `json:"next"`
}

type recordPageJSON struct {
	Results []recordJSON `json:"results"`
	Paging  *pagingJSON  `json:"paging,omitempty"`
}

type historyJSON struct {
	ID                    string                             `json:"id"`
	PropertiesWithHistory map[string][]crmstore.HistoryEntry `json:"propertiesWithHistory"`
}

// parseProps turns name=value arguments into a property map. The value may contain '=' (the
// argument is split at the first one) and may be empty, which clears the value on update.
func parseProps(args []string) (map[string]string, error) {
	props := make(map[string]string, len(args))
	for _, arg := range args {
		name, value, ok := strings.Cut(arg, "=")
		if !ok || name == "" {
			return nil, usagef("invalid property argument %q: want name=value", arg)
		}
		if _, dup := props[name]; dup {
			return nil, usagef("property %q is given more than once", name)
		}
		props[name] = value
	}
	return props, nil
}

func (a *app) recordsCommand() *cobra.Command {
	cmd := groupCommand("records", "Create, read, update, archive, merge and list records")
	cmd.Long = `Work with the records of an object (contacts, companies, deals, tickets, ..., or a custom
object by name or objectTypeId). Properties are given as name=value arguments; records are
printed as JSON on stdout.`
	cmd.AddCommand(
		a.recordsCreate(), a.recordsGet(), a.recordsUpdate(),
		a.recordsArchive(), a.recordsRestore(), a.recordsDelete(),
		a.recordsMerge(), a.recordsList(), a.recordsHistory(),
	)
	return cmd
}

func (a *app) recordsCreate() *cobra.Command {
	return &cobra.Command{
		Use:     "create OBJECT [name=value...]",
		Short:   "Create a record",
		Example: "  tandem records create contacts email=jane@example.com firstname=Jane",
		Args:    minArgs("OBJECT"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			props, err := parseProps(args[1:])
			if err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				r, err := st.CreateRecord(cmd.Context(), args[0], props, cliSource)
				if err != nil {
					return err
				}
				return a.writeJSON(toRecordJSON(r))
			})
		}),
	}
}

func (a *app) recordsGet() *cobra.Command {
	var opts crmstore.GetOptions
	cmd := &cobra.Command{
		Use:   "get OBJECT ID",
		Short: "Print one record",
		Long: `Print one record, by record id or, with --id-property, by the value of a unique property
such as email. The id of a record merged into another prints the record it was merged into.`,
		Example: "  tandem records get contacts 1\n  tandem records get contacts jane@example.com --id-property email",
		Args:    exactArgs("OBJECT", "ID"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				r, err := st.GetRecord(cmd.Context(), args[0], args[1], opts)
				if err != nil {
					return err
				}
				return a.writeJSON(toRecordJSON(r))
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&opts.IDProperty, "id-property", "", "unique `PROPERTY` whose value ID is (e.g. email)")
	f.StringSliceVar(&opts.Properties, "properties", nil, "print only these `NAMES` (comma-separated)")
	f.BoolVar(&opts.Archived, "archived", false, "read an archived record")
	return cmd
}

func (a *app) recordsUpdate() *cobra.Command {
	var idProperty string
	cmd := &cobra.Command{
		Use:     "update OBJECT ID name=value...",
		Short:   "Update properties of a record (name= clears a value)",
		Example: "  tandem records update contacts 1 lastname=Doe phone=",
		Args:    minArgs("OBJECT", "ID", "name=value"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			props, err := parseProps(args[2:])
			if err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				r, err := st.UpdateRecord(cmd.Context(), args[0], args[1], props, idProperty, cliSource)
				if err != nil {
					return err
				}
				return a.writeJSON(toRecordJSON(r))
			})
		}),
	}
	cmd.Flags().StringVar(&idProperty, "id-property", "", "unique `PROPERTY` whose value ID is (e.g. email)")
	return cmd
}

// lifecycleCommand builds archive, restore and delete: they take OBJECT ID and call op.
func (a *app) lifecycleCommand(use, short, long string,
	op func(ctx context.Context, st *crmstore.Store, object string, id int64) error,
	after func(ctx context.Context, st *crmstore.Store, object string, id int64) error,
) *cobra.Command {
	return &cobra.Command{
		Use:   use + " OBJECT ID",
		Short: short,
		Long:  long,
		Args:  exactArgs("OBJECT", "ID"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := parseID("record id", args[1])
			if err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				if err := op(cmd.Context(), st, args[0], id); err != nil {
					return err
				}
				if after == nil {
					return nil
				}
				return after(cmd.Context(), st, args[0], id)
			})
		}),
	}
}

func (a *app) printRecord(archived bool) func(ctx context.Context, st *crmstore.Store, object string, id int64) error {
	return func(ctx context.Context, st *crmstore.Store, object string, id int64) error {
		r, err := st.GetRecord(ctx, object, strconv.FormatInt(id, 10), crmstore.GetOptions{Archived: archived})
		if err != nil {
			return err
		}
		return a.writeJSON(toRecordJSON(r))
	}
}

func (a *app) recordsArchive() *cobra.Command {
	return a.lifecycleCommand("archive", "Archive (soft-delete) a record and print it",
		"Archive a record: it disappears from reads and lists, its unique values are released, and\n\"records restore\" brings it back.",
		func(ctx context.Context, st *crmstore.Store, object string, id int64) error {
			return st.ArchiveRecord(ctx, object, id, cliSource)
		}, a.printRecord(true))
}

func (a *app) recordsRestore() *cobra.Command {
	return a.lifecycleCommand("restore", "Restore an archived record and print it", "",
		func(ctx context.Context, st *crmstore.Store, object string, id int64) error {
			return st.RestoreRecord(ctx, object, id, cliSource)
		}, a.printRecord(false))
}

func (a *app) recordsDelete() *cobra.Command {
	return a.lifecycleCommand("delete", "Permanently delete a record (GDPR); this cannot be undone",
		"Permanently delete a record: its values, unique keys and associations are removed and the\nvalues in its change history are erased. Prints nothing on success.",
		func(ctx context.Context, st *crmstore.Store, object string, id int64) error {
			return st.DeleteRecord(ctx, object, id, cliSource)
		}, nil)
}

func (a *app) recordsMerge() *cobra.Command {
	return &cobra.Command{
		Use:   "merge OBJECT PRIMARY_ID MERGED_ID",
		Short: "Merge one record into another and print the result",
		Long: `Merge MERGED_ID into PRIMARY_ID. The primary keeps its id and values, takes the merged
record's values for properties it lacks, and gets its associations; the merged record is
archived and reading its id answers with the primary.`,
		Args: exactArgs("OBJECT", "PRIMARY_ID", "MERGED_ID"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			primary, err := parseID("primary record id", args[1])
			if err != nil {
				return err
			}
			merged, err := parseID("merged record id", args[2])
			if err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				r, err := st.MergeRecords(cmd.Context(), args[0], primary, merged, cliSource)
				if err != nil {
					return err
				}
				return a.writeJSON(toRecordJSON(r))
			})
		}),
	}
}

func (a *app) recordsList() *cobra.Command {
	var (
		opts  crmstore.ListOptions
		after string
	)
	cmd := &cobra.Command{
		Use:   "list OBJECT",
		Short: "List records in id order, one page at a time",
		Long: `List records in id order. The output is {"results": [...], "paging": {"next": {"after": ID}}};
pass that id to --after for the next page. "paging" is left out on the last page.`,
		Example: "  tandem records list contacts --limit 50 --properties email,firstname",
		Args:    exactArgs("OBJECT"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if opts.Limit < 1 || opts.Limit > 100 {
				return usagef("invalid --limit %d: want 1 to 100", opts.Limit)
			}
			if after != "" {
				id, err := strconv.ParseInt(after, 10, 64)
				if err != nil || id < 0 {
					return usagef("invalid --after %q: want a record id", after)
				}
				opts.After = id
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				page, err := st.ListRecords(cmd.Context(), args[0], opts)
				if err != nil {
					return err
				}
				out := recordPageJSON{Results: make([]recordJSON, 0, len(page.Records))}
				for _, r := range page.Records {
					out.Results = append(out.Results, toRecordJSON(r))
				}
				if page.Next != 0 {
					out.Paging = &pagingJSON{}
					out.Paging.Next.After = strconv.FormatInt(page.Next, 10)
				}
				return a.writeJSON(out)
			})
		}),
	}
	f := cmd.Flags()
	f.IntVar(&opts.Limit, "limit", 10, "records per page, 1 to 100")
	f.StringVar(&after, "after", "", "list records after this record `ID` (the paging.next.after of the previous page)")
	f.BoolVar(&opts.Archived, "archived", false, "list archived records instead")
	f.StringSliceVar(&opts.Properties, "properties", nil, "print only these `NAMES` (comma-separated)")
	return cmd
}

func (a *app) recordsHistory() *cobra.Command {
	var names []string
	cmd := &cobra.Command{
		Use:   "history OBJECT ID",
		Short: "Print every value each property of a record had, newest first",
		Long: `Print the history of a record's properties: every value each one had, newest first, with
its timestamp and source, including the history of records merged into it.`,
		Example: "  tandem records history contacts 1 --properties email,lifecyclestage",
		Args:    exactArgs("OBJECT", "ID"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := parseID("record id", args[1])
			if err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(st *crmstore.Store) error {
				ctx := cmd.Context()
				// The history of an unknown record would be empty: say it does not exist.
				r, err := st.GetRecord(ctx, args[0], args[1], crmstore.GetOptions{Properties: []string{}})
				if errors.Is(err, crmstore.ErrNotFound) {
					r, err = st.GetRecord(ctx, args[0], args[1], crmstore.GetOptions{Archived: true, Properties: []string{}})
				}
				if err != nil {
					return err
				}
				if r.ID != id { // id was merged into r: its history is part of r's
					id = r.ID
				}
				hist, err := st.PropertyHistory(ctx, args[0], id, names)
				if err != nil {
					return err
				}
				if hist == nil {
					hist = map[string][]crmstore.HistoryEntry{}
				}
				return a.writeJSON(historyJSON{ID: strconv.FormatInt(id, 10), PropertiesWithHistory: hist})
			})
		}),
	}
	cmd.Flags().StringSliceVar(&names, "properties", nil, "only these `NAMES` (comma-separated)")
	return cmd
}
