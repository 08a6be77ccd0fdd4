package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Path locates the offending key, e.g. "connectors[1].schedule".
	// List indexes count from 0. Empty for problems with the whole file.
	Path string
	// Line is the 1-based line in the file, or 0 when unknown.
	Line int
	// Message says what is wrong. It never contains a secret value.
	Message string
}

// String formats p as "line: path: message", leaving out empty parts.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Errors is the error [Parse] and [Load] return for a configuration with
// problems. It holds every problem found, ordered by line.
type Errors struct {
	// Source is the file name (or other source) given to Parse.
	Source string
	// Problems lists the problems, at least one. Only the first 1000
	// found are kept.
	Problems []Problem

	omitted int // problems found beyond the first 1000
}

const (
	maxShown = 100  // problems Error lists
	maxKept  = 1000 // problems Errors keeps
)

// Error returns the problems one per line, each as
// "source:line: path: message", e.g.
//
//	tandem.yaml:7: connectors[1].schedule: invalid cron expression "*/5 * *": ...
//
// After 100 problems it says how many more there are.
func (e *Errors) Error() string {
	shown := e.Problems[:min(len(e.Problems), maxShown)]
	lines := make([]string, len(shown), len(shown)+1)
	for i, p := range shown {
		s := p.String()
		switch {
		case e.Source != "" && p.Line > 0:
			s = e.Source + ":" + s
		case e.Source != "":
			s = e.Source + ": " + s
		}
		lines[i] = s
	}
	if n := len(e.Problems) - len(shown) + e.omitted; n > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more problems", n))
	}
	return strings.Join(lines, "\n")
}

// add records a problem.
func (e *Errors) add(path string, line int, format string, args ...any) {
	if len(e.Problems) >= maxKept {
		e.omitted++
		return
	}
	e.Problems = append(e.Problems, Problem{Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// sort orders the problems by line, keeping the order of discovery for
// problems on the same line.
func (e *Errors) sort() {
	sort.SliceStable(e.Problems, func(i, j int) bool {
		return e.Problems[i].Line < e.Problems[j].Line
	})
}
