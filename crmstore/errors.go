package crmstore

import (
	"errors"
	"fmt"
	"strings"
)

// HubSpot's per-property validation codes.
const (
	CodePropertyDoesntExist = "PROPERTY_DOESNT_EXIST"
	CodeInvalidEmail        = "INVALID_EMAIL"
	CodeInvalidInteger      = "INVALID_INTEGER"
	CodeInvalidDecimal      = "INVALID_DECIMAL"
	CodeInvalidDate         = "INVALID_DATE"
	CodeInvalidDateTime     = "INVALID_DATETIME"
	CodeInvalidBoolean      = "INVALID_BOOLEAN"
	CodeInvalidOption       = "INVALID_OPTION"
	CodeReadOnlyValue       = "READ_ONLY_VALUE"
	CodeValueTooLong        = "VALUE_TOO_LONG"
	CodeRequired            = "REQUIRED_PROPERTY_MISSING"
	CodeInvalidOwner        = "INVALID_OWNER_ID"
	CodeInvalidStage        = "INVALID_PIPELINE_STAGE"
	CodeInvalidValue        = "INVALID_PROPERTY_VALUE"
)

// PropertyError says why one property value was refused.
type PropertyError struct {
	Property string `json:"name"`
	Code     string `json:"error"`
	Message  string `json:"message"`
}

func (e PropertyError) Error() string { return e.Message }

// ValidationError carries every problem found in one write; a write with
// several bad values reports all of them.
type ValidationError struct {
	Errors []PropertyError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, pe := range e.Errors {
		msgs[i] = fmt.Sprintf("%s (%s)", pe.Message, pe.Code)
	}
	return "property values were not valid: " + strings.Join(msgs, "; ")
}

// ErrNotFound is matched (errors.Is) by every NotFoundError.
var ErrNotFound = errors.New("not found")

// NotFoundError names the missing thing: an object type, record, property, ...
type NotFoundError struct {
	Kind string // "object", "record", "property", "pipeline", ...
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Kind, e.ID) }

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

func notFound(kind, id string) error { return &NotFoundError{Kind: kind, ID: id} }

// ConflictError reports a unique value already held by another record.
type ConflictError struct {
	Property   string
	Value      string
	ExistingID int64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("a record already has %s %q. Existing ID: %d", e.Property, e.Value, e.ExistingID)
}

// InvalidError is a request that is wrong as a whole (bad schema, bad label,
// too many inputs, ...), as opposed to a bad property value.
type InvalidError struct {
	Message string
}

func (e *InvalidError) Error() string { return e.Message }

func invalidf(format string, args ...any) error {
	return &InvalidError{Message: fmt.Sprintf(format, args...)}
}
