package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildTandem builds this command with the go tool (and the build tags given) into a
// temporary directory and returns the binary's path, for tests that run tandem as a real
// process. Such tests are skipped with -short and where no go command is installed.
func buildTandem(t *testing.T, tags ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "tandem")
	args := []string{"build", "-o", bin}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	if out, err := exec.CommandContext(t.Context(), goTool, append(args, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
