package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/tandem-crm/tandem/internal/importer"
)

// importLineEvery is how often progress lines are printed off a terminal.
const importLineEvery = 5 * time.Second

// importProgress shows a running import: on a terminal a bar over the
// file's bytes (so the time left is known without counting rows first)
// described with the rows read and rows/s; elsewhere a line every few
// seconds.
type importProgress struct {
	w        io.Writer
	terminal bool
	bar      *progressbar.ProgressBar
	lastLine time.Duration
}

func newImportProgress(w io.Writer) *importProgress {
	f, ok := w.(*os.File)
	return &importProgress{w: w, terminal: ok && term.IsTerminal(int(f.Fd()))}
}

// rate is rows per second so far.
func rate(p importer.Progress) float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Counters.Rows) / p.Elapsed.Seconds()
}

// update is the importer's progress callback.
func (p *importProgress) update(pr importer.Progress) {
	if pr.Done {
		return // the summary follows
	}
	c := pr.Counters
	if !p.terminal {
		if pr.Elapsed-p.lastLine < importLineEvery {
			return
		}
		p.lastLine = pr.Elapsed
		pct := 0.0
		if c.BytesTotal > 0 {
			pct = 100 * float64(c.BytesRead) / float64(c.BytesTotal)
		}
		fmt.Fprintf(p.w, "import %d: %d rows (%.0f%%, %.0f rows/s), created %d, updated %d, unchanged %d, failed %d\n",
			pr.ImportID, c.Rows, pct, rate(pr), c.Created, c.Updated, c.Unchanged, c.Failed)
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(c.BytesTotal,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionFullWidth(),
		)
	}
	p.bar.Describe(fmt.Sprintf("%d rows, %.0f rows/s", c.Rows, rate(pr)))
	_ = p.bar.Set64(c.BytesRead) // drawing the bar is best effort
}

// finish removes the bar.
func (p *importProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
