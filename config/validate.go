package config

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/robfig/cron/v3"
)

var connectorNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

var (
	logLevels      = []string{"debug", "info", "warn", "error"}
	logFormats     = []string{"auto", "json", "console"}
	directions     = []Direction{DirectionBoth, DirectionPull, DirectionPush}
	createModes    = []Direction{DirectionBoth, DirectionPull, DirectionPush, DirectionNone}
	conflicts      = []ConflictPolicy{ConflictPreferLocal, ConflictPreferRemote, ConflictMostRecent, ConflictManual}
	deletePolicies = []DeletePolicy{DeletesIgnore, DeletesArchive, DeletesPropagate}
)

// validate checks the decoded configuration and reports every problem.
func (d *decoder) validate(c *Config) {
	d.required("data_dir", c.DataDir)

	apiOK := d.listen("api.listen", c.API.Listen)
	if c.API.MaxBodyBytes <= 0 {
		d.report("api.max_body_bytes", "must be greater than 0")
	}
	if c.API.MaxImportBytes <= 0 {
		d.report("api.max_import_bytes", "must be greater than 0")
	}
	if c.API.RateLimit.RequestsPer10s <= 0 {
		d.report("api.rate_limit.requests_per_10s", "must be greater than 0")
	}

	if d.listen("admin.listen", c.Admin.Listen) {
		host, port, _ := net.SplitHostPort(c.Admin.Listen)
		if apiOK && port != "0" && c.Admin.Listen == c.API.Listen {
			d.report("admin.listen", "must differ from api.listen")
		}
		if c.Admin.Token == "" && !isLoopback(host) {
			d.report("admin.token", "is required when admin.listen is not a loopback address")
		}
	}

	enum(d, "log.level", c.Log.Level, logLevels)
	enum(d, "log.format", c.Log.Format, logFormats)

	if c.ShutdownTimeout <= 0 {
		d.report("shutdown_timeout", "must be greater than 0")
	}

	names := map[string]int{}
	for i := range c.Connectors {
		d.connector(&c.Connectors[i], fmt.Sprintf("connectors[%d]", i), names, i)
	}
}

func (d *decoder) connector(cn *Connector, path string, names map[string]int, i int) {
	np := path + ".name"
	if d.required(np, cn.Name) {
		if !connectorNameRE.MatchString(cn.Name) {
			d.report(np, "invalid name %s: must match [a-z0-9][a-z0-9_-]*", d.q(np, cn.Name))
		} else if first, dup := names[cn.Name]; dup {
			fp := fmt.Sprintf("connectors[%d]", first)
			d.report(np, "duplicate connector name %s (also used by %s at line %d)", d.q(np, cn.Name), fp, d.line(fp+".name"))
		} else {
			names[cn.Name] = i
		}
	}

	d.required(path+".type", cn.Type)

	d.cron(path+".schedule", cn.Schedule)
	d.cron(path+".reconcile", cn.Reconcile)

	if len(cn.Objects) == 0 {
		d.report(path+".objects", "at least one object mapping is required")
	}
	objects := map[string]int{}
	for j := range cn.Objects {
		d.object(&cn.Objects[j], fmt.Sprintf("%s.objects[%d]", path, j), objects, j)
	}
}

func (d *decoder) object(o *ObjectMapping, path string, objects map[string]int, j int) {
	op := path + ".object"
	if d.required(op, o.Object) {
		if first, dup := objects[o.Object]; dup {
			fp := fmt.Sprintf("%s[%d]", path[:strings.LastIndexByte(path, '[')], first)
			d.report(op, "duplicate object %s (also mapped by %s at line %d)", d.q(op, o.Object), fp, d.line(fp+".object"))
		} else {
			objects[o.Object] = j
		}
	}

	dirOK := enum(d, path+".direction", o.Direction, directions)
	if cp := path + ".create"; d.present(cp) && enum(d, cp, o.Create, createModes) && dirOK && !o.Direction.Allows(o.Create) {
		d.report(cp, "create %s is not allowed with direction %s", d.q(cp, string(o.Create)), d.q(path+".direction", string(o.Direction)))
	}
	enum(d, path+".conflict", o.Conflict, conflicts)
	enum(d, path+".deletes", o.Deletes, deletePolicies)
	if mp := path + ".max_delete_percent"; o.MaxDeletePercent < 0 || o.MaxDeletePercent > 100 {
		d.report(mp, "must be between 0 and 100, got %s", d.q(mp, strconv.Itoa(o.MaxDeletePercent)))
	}

	if len(o.Fields) == 0 {
		d.report(path+".fields", "at least one field mapping is required")
	}
	locals := map[string]int{}
	for k := range o.Fields {
		f := &o.Fields[k]
		fp := fmt.Sprintf("%s.fields[%d]", path, k)
		lp := fp + ".local"
		if d.required(lp, f.Local) {
			if first, dup := locals[f.Local]; dup {
				d.report(lp, "duplicate local field %s (also mapped by fields[%d] at line %d)", d.q(lp, f.Local), first, d.line(fmt.Sprintf("%s.fields[%d]", path, first)))
			} else {
				locals[f.Local] = k
			}
		}
		d.required(fp+".remote", f.Remote)
		for remote, local := range f.Values {
			if remote == "" || local == "" {
				d.report(fp+".values", "value map entries must not be empty (got %q: %q)", remote, local)
			}
		}
		if dp := fp + ".direction"; d.present(dp) && enum(d, dp, f.Direction, directions) && dirOK && !o.Direction.Allows(f.Direction) {
			d.report(dp, "%s is not allowed in an object with direction %s", d.q(dp, string(f.Direction)), d.q(path+".direction", string(o.Direction)))
		}
	}

	for m, name := range o.Match {
		mp := fmt.Sprintf("%s.match[%d]", path, m)
		if d.required(mp, name) && len(o.Fields) > 0 {
			if _, ok := locals[name]; !ok {
				d.report(mp, "%s is not the local side of any field in this object", d.q(mp, name))
			}
		}
	}
}

// cron checks an optional cron expression or descriptor at path.
func (d *decoder) cron(path, expr string) {
	if expr == "" {
		return
	}
	if _, err := cron.ParseStandard(expr); err != nil {
		if d.hidden[path] {
			d.report(path, "invalid cron expression %s", d.q(path, expr))
		} else {
			d.report(path, "invalid cron expression %s: %v", d.q(path, expr), err)
		}
	}
}

// listen checks a host:port listen address and reports whether it is
// valid.
func (d *decoder) listen(path, addr string) bool {
	if !d.required(path, addr) {
		return false
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		d.report(path, "invalid address %s: must be host:port, e.g. 127.0.0.1:8080", d.q(path, addr))
		return false
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n > 65535 {
		d.report(path, "invalid address %s: the port must be a number from 0 to 65535", d.q(path, addr))
		return false
	}
	return true
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// enum checks that v is one of allowed and reports whether it is.
func enum[T ~string](d *decoder, path string, v T, allowed []T) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	list := make([]string, len(allowed))
	for i, a := range allowed {
		list[i] = string(a)
	}
	d.report(path, "invalid value %s: must be one of %s", d.q(path, string(v)), strings.Join(list, ", "))
	return false
}

// required reports an empty value and says whether v is non-empty.
func (d *decoder) required(path, v string) bool {
	if v != "" {
		return true
	}
	if d.present(path) {
		d.report(path, "must not be empty")
	} else {
		d.report(path, "is required")
	}
	return false
}

// present reports whether path was given in the file.
func (d *decoder) present(path string) bool {
	_, ok := d.lines[path]
	return ok
}

// report records a validation problem at path, unless path or a path
// above it already has a decoding problem.
func (d *decoder) report(path, format string, args ...any) {
	for p := path; ; p = parentPath(p) {
		if d.bad[p] {
			return
		}
		if p == "" {
			break
		}
	}
	d.errs.add(path, d.line(path), format, args...)
}

// line returns the line of path, or of the nearest path above it that
// appears in the file, or 0.
func (d *decoder) line(path string) int {
	for p := path; ; p = parentPath(p) {
		if l, ok := d.lines[p]; ok {
			return l
		}
		if p == "" {
			return 0
		}
	}
}

// parentPath strips the last ".key" or "[i]" from path.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
