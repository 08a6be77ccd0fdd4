package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// steppingClock moves one second on each reading, so every batch is due a
// progress report without sleeping.
type steppingClock struct{ t time.Time }

func (c *steppingClock) now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

func contactsCSV(n int) string {
	var b strings.Builder
	b.WriteString("Email,First Name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "user%d@x.com,User %d\n", i, i)
	}
	return b.String()
}

func TestImport_CanceledThenRerunCompletesWithoutDuplicates(t *testing.T) {
	clock := &steppingClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := newEnv(t, WithBatchSize(5), WithClock(clock.now), WithProgressInterval(time.Second))
	spec := e.spec("contacts", contactsCSV(50))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, err := e.im.Run(ctx, spec, func(p Progress) {
		if p.Counters.Rows >= 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	first := sum.Import
	if first.State != crmstore.ImportCanceled || first.Counters.Created < 10 || first.Counters.Created >= 50 {
		t.Fatalf("canceled import %+v", first)
	}
	if n := e.count("contacts"); int64(n) != first.Counters.Created {
		t.Fatalf("contacts = %d, counters say %d: the record and the data disagree", n, first.Counters.Created)
	}
	second := e.run(spec).Import
	if second.State != crmstore.ImportDone || second.Counters.Created+first.Counters.Created != 50 || second.Counters.Unchanged != first.Counters.Created {
		t.Fatalf("rerun %+v after %+v", second.Counters, first.Counters)
	}
	if n := e.count("contacts"); n != 50 {
		t.Fatalf("contacts = %d after the rerun", n)
	}
	// A finished import cannot be canceled into another state.
	if _, err := e.store.SetImportState(context.Background(), second.ID, crmstore.ImportProcessing, ""); err == nil {
		t.Error("a DONE import went back to PROCESSING")
	}
}

func TestImport_RevertArchivesWhatTheImportCreated(t *testing.T) {
	e := newEnv(t, WithBatchSize(7))
	ctx := context.Background()
	pre, err := e.store.CreateRecord(ctx, "contacts", map[string]string{"email": "old@x.com", "firstname": "Old"}, crmstore.Source{Type: crmstore.SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	sum := e.run(e.spec("contacts", contactsCSV(20)+"old@x.com,Renamed\n"))
	if c := sum.Import.Counters; c.Created != 20 || c.Updated != 1 {
		t.Fatalf("counters %+v", c)
	}
	rec, n, err := e.im.Revert(ctx, sum.Import.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n != 20 || rec.State != crmstore.ImportReverted || rec.Reverted != 20 {
		t.Fatalf("revert: %d archived, import %+v", n, rec)
	}
	if left := e.count("contacts"); left != 1 {
		t.Fatalf("%d contacts left, want only the one the import updated", left)
	}
	if got := e.get("contacts", "email", "old@x.com"); got.ID != pre.ID || got.Properties["firstname"] != "Renamed" {
		t.Errorf("updated record %+v", got)
	}
	if _, _, err := e.im.Revert(ctx, sum.Import.ID); err == nil {
		t.Error("an import was reverted twice")
	}
	// The emails are free again: importing the file again creates them anew.
	if c := e.run(e.spec("contacts", contactsCSV(20))).Import.Counters; c.Created != 20 {
		t.Errorf("reimport after revert %+v", c)
	}
}

func TestImporter_StartCancelWait(t *testing.T) {
	e := newEnv(t, WithBatchSize(1))
	ctx := context.Background()
	rec, err := e.im.Start(ctx, e.spec("contacts", contactsCSV(5)))
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != crmstore.ImportStarted {
		t.Fatalf("started import %+v", rec)
	}
	done, err := e.im.Wait(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != crmstore.ImportDone || done.Counters.Created != 5 {
		t.Fatalf("finished import %+v", done)
	}
	if err := e.im.Cancel(rec.ID); !errors.Is(err, ErrNotRunning) {
		t.Errorf("cancel of a finished import: %v", err)
	}

	// Canceled before it can finish: a file far larger than one batch.
	rec, err = e.im.Start(ctx, e.spec("contacts", contactsCSV(3000)))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.im.Cancel(rec.ID); err != nil {
		t.Fatal(err)
	}
	done, err = e.im.Wait(ctx, rec.ID)
	if !errors.Is(err, context.Canceled) || done.State != crmstore.ImportCanceled {
		t.Fatalf("canceled import %+v, %v", done, err)
	}
	e.im.Close()
}

func TestImporter_RecoverMarksStaleImports(t *testing.T) {
	clock := &fixedClock{t: time.Now()}
	e := newEnv(t, WithClock(clock.now))
	ctx := context.Background()
	stale, err := e.store.CreateImport(ctx, crmstore.ImportInput{Name: "killed"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.im.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("recover of a fresh import: %d, %v", n, err)
	}
	clock.t = clock.t.Add(staleAfter + time.Minute)
	if n, err := e.im.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("recover: %d, %v", n, err)
	}
	got, err := e.store.Import(ctx, stale.ID)
	if err != nil || got.State != crmstore.ImportFailed || !strings.Contains(got.Message, "interrupted") {
		t.Fatalf("stale import %+v, %v", got, err)
	}
}

func TestImporter_UploadsAreRemoved(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, content := range []string{contactsCSV(2), ""} {
		path, err := e.im.SaveUpload("up.csv", strings.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("upload %v, %v", st, err)
		}
		rec, err := e.im.Start(ctx, Spec{Files: []FileSpec{{Name: "up.csv", Path: path, RemoveAfter: true, Object: "contacts"}}})
		if content != "" {
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.im.Wait(ctx, rec.ID); err != nil {
				t.Fatal(err)
			}
		} else if err == nil {
			t.Fatal("an empty upload was accepted")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("upload still there after the import: %v", err)
		}
	}
}

// Once Close has begun, Start refuses (a WaitGroup must not gain work while it is waited on)
// and the refused import is recorded as canceled, not left STARTED.
func TestStartAfterCloseIsRefused(t *testing.T) {
	e := newEnv(t)
	e.im.Close()
	_, err := e.im.Start(context.Background(), e.spec("contacts", contactsCSV(3)))
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Start after Close: %v, want ErrClosed", err)
	}
	imports, _, err := e.store.Imports(context.Background(), crmstore.ImportListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) != 1 || imports[0].State != crmstore.ImportCanceled {
		t.Errorf("imports after a refused Start: %+v, want one CANCELED", imports)
	}
}
