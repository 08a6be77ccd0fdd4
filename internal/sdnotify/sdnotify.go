// Package sdnotify speaks systemd's service notification protocol (sd_notify(3)) for a
// Type=notify service: READY=1 once the service is up, STATUS= lines saying what it is doing,
// WATCHDOG=1 keep-alive pings, RELOADING=1 around a configuration reload and STOPPING=1 at
// shutdown.
//
// The protocol is one datagram per message, newline-separated VAR=value assignments, sent to
// the AF_UNIX datagram socket named by $NOTIFY_SOCKET (a path, or an abstract socket name
// starting with '@'). Without $NOTIFY_SOCKET, as when the daemon runs outside systemd, every
// method is a no-op that returns nil.
//
// It uses the standard library only, like caddy's notify package: the protocol is a few lines
// and a dependency (coreos/go-systemd) would bring more than it saves.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Environment variables systemd sets for a service.
const (
	EnvSocket        = "NOTIFY_SOCKET"
	EnvWatchdogUSec  = "WATCHDOG_USEC"
	EnvWatchdogPID   = "WATCHDOG_PID"
	sendTimeout      = time.Second
	maxStatusRunes   = 512 // systemd shows one line; long texts only clutter `systemctl status`
	monotonicUSecVar = "MONOTONIC_USEC"
)

// Notifier sends notifications to one socket. A nil *Notifier, and one made without a socket,
// is valid and sends nothing. It is safe for concurrent use.
type Notifier struct {
	addr *net.UnixAddr // nil: disabled

	mu   sync.Mutex
	conn *net.UnixConn
}

// New returns a Notifier for $NOTIFY_SOCKET, or a disabled one when it is unset or empty.
func New() *Notifier { return NewSocket(os.Getenv(EnvSocket)) }

// NewSocket returns a Notifier for socket: a file system path, or an abstract socket name
// starting with '@' (Go's net package maps the '@' to the leading NUL byte of the Linux
// abstract namespace). An empty socket gives a disabled Notifier.
func NewSocket(socket string) *Notifier {
	if socket == "" {
		return &Notifier{}
	}
	return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}
}

// Enabled reports whether n sends anything.
func (n *Notifier) Enabled() bool { return n != nil && n.addr != nil }

// Send sends the given assignments ("READY=1", "STATUS=...") in one datagram. It returns an
// error when the socket cannot be reached; callers normally log it and carry on, since a
// missed notification must not stop the daemon.
func (n *Notifier) Send(assignments ...string) error {
	if !n.Enabled() || len(assignments) == 0 {
		return nil
	}
	msg := strings.Join(assignments, "\n")
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		// An unbound datagram socket: systemd identifies the sender by its credentials
		// (SCM_CREDENTIALS, which the kernel adds), so NotifyAccess=main works.
		conn, err := net.DialUnix("unixgram", nil, n.addr)
		if err != nil {
			return fmt.Errorf("sdnotify: connect to %s: %w", n.addr.Name, err)
		}
		n.conn = conn
	}
	_ = n.conn.SetWriteDeadline(time.Now().Add(sendTimeout))
	if _, err := n.conn.Write([]byte(msg)); err != nil {
		// systemd may have been restarted (daemon-reexec); reconnect on the next message.
		_ = n.conn.Close()
		n.conn = nil
		return fmt.Errorf("sdnotify: send to %s: %w", n.addr.Name, err)
	}
	return nil
}

// Ready tells systemd that start-up (or a reload) is complete, with a status line.
func (n *Notifier) Ready(status string) error {
	return n.Send("READY=1", statusLine(status))
}

// Status sets the free-form status line `systemctl status` shows.
func (n *Notifier) Status(status string) error { return n.Send(statusLine(status)) }

// Reloading tells systemd that a configuration reload has started; send [Notifier.Ready] when
// it is done. The message carries MONOTONIC_USEC, which systemd 253 and later require with
// RELOADING=1 (Type=notify-reload) and earlier versions ignore.
func (n *Notifier) Reloading(status string) error {
	msgs := []string{"RELOADING=1", statusLine(status)}
	if usec, ok := monotonicUSec(); ok {
		msgs = append(msgs, monotonicUSecVar+"="+strconv.FormatUint(usec, 10))
	}
	return n.Send(msgs...)
}

// Stopping tells systemd that the service is shutting down.
func (n *Notifier) Stopping(status string) error {
	return n.Send("STOPPING=1", statusLine(status))
}

// Watchdog sends one keep-alive ping.
func (n *Notifier) Watchdog() error { return n.Send("WATCHDOG=1") }

// Close releases the socket. The Notifier may be used again afterwards.
func (n *Notifier) Close() error {
	if !n.Enabled() {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		return nil
	}
	err := n.conn.Close()
	n.conn = nil
	return err
}

// statusLine makes a STATUS= assignment of s on one line.
func statusLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxStatusRunes {
		s = string(r[:maxStatusRunes-1]) + "…"
	}
	return "STATUS=" + s
}

// WatchdogInterval returns how often to send [Notifier.Watchdog]: half of $WATCHDOG_USEC, as
// sd_watchdog_enabled(3) recommends. It returns 0 when the watchdog is off: $WATCHDOG_USEC unset
// or zero, or $WATCHDOG_PID naming another process. A malformed value is an error.
func WatchdogInterval() (time.Duration, error) {
	return watchdogInterval(os.Getenv(EnvWatchdogUSec), os.Getenv(EnvWatchdogPID), os.Getpid())
}

func watchdogInterval(usecStr, pidStr string, pid int) (time.Duration, error) {
	if usecStr == "" {
		return 0, nil
	}
	usec, err := strconv.ParseUint(usecStr, 10, 63)
	if err != nil {
		return 0, fmt.Errorf("sdnotify: invalid %s %q", EnvWatchdogUSec, usecStr)
	}
	if pidStr != "" {
		p, err := strconv.Atoi(pidStr)
		if err != nil || p <= 0 {
			return 0, fmt.Errorf("sdnotify: invalid %s %q", EnvWatchdogPID, pidStr)
		}
		if p != pid {
			return 0, nil // meant for another process
		}
	}
	if usec == 0 {
		return 0, nil
	}
	if usec > uint64(time.Duration(1<<62)/time.Microsecond) {
		return 0, errors.New("sdnotify: " + EnvWatchdogUSec + " too large")
	}
	return time.Duration(usec) * time.Microsecond / 2, nil
}
