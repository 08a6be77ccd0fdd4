package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tandem-crm/tandem/crmstore"
)

func (a *app) backupCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the store to FILE, also while the daemon serves",
		Long: `Write a consistent copy of the store in the data directory to FILE with SQLite's online
backup, while "tandem serve" keeps serving and writing: the copy holds every change committed
before it was taken and nothing half-written. FILE is one self-contained SQLite file, created
with mode 0600, checked with PRAGMA integrity_check before it is moved into place; an existing
FILE is only replaced with --force. Prints the file, its size and the change-log position it
holds.

Run it as the user the daemon runs as (sudo -u tandem tandem backup ...), and copy the file
off the machine. "tandem restore FILE" puts it back.`,
		Example: "  tandem backup /var/backups/tandem/tandem-$(date +%F).db",
		Args:    exactArgs("FILE"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			dir, err := a.resolveDataDir()
			if err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(dir, crmstore.DatabaseFile)); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no store in %s to back up", dir)
			}
			return a.withCheckedStore(ctx, func(st *crmstore.Store) error {
				info, err := st.Backup(ctx, args[0], crmstore.BackupOptions{Overwrite: force})
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "backup: %s\nsize: %d bytes\nchange-log seq: %d\nmigration version: %d\n",
					info.Path, info.SizeBytes, info.LastChangeSeq, info.MigrationVersion)
				return nil
			})
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace FILE if it exists")
	return cmd
}

func (a *app) restoreCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the store with a backup (the daemon must be stopped)",
		Long: `Replace the store in the data directory with FILE, a file written by "tandem backup".
Stop the daemon first (systemctl stop tandem): restore refuses while any process has the
store open.

FILE is checked first: it must pass PRAGMA integrity_check and be a Tandem store of a
migration version this binary knows. Then the current database is moved aside, with its
write-ahead log folded in, as tandem.db.pre-restore-<UTC time> in the data directory, and a
copy of FILE takes its place with mode 0600. FILE itself is left as it is. Changes made after
the backup was taken are not in the restored store; the moved-aside file still has them.
"tandem serve" applies any pending migrations when it starts.

Run it as the user the daemon runs as (sudo -u tandem tandem restore ...), so the restored
file belongs to that user.`,
		Example: "  systemctl stop tandem\n  sudo -u tandem tandem restore --config /etc/tandem/tandem.yaml /var/backups/tandem/tandem-2026-03-01.db\n  systemctl start tandem",
		Args:    exactArgs("FILE"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			dir, err := a.resolveDataDir()
			if err != nil {
				return err
			}
			info, aside, err := crmstore.Restore(cmd.Context(), dir, args[0])
			if err != nil {
				return err
			}
			from, _ := filepath.Abs(args[0])
			if aside == "" {
				aside = "(there was no store)"
			}
			fmt.Fprintf(a.stdout, "restored: %s\ninto: %s\nprevious store moved to: %s\nchange-log seq: %d\nmigration version: %d\n",
				from, info.Path, aside, info.LastChangeSeq, info.MigrationVersion)
			return nil
		}),
	}
}
