package sdnotify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// listen opens a fake $NOTIFY_SOCKET and returns its name and a function that reads the next
// datagram (failing the test after a timeout).
func listen(t *testing.T, name string) func() string {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen on %s: %v", name, err)
	}
	t.Cleanup(func() { conn.Close() })
	return func() string {
		t.Helper()
		buf := make([]byte, 4096)
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("read notification: %v", err)
		}
		return string(buf[:n])
	}
}

// socketPath returns a short socket path: sun_path holds only 108 bytes, which t.TempDir()
// may exceed.
func socketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sdn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "notify.sock")
}

func TestMessages(t *testing.T) {
	t.Parallel()
	path := socketPath(t)
	next := listen(t, path)
	n := NewSocket(path)
	defer n.Close()
	if !n.Enabled() {
		t.Fatal("notifier with a socket is disabled")
	}

	steps := []struct {
		send func() error
		want string
	}{
		{func() error { return n.Status("opening store") }, "STATUS=opening store"},
		{func() error { return n.Ready("serving API on 127.0.0.1:8080") }, "READY=1\nSTATUS=serving API on 127.0.0.1:8080"},
		{n.Watchdog, "WATCHDOG=1"},
		{func() error { return n.Status("line one\nline two\t ") }, "STATUS=line one line two"},
		{func() error { return n.Stopping("shutting down") }, "STOPPING=1\nSTATUS=shutting down"},
		{func() error { return n.Send("EXTEND_TIMEOUT_USEC=1000", "STATUS=x") }, "EXTEND_TIMEOUT_USEC=1000\nSTATUS=x"},
	}
	for _, s := range steps {
		if err := s.send(); err != nil {
			t.Fatalf("send %q: %v", s.want, err)
		}
		if got := next(); got != s.want {
			t.Errorf("got %q, want %q", got, s.want)
		}
	}
}

func TestReloadingCarriesMonotonicTime(t *testing.T) {
	t.Parallel()
	path := socketPath(t)
	next := listen(t, path)
	n := NewSocket(path)
	defer n.Close()

	before, ok := monotonicUSec()
	if !ok {
		t.Skip("no CLOCK_MONOTONIC on this platform")
	}
	if err := n.Reloading("reloading configuration"); err != nil {
		t.Fatal(err)
	}
	after, _ := monotonicUSec()
	lines := strings.Split(next(), "\n")
	if len(lines) != 3 || lines[0] != "RELOADING=1" || lines[1] != "STATUS=reloading configuration" {
		t.Fatalf("reloading message: %q", lines)
	}
	v, ok := strings.CutPrefix(lines[2], "MONOTONIC_USEC=")
	usec, err := strconv.ParseUint(v, 10, 64)
	if !ok || err != nil || usec < before || usec > after {
		t.Errorf("%q: want MONOTONIC_USEC between %d and %d", lines[2], before, after)
	}
}

func TestAbstractSocket(t *testing.T) {
	t.Parallel()
	name := fmt.Sprintf("@tandem-sdnotify-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	next := listen(t, name)
	n := NewSocket(name)
	defer n.Close()
	if err := n.Ready("up"); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "READY=1\nSTATUS=up" {
		t.Errorf("got %q", got)
	}
}

func TestDisabled(t *testing.T) {
	t.Setenv(EnvSocket, "")
	for _, n := range []*Notifier{nil, New(), NewSocket("")} {
		if n.Enabled() {
			t.Errorf("%v is enabled", n)
		}
		for _, err := range []error{n.Ready("x"), n.Status("x"), n.Reloading("x"), n.Stopping("x"), n.Watchdog(), n.Close()} {
			if err != nil {
				t.Errorf("disabled notifier: %v", err)
			}
		}
		n.KeepAlive(context.Background(), time.Millisecond, nil, nil) // returns at once
	}
}

func TestSendToMissingSocket(t *testing.T) {
	t.Parallel()
	n := NewSocket(filepath.Join(t.TempDir(), "gone.sock"))
	if err := n.Ready("x"); err == nil {
		t.Error("send to a missing socket: no error")
	}
}

func TestNewReadsEnvironment(t *testing.T) {
	path := socketPath(t)
	next := listen(t, path)
	t.Setenv(EnvSocket, path)
	n := New()
	defer n.Close()
	if err := n.Watchdog(); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "WATCHDOG=1" {
		t.Errorf("got %q", got)
	}
}

func TestWatchdogInterval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		usec, pid string
		want      time.Duration
		wantErr   bool
	}{
		{"", "", 0, false},
		{"0", "", 0, false},
		{"30000000", "", 15 * time.Second, false},
		{"30000000", "42", 15 * time.Second, false},
		{"30000000", "43", 0, false}, // for another process
		{"1000", "", 500 * time.Microsecond, false},
		{"30s", "", 0, true},
		{"-5", "", 0, true},
		{"30000000", "x", 0, true},
		{"99999999999999999999", "", 0, true},
	}
	for _, tt := range tests {
		got, err := watchdogInterval(tt.usec, tt.pid, 42)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("watchdogInterval(%q, %q) = %v, %v; want %v, error %v", tt.usec, tt.pid, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestWatchdogIntervalFromEnvironment(t *testing.T) {
	t.Setenv(EnvWatchdogUSec, "2000000")
	t.Setenv(EnvWatchdogPID, strconv.Itoa(os.Getpid()))
	if got, err := WatchdogInterval(); got != time.Second || err != nil {
		t.Errorf("WatchdogInterval() = %v, %v; want 1s", got, err)
	}
}

func TestKeepAlive(t *testing.T) {
	t.Parallel()
	path := socketPath(t)
	next := listen(t, path)
	n := NewSocket(path)
	defer n.Close()

	var healthy atomic.Bool
	healthy.Store(true)
	var failures atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.KeepAlive(ctx, 10*time.Millisecond, func(context.Context) error {
			if healthy.Load() {
				return nil
			}
			return errors.New("store does not answer")
		}, func(error) { failures.Add(1) })
	}()
	for range 3 {
		if got := next(); got != "WATCHDOG=1" {
			t.Fatalf("got %q, want WATCHDOG=1", got)
		}
	}

	// Unhealthy: the pings stop and each failure is reported.
	healthy.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for failures.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if failures.Load() < 2 {
		t.Fatal("failing health check not reported")
	}
	cancel()
	<-done
	// Drain pings sent before the health check started failing; none may follow a failure.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("END")); err != nil {
		t.Fatal(err)
	}
	var after []string
	for {
		m := next()
		if m == "END" {
			break
		}
		after = append(after, m)
	}
	// At most the pings sent in the window before healthy flipped remain.
	if len(after) > 2 {
		t.Errorf("%d pings after the health check started failing: %q", len(after), after)
	}
}
