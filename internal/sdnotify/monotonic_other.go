//go:build !linux

package sdnotify

// monotonicUSec is unavailable outside Linux, where there is no systemd to tell anyway.
func monotonicUSec() (uint64, bool) { return 0, false }
