package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// This file is a CSV reader written for imports rather than encoding/csv,
// because imports need three things encoding/csv does not give: the
// physical line each row starts on (for error reports), recovery from an
// unbalanced quote (encoding/csv reads the rest of the file into one field),
// and a bounded amount of memory for any input.

// Limits that keep memory flat on hostile input.
const (
	// maxLineBytes is the longest physical line read; longer lines fail.
	maxLineBytes = 8 << 20
	// maxRecordBytes is the most a quoted value spanning several lines may
	// hold before its opening quote is taken for an unbalanced one.
	maxRecordBytes = 1 << 20
)

// Kinds of row problems found while reading.
const (
	problemColumns  = "INCORRECT_NUMBER_OF_COLUMNS"
	problemQuote    = "UNBALANCED_QUOTE"
	problemEncoding = "INVALID_ENCODING"
	problemTooLong  = "ROW_TOO_LONG"
)

// csvRecord is one row as read: its fields, or the problem that made it
// unreadable.
type csvRecord struct {
	line   int64 // physical line the row starts on, 1-based
	fields []string
	// problem is set when the row could not be read; raw is its first
	// physical line then and column the 0-based field the problem is in.
	problem string
	message string
	column  int
	raw     string
}

// physLine is one physical line held for replay.
type physLine struct {
	no   int64
	text []byte
}

// csvReader reads CSV rows with line numbers and recovery.
type csvReader struct {
	br     *bufio.Reader
	lineNo int64 // last physical line read from br
	// bytesRead counts the bytes consumed from br, for progress.
	bytesRead int64
	started   bool
	// replay holds lines to read again after a row whose quote turned out
	// unbalanced: the row fails and reading resumes on its second line.
	replay []physLine
	// width is the expected field count (the header's); 0 before the header.
	width int

	rec    []byte     // unescaped field bytes of the current row
	ends   []int      // end offset in rec of each field
	held   []physLine // lines after the first that the current row ran over
	first  []byte     // the current row's first line
	spans  bool
	quoted int // field index where the current multi-line quote opened
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{br: bufio.NewReaderSize(r, 256<<10)}
}

// errLineTooLong marks a physical line beyond maxLineBytes.
var errLineTooLong = errors.New("line too long")

// readLine returns the next physical line without its line end, from the
// replay queue first. The slice is valid until the next call.
func (r *csvReader) readLine() (int64, []byte, error) {
	if len(r.replay) > 0 {
		l := r.replay[0]
		r.replay = r.replay[1:]
		return l.no, l.text, nil
	}
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		line, err = r.readLong(line)
	}
	r.bytesRead += int64(len(line))
	if errors.Is(err, errLineTooLong) {
		r.lineNo++
		r.started = true
		return r.lineNo, nil, err
	}
	if len(line) == 0 && err != nil {
		return 0, nil, err
	}
	r.lineNo++
	if !r.started {
		r.started = true
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return r.lineNo, line, nil
}

// readLong reads a line longer than the buffer, up to maxLineBytes; beyond
// that it skips to the line's end and reports errLineTooLong.
func (r *csvReader) readLong(first []byte) ([]byte, error) {
	buf := append([]byte(nil), first...)
	for {
		more, err := r.br.ReadSlice('\n')
		if len(buf) <= maxLineBytes {
			buf = append(buf, more...)
		} else {
			r.bytesRead += int64(len(more))
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(buf) > maxLineBytes {
			return buf[:0:0], errLineTooLong
		}
		return buf, err
	}
}

// next reads the next row; io.EOF after the last. Blank lines are skipped.
func (r *csvReader) next() (csvRecord, error) {
	for {
		no, line, err := r.readLine()
		if errors.Is(err, errLineTooLong) {
			return csvRecord{line: no, problem: problemTooLong, column: -1,
				message: fmt.Sprintf("the row is longer than %d MB", maxLineBytes>>20)}, nil
		}
		if err != nil {
			return csvRecord{}, err
		}
		if len(line) == 0 {
			continue
		}
		return r.parse(no, line), nil
	}
}

// parse reads one row starting on physical line no.
func (r *csvReader) parse(no int64, line []byte) csvRecord {
	r.rec, r.ends, r.held, r.spans, r.first = r.rec[:0], r.ends[:0], r.held[:0], false, line
	pos := 0
	for {
		field := len(r.ends)
		if pos < len(line) && line[pos] == '"' {
			var problem string
			line, pos, problem = r.quotedField(line, pos+1, field)
			if problem != "" {
				return r.fail(no, problem, field)
			}
		} else {
			end := bytes.IndexByte(line[pos:], ',')
			if end < 0 {
				end = len(line)
			} else {
				end += pos
			}
			if bytes.IndexByte(line[pos:end], '"') >= 0 {
				return r.fail(no, "a quote inside an unquoted value", field)
			}
			r.rec = append(r.rec, line[pos:end]...)
			pos = end
		}
		r.ends = append(r.ends, len(r.rec))
		if pos >= len(line) {
			break
		}
		if line[pos] != ',' {
			return r.fail(no, "a character after a closing quote", field)
		}
		pos++
		if pos == len(line) {
			r.ends = append(r.ends, len(r.rec)) // trailing comma: one more empty field
			break
		}
	}
	if r.spans && r.width > 0 && len(r.ends) != r.width {
		// A quoted value ran over several lines and left the row with the
		// wrong number of fields: its opening quote was most likely never
		// closed, so the row fails and the lines it swallowed are read again.
		return r.fail(no, fmt.Sprintf("the quoted value runs over %d lines and leaves the row with %d fields instead of %d",
			len(r.held)+1, len(r.ends), r.width), r.quoted)
	}
	s := string(r.rec)
	fields := make([]string, len(r.ends))
	start := 0
	for i, end := range r.ends {
		fields[i] = s[start:end]
		start = end
	}
	return csvRecord{line: no, fields: fields}
}

// quotedField reads a quoted field whose opening quote is before pos. It
// returns the line and position after the closing quote, reading further
// lines when the value holds line breaks, or a problem.
func (r *csvReader) quotedField(line []byte, pos, field int) ([]byte, int, string) {
	for {
		i := bytes.IndexByte(line[pos:], '"')
		if i >= 0 {
			i += pos
			r.rec = append(r.rec, line[pos:i]...)
			if i+1 < len(line) && line[i+1] == '"' {
				r.rec = append(r.rec, '"')
				pos = i + 2
				continue
			}
			return line, i + 1, ""
		}
		r.rec = append(r.rec, line[pos:]...)
		r.rec = append(r.rec, '\n')
		if len(r.rec) > maxRecordBytes {
			return line, pos, "a quote that is never closed"
		}
		if !r.spans {
			// The first line lives in the reader's buffer, which the next
			// read overwrites: keep a copy for the error report.
			r.spans, r.quoted = true, field
			r.first = bytes.Clone(r.first)
		}
		no, next, err := r.readLine()
		if err != nil {
			return line, pos, "a quote that is never closed"
		}
		// Keep the lines so they can be read again if the quote turns out
		// unbalanced.
		r.held = append(r.held, physLine{no: no, text: bytes.Clone(next)})
		line, pos = r.held[len(r.held)-1].text, 0
	}
}

// fail reports the row starting on line no as unreadable and, when it ran
// over several lines, queues the lines after its first to be read again.
func (r *csvReader) fail(no int64, problem string, column int) csvRecord {
	rec := csvRecord{line: no, problem: problemQuote, column: column, raw: string(r.first),
		message: "unbalanced quote: " + problem}
	if r.spans {
		r.replay = append(append([]physLine(nil), r.held...), r.replay...)
	}
	return rec
}
