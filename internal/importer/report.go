package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

// Error types for problems the store reports (HubSpot's names where it has one).
var storeErrorTypes = map[string]string{
	crmstore.CodeInvalidEmail:        "INVALID_EMAIL",
	crmstore.CodeInvalidOption:       "INVALID_ENUMERATION_OPTION",
	crmstore.CodeInvalidInteger:      "INVALID_NUMBER",
	crmstore.CodeInvalidDecimal:      "INVALID_NUMBER",
	crmstore.CodeInvalidDate:         "INVALID_DATE",
	crmstore.CodeInvalidDateTime:     "INVALID_DATE",
	crmstore.CodeInvalidBoolean:      "INVALID_BOOLEAN",
	crmstore.CodeRequired:            "MISSING_REQUIRED_PROPERTY",
	crmstore.CodeInvalidOwner:        errInvalidOwner,
	crmstore.CodeInvalidStage:        "INVALID_PIPELINE_STAGE",
	crmstore.CodeValueTooLong:        "VALUE_TOO_LONG",
	crmstore.CodeReadOnlyValue:       "READ_ONLY_PROPERTY",
	crmstore.CodePropertyDoesntExist: "PROPERTY_DOESNT_EXIST",
}

// storeProblems turns the error the store gave one part of a row into
// row problems naming the columns.
func storeProblems(fp *filePlan, part int, item *rowItem, err error) []rowProblem {
	o := fp.parts[part]
	var (
		ve *crmstore.ValidationError
		ce *crmstore.ConflictError
	)
	switch {
	case errors.As(err, &ve):
		out := make([]rowProblem, 0, len(ve.Errors))
		for _, pe := range ve.Errors {
			t := storeErrorTypes[pe.Code]
			if t == "" {
				t = "INVALID_PROPERTY_VALUE"
			}
			out = append(out, fp.problemAt(part, pe.Property, item, t, pe.Message))
		}
		return out
	case errors.As(err, &ce):
		t := "DUPLICATE_UNIQUE_PROPERTY_VALUE"
		if o.op == crmstore.ImportCreate && ce.Property == o.match {
			t = "CREATE_ONLY_IMPORT_EXISTING_OBJECT"
		}
		return []rowProblem{fp.problemAt(part, ce.Property, item, t, err.Error())}
	case errors.Is(err, crmstore.ErrNotFound):
		t := "UPDATE_ONLY_IMPORT_NO_EXISTING_OBJECT"
		if o.op != crmstore.ImportUpdate {
			t = "INVALID_OBJECT_ID"
		}
		return []rowProblem{fp.problemAt(part, o.match, item, t,
			fmt.Sprintf("no %s record matches %s %q", o.name, o.match, item.parts[part].key))}
	}
	return []rowProblem{{errType: "FAILED_VALIDATION", message: err.Error(), object: o.typeID}}
}

// problemAt builds a problem with the column that holds property prop of
// the part, its value and a message naming it.
func (fp *filePlan) problemAt(part int, prop string, item *rowItem, errType, msg string) rowProblem {
	pr := rowProblem{errType: errType, message: msg, object: fp.parts[part].typeID}
	for ci, c := range fp.columns {
		if c.part == part && (c.kind == colProperty || c.kind == colID) && c.prop.Name == prop {
			pr.column = c.header
			if ci < len(item.fields) {
				pr.value = item.fields[ci]
			}
			pr.message = fmt.Sprintf("column %q: %s", c.header, msg)
			break
		}
	}
	return pr
}

// linkProblem reports an association column whose record was not found or
// could not be associated.
// A nil cell is the association of two records of the same row.
func linkProblem(fp *filePlan, cell *linkCell, err error) rowProblem {
	if cell == nil {
		return rowProblem{errType: "ASSOCIATION_FAILED", message: fmt.Sprintf("the row's records could not be associated: %v", err)}
	}
	c := fp.columns[cell.column]
	t := "UNKNOWN_ASSOCIATION_RECORD"
	msg := fmt.Sprintf("column %q: no %s record has %s %q", c.header, c.toObj.name, c.toProp, cell.value)
	if !errors.Is(err, crmstore.ErrNotFound) {
		t, msg = "ASSOCIATION_FAILED", fmt.Sprintf("column %q: %v", c.header, err)
	}
	return rowProblem{errType: t, message: msg, column: c.header, value: cell.value, object: fp.parts[cell.part].typeID}
}

// errorFile writes failed rows to DIR/<id>-errors.csv, created (0600) on
// the first failed row: its line number, the reasons naming the columns,
// then the original fields.
type errorFile struct {
	path   string
	header []string
	f      *os.File
	w      *csv.Writer
}

func newErrorFile(dir string, id int64) *errorFile {
	return &errorFile{path: filepath.Join(dir, strconv.FormatInt(id, 10)+"-errors.csv")}
}

// write appends one failed row of a file with the given header.
func (e *errorFile) write(header []string, line int64, data []string, problems []rowProblem) error {
	if e.f == nil {
		if err := os.MkdirAll(filepath.Dir(e.path), 0o700); err != nil {
			return fmt.Errorf("create error file directory: %w", err)
		}
		f, err := os.OpenFile(e.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("create error file: %w", err)
		}
		e.f, e.w = f, csv.NewWriter(f)
	}
	if !equalStrings(header, e.header) {
		e.header = header
		if err := e.w.Write(append([]string{"Line Number", "Error Type", "Column", "Error"}, header...)); err != nil {
			return fmt.Errorf("write error file: %w", err)
		}
	}
	types, cols, msgs := make([]string, len(problems)), make([]string, 0, len(problems)), make([]string, len(problems))
	for i, p := range problems {
		types[i], msgs[i] = p.errType, p.message
		if p.column != "" {
			cols = append(cols, p.column)
		}
	}
	row := append([]string{strconv.FormatInt(line, 10), strings.Join(types, ";"), strings.Join(cols, ";"), strings.Join(msgs, "; ")}, data...)
	if err := e.w.Write(row); err != nil {
		return fmt.Errorf("write error file: %w", err)
	}
	return nil
}

// flush writes buffered rows out.
func (e *errorFile) flush() error {
	if e.w == nil {
		return nil
	}
	e.w.Flush()
	return e.w.Error()
}

// close flushes and closes the file; it returns the path, "" when no row failed.
func (e *errorFile) close() (string, error) {
	if e.f == nil {
		return "", nil
	}
	err := e.flush()
	if cerr := e.f.Close(); err == nil {
		err = cerr
	}
	return e.path, err
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
