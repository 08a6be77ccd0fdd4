package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// exportBufferSize is the write buffer of an export: large enough that
// writes to the file are few, small enough not to matter for memory.
const exportBufferSize = 256 << 10

// exportOutput is where an export writes: stdout, or a file that appears
// under its name only once complete. The data goes to a temporary file in
// the same directory, renamed over the destination when the export
// succeeds, so an interrupted or failed export never leaves a truncated
// file that looks like a whole one.
type exportOutput struct {
	w    *bufio.Writer
	file *os.File // nil for stdout
	path string   // the destination of file
}

// openExportOutput opens path ("" or "-" for stdout). The file is created
// 0600: an export holds personal data.
func openExportOutput(path string, stdout io.Writer) (*exportOutput, error) {
	if path == "" || path == "-" {
		return &exportOutput{w: bufio.NewWriterSize(stdout, exportBufferSize)}, nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("-o %s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, errors.Unwrap(err))
	}
	return &exportOutput{w: bufio.NewWriterSize(f, exportBufferSize), file: f, path: path}, nil
}

// commit flushes the data and, for a file, syncs it and moves it into place.
func (o *exportOutput) commit() error {
	if err := o.w.Flush(); err != nil {
		o.abort()
		return fmt.Errorf("write %s: %w", o.name(), err)
	}
	if o.file == nil {
		return nil
	}
	tmp := o.file.Name()
	if err := o.file.Sync(); err != nil {
		o.abort()
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := o.file.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := os.Rename(tmp, o.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("move the export into place: %w", err)
	}
	return nil
}

// abort drops a file export's partial data; stdout is left as it is.
func (o *exportOutput) abort() {
	if o.file != nil {
		o.file.Close()
		os.Remove(o.file.Name())
	}
}

func (o *exportOutput) name() string {
	if o.file == nil {
		return "stdout"
	}
	return o.path
}
