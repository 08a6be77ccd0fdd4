// Package archtest holds no code, only a test: it lists the module's packages with
// `go list` and fails when an import breaks the dependency direction that DESIGN.md sets
// ("Code layout and dependency direction"). The rules are the table in rules_test.go; change
// the table, not the test, when the design changes. Only the imports of non-test code are
// checked: a test may import, say, a conformance suite that its package could not.
package archtest
