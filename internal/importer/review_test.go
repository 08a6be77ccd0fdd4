package importer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// A batch that carries only the bytes after the last row (blank lines at
// the end of the file) can fail like any other: here because another
// process marked the import failed (Recover in a second tandem process).
// The writer used to index its first row and panic, which in the daemon
// takes the whole process down.
func TestImport_TrailingEmptyBatchFailureIsAnError(t *testing.T) {
	clock := &steppingClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := newEnv(t, WithBatchSize(2), WithClock(clock.now), WithProgressInterval(time.Second))
	spec := e.spec("contacts", contactsCSV(2)+"\n\n\n")
	sum, err := e.im.Run(context.Background(), spec, func(p Progress) {
		if p.Done || p.Counters.Rows < 2 {
			return
		}
		// What MarkStaleImports of another process does.
		if _, err := e.store.SetImportState(context.Background(), p.ImportID, crmstore.ImportFailed, "interrupted"); err != nil {
			t.Errorf("mark import failed: %v", err)
		}
	})
	if err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("err = %v, want the store's refusal of a stopped import", err)
	}
	if sum.Import.State != crmstore.ImportFailed || sum.Import.Counters.Created != 2 {
		t.Fatalf("import %+v", sum.Import)
	}
}
