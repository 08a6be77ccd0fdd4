package mapping

import "fmt"

// FieldError is a value that one field could not convert. The sync engine
// reports it against the record (quarantine) and carries on with the other
// fields and records.
type FieldError struct {
	// Op is "pull" (remote to local) or "push" (local to remote).
	Op string
	// Local and Remote name the field on each side.
	Local, Remote string
	// Value is the value that was refused, as given.
	Value string
	// Err says what was wrong with it; ErrNotMapped for a value missing from
	// the value map.
	Err error
}

// Error names the direction, the field on both sides, the value and the
// reason.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s field %q (remote %q) value %q: %v", e.Op, e.Local, e.Remote, shown(e.Value), e.Err)
}

// Unwrap returns the reason, for errors.Is(err, ErrNotMapped).
func (e *FieldError) Unwrap() error { return e.Err }
