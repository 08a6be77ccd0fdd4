//go:build linux || darwin

package logging

import (
	"os"
	"syscall"
	"testing"
)

func TestIsTerminal_PseudoTerminal(t *testing.T) {
	// The master side of a pseudo-terminal answers the same ioctl as a real terminal.
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer pty.Close()
	if !isTerminal(pty) {
		t.Error("/dev/ptmx is a terminal, isTerminal says no")
	}
}
