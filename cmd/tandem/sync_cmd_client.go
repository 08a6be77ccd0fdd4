package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/syncengine"
)

// syncAdminPrefix is where the daemon's admin listener serves the sync endpoints.
const syncAdminPrefix = "/sync/connectors"

// adminRequestTimeout bounds the quick admin calls (status, lists, pause, resume); see
// adminReq.long for the others.
const adminRequestTimeout = 30 * time.Second

// adminSync is the backend that asks a running daemon through its admin endpoint.
type adminSync struct {
	base  string // e.g. http://127.0.0.1:9090
	token string // admin.token of the config; never logged or printed
	pid   int    // the daemon's, for error messages
	http  *http.Client
}

var _ syncBackend = (*adminSync)(nil)

// newAdminSync builds a client for the daemon whose admin listener bound addr (host:port, or
// a URL). A wildcard host (0.0.0.0, ::) is reached on loopback.
func newAdminSync(addr, token string, pid int, client *http.Client) (*adminSync, error) {
	base, err := adminBaseURL(addr)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{}
	}
	return &adminSync{base: base, token: token, pid: pid, http: client}, nil
}

// adminBaseURL turns the admin address of the daemon file into a base URL.
func adminBaseURL(addr string) (string, error) {
	if strings.Contains(addr, "://") {
		u, err := url.Parse(addr)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("admin address %q is not host:port or an http(s) URL", addr)
		}
		return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("admin address %q is not host:port: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

func (c *adminSync) Names(ctx context.Context) ([]string, error) {
	sts, err := c.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(sts))
	for i, st := range sts {
		names[i] = st.Connector
	}
	sort.Strings(names)
	return names, nil
}

func (c *adminSync) Statuses(ctx context.Context) ([]syncengine.Status, error) {
	var body struct {
		Connectors []syncengine.Status `json:"connectors"`
	}
	err := c.do(ctx, adminReq{method: http.MethodGet, path: syncAdminPrefix}, &body)
	return body.Connectors, err
}

func (c *adminSync) Status(ctx context.Context, name string) (syncengine.Status, error) {
	var st syncengine.Status
	err := c.do(ctx, adminReq{method: http.MethodGet, path: connectorPath(name, "")}, &st)
	return st, err
}

func (c *adminSync) Runs(ctx context.Context, name string, limit int) ([]syncengine.RunReport, error) {
	var body struct {
		Runs []syncengine.RunReport `json:"runs"`
	}
	err := c.do(ctx, adminReq{method: http.MethodGet, path: connectorPath(name, "/runs"), query: limitQuery(limit)}, &body)
	return body.Runs, err
}

func (c *adminSync) Run(ctx context.Context, name string, full bool) (syncengine.RunReport, error) {
	var rep syncengine.RunReport
	err := c.do(ctx, adminReq{method: http.MethodPost, path: connectorPath(name, "/run"), query: switchQuery("full", full), long: true}, &rep)
	return rep, err
}

func (c *adminSync) Plan(ctx context.Context, name string) (syncengine.Plan, error) {
	var p syncengine.Plan
	err := c.do(ctx, adminReq{method: http.MethodPost, path: connectorPath(name, "/plan"), long: true}, &p)
	return p, err
}

func (c *adminSync) Pause(ctx context.Context, name, reason string) (syncengine.Status, error) {
	var st syncengine.Status
	body := map[string]string{"reason": reason}
	err := c.do(ctx, adminReq{method: http.MethodPost, path: connectorPath(name, "/pause"), body: body}, &st)
	return st, err
}

func (c *adminSync) Resume(ctx context.Context, name string, approveDeletes bool) (syncengine.Status, error) {
	var st syncengine.Status
	body := map[string]bool{"approveDeletes": approveDeletes}
	err := c.do(ctx, adminReq{method: http.MethodPost, path: connectorPath(name, "/resume"), body: body}, &st)
	return st, err
}

func (c *adminSync) Conflicts(ctx context.Context, name string, all bool) ([]syncengine.Conflict, error) {
	var body struct {
		Conflicts []syncengine.Conflict `json:"conflicts"`
	}
	err := c.do(ctx, adminReq{method: http.MethodGet, path: connectorPath(name, "/conflicts"), query: switchQuery("all", all)}, &body)
	return body.Conflicts, err
}

func (c *adminSync) Quarantine(ctx context.Context, name string, limit int) ([]syncengine.QuarantineEntry, error) {
	var body struct {
		Quarantine []syncengine.QuarantineEntry `json:"quarantine"`
	}
	err := c.do(ctx, adminReq{method: http.MethodGet, path: connectorPath(name, "/quarantine"), query: limitQuery(limit)}, &body)
	return body.Quarantine, err
}

func (c *adminSync) Replay(ctx context.Context, name string, ids []int64) (syncengine.RunReport, error) {
	if ids == nil {
		ids = []int64{}
	}
	var rep syncengine.RunReport
	body := map[string][]int64{"ids": ids}
	err := c.do(ctx, adminReq{method: http.MethodPost, path: connectorPath(name, "/quarantine/replay"), body: body, long: true}, &rep)
	return rep, err
}

func (c *adminSync) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// connectorPath is the admin path of a connector's endpoint; the name is escaped, so a
// name with odd characters cannot reach another endpoint.
func connectorPath(name, suffix string) string {
	return syncAdminPrefix + "/" + url.PathEscape(name) + suffix
}

// limitQuery is the query of a list endpoint: limit when positive, else the daemon's default.
func limitQuery(limit int) url.Values {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// switchQuery is the query of an endpoint with one boolean switch, left out when off.
func switchQuery(name string, on bool) url.Values {
	q := url.Values{}
	if on {
		q.Set(name, "true")
	}
	return q
}

// adminReq is one call of the admin API.
type adminReq struct {
	method, path string
	query        url.Values
	body         any // JSON-encoded when not nil
	// long marks calls that run the connector (run, plan, replay): they talk to the remote
	// and may take long, so only the caller's context bounds them.
	long bool
}

// do sends one admin request and decodes a 200 answer into out.
func (c *adminSync) do(ctx context.Context, r adminReq, out any) error {
	if !r.long {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, adminRequestTimeout)
		defer cancel()
	}
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("ask the daemon (pid %d) at %s: %w", c.pid, c.base, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return c.statusError(r, resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("read the daemon's answer to %s %s: %w", r.method, r.path, err)
	}
	return nil
}

func (c *adminSync) newRequest(ctx context.Context, r adminReq) (*http.Request, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", r.method, r.path, err)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// statusError turns a non-200 answer into an error wrapping the engine's sentinel errors, so
// commands treat the daemon's answers like the local engine's.
func (c *adminSync) statusError(r adminReq, resp *http.Response) error {
	msg := adminErrorMessage(resp)
	switch resp.StatusCode {
	case http.StatusNotFound:
		return &daemonError{msg: msg, kind: syncengine.ErrUnknownConnector}
	case http.StatusConflict:
		return &daemonError{msg: msg, kind: syncengine.ErrBusy}
	case http.StatusLocked:
		return &daemonError{msg: msg, kind: syncengine.ErrPaused}
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("the daemon (pid %d) refused the admin token (admin.token of --config): %s", c.pid, msg)
	default:
		return fmt.Errorf("the daemon (pid %d) answered %s %s with HTTP %d: %s", c.pid, r.method, r.path, resp.StatusCode, msg)
	}
}

// daemonError is the daemon's own message for an answer that maps to one of the engine's
// errors (kind), so errors.Is works as with the local engine while the message stays the
// daemon's (it may say more, such as why a configured connector is not running).
type daemonError struct {
	msg  string
	kind error
}

func (e *daemonError) Error() string { return e.msg }
func (e *daemonError) Unwrap() error { return e.kind }

// adminErrorMessage reads the {"error":"..."} body of a failed admin call, falling back to
// the start of the body or the status text.
func adminErrorMessage(resp *http.Response) string {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		return e.Error
	}
	if s := strings.TrimSpace(string(raw)); s != "" {
		return truncate(s, 200)
	}
	return http.StatusText(resp.StatusCode)
}
