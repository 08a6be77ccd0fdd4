package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// exportProgressStep is how many records pass between updates of the
// progress bar: updating it per record would cost more than writing the
// record.
const exportProgressStep = 1000

// exportProgress shows an export's progress as a bar (records, records/s,
// time left) on a terminal; elsewhere it shows nothing, since the summary
// line at the end says what was exported.
type exportProgress struct {
	w       io.Writer
	what    string
	bar     *progressbar.ProgressBar
	pending int
}

// newExportProgress returns the progress of exporting records of what to
// w; it draws only when w is a terminal.
func newExportProgress(w io.Writer, what string) *exportProgress {
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return &exportProgress{}
	}
	return &exportProgress{w: w, what: what}
}

// start is called with the number of records to export.
func (p *exportProgress) start(total int) {
	if p.w == nil {
		return
	}
	p.bar = progressbar.NewOptions64(int64(total),
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("exporting "+p.what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// add counts one exported record.
func (p *exportProgress) add() {
	if p.bar == nil {
		return
	}
	if p.pending++; p.pending == exportProgressStep {
		_ = p.bar.Add(p.pending) // drawing the bar is best effort
		p.pending = 0
	}
}

// finish removes the bar.
func (p *exportProgress) finish() {
	if p.bar == nil {
		return
	}
	_ = p.bar.Add(p.pending)
	_ = p.bar.Finish()
}
