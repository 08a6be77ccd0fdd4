package config

import (
	"fmt"
	"os"
	"time"
)

// Config is the complete daemon configuration, as read from one YAML file.
//
// The zero value is not useful; start from [Default], or use [Load] or
// [Parse], which fill every omitted key with its default.
type Config struct {
	// DataDir (key "data_dir") is the directory holding the SQLite store and
	// other state. A relative path is relative to the daemon's working
	// directory. Default "./tandem-data". Must not be empty.
	DataDir string `yaml:"data_dir"`

	// API (key "api") configures the HubSpot-compatible REST API listener.
	API APIConfig `yaml:"api"`

	// Admin (key "admin") configures the admin listener (health, metrics,
	// connector control).
	Admin AdminConfig `yaml:"admin"`

	// Log (key "log") configures logging.
	Log LogConfig `yaml:"log"`

	// ShutdownTimeout (key "shutdown_timeout") bounds a graceful shutdown:
	// how long running requests and sync runs get to finish after SIGTERM.
	// A Go duration string such as "20s" or "1m30s". Default 20s. Must be
	// greater than zero.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`

	// Connectors (key "connectors") lists the configured connector
	// instances. Default none.
	Connectors []Connector `yaml:"connectors"`
}

// APIConfig is the "api" section.
type APIConfig struct {
	// Listen (key "listen") is the host:port the REST API listens on.
	// An empty host means all interfaces. Default "127.0.0.1:8080".
	Listen string `yaml:"listen"`

	// MaxBodyBytes (key "max_body_bytes") is the largest accepted request
	// body in bytes. Default 10485760 (10 MiB). Must be greater than zero.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`

	// MaxImportBytes (key "max_import_bytes") is the largest accepted
	// upload to POST /crm/v3/imports, which streams to disk. Default
	// 536870912 (512 MiB, HubSpot's file limit). Must be greater than zero.
	MaxImportBytes int64 `yaml:"max_import_bytes"`

	// RateLimit (key "rate_limit") configures per-client rate limiting.
	RateLimit RateLimitConfig `yaml:"rate_limit"`
}

// RateLimitConfig is the "api.rate_limit" section.
type RateLimitConfig struct {
	// Enabled (key "enabled") turns rate limiting on. Default false.
	Enabled bool `yaml:"enabled"`

	// RequestsPer10s (key "requests_per_10s") is the number of requests a
	// client may make in any ten-second window (HubSpot's unit). Default 100.
	// Must be greater than zero.
	RequestsPer10s int `yaml:"requests_per_10s"`
}

// AdminConfig is the "admin" section.
type AdminConfig struct {
	// Listen (key "listen") is the host:port of the admin listener.
	// Default "127.0.0.1:9090". Must differ from api.listen.
	Listen string `yaml:"listen"`

	// Token (key "token") is the bearer token the admin endpoint requires.
	// Normally given as "${TANDEM_ADMIN_TOKEN}". It is required when
	// admin.listen is not a loopback address. Its value never appears in
	// error messages.
	Token string `yaml:"token"`
}

// LogConfig is the "log" section.
type LogConfig struct {
	// Level (key "level") is the minimum level logged: one of "debug",
	// "info", "warn", "error". Default "info".
	Level string `yaml:"level"`

	// Format (key "format") is the log encoding: "json", "console", or
	// "auto" (console on a terminal, JSON otherwise). Default "auto".
	Format string `yaml:"format"`
}

// Connector is one entry of "connectors": an instance of a connector type
// with its schedule, options and object mappings.
type Connector struct {
	// Name (key "name") identifies the connector instance in logs, metrics,
	// the admin API and change-log sources (INTEGRATION:<name>). Required,
	// unique, and must match [a-z0-9][a-z0-9_-]*.
	Name string `yaml:"name"`

	// Type (key "type") names the connector implementation, e.g. "hubspot".
	// Required.
	Type string `yaml:"type"`

	// Schedule (key "schedule") is when the connector runs: a standard
	// five-field cron expression ("*/5 * * * *") or a descriptor such as
	// "@hourly" or "@every 5m", as parsed by robfig/cron's ParseStandard.
	// Empty means the connector runs only on demand or on change.
	Schedule string `yaml:"schedule"`

	// PushOnChange (key "push_on_change") starts a push as soon as local
	// changes are committed, in addition to the schedule. Default false.
	PushOnChange bool `yaml:"push_on_change"`

	// Reconcile (key "reconcile") is when a full reconciliation runs: a
	// cron expression or descriptor like Schedule. A full run lists every
	// remote record, heals drift and is the only place deletions are
	// inferred. Default "@daily"; "" turns it off (only --full runs
	// reconcile then).
	Reconcile string `yaml:"reconcile"`

	// Options (key "options") are connector-specific settings such as
	// base_url or token. Values may be any scalar and are kept as strings.
	// Values of keys containing "token", "secret", "password" or "key"
	// never appear in error messages.
	Options map[string]string `yaml:"options"`

	// Objects (key "objects") maps local objects to remote ones. At least
	// one is required.
	Objects []ObjectMapping `yaml:"objects"`
}

// ObjectMapping is one entry of a connector's "objects": how one local
// object syncs with one remote object.
type ObjectMapping struct {
	// Object (key "object") is the local object name, e.g. "contacts".
	// Required, unique within the connector.
	Object string `yaml:"object"`

	// Remote (key "remote") is the remote object name. Default: the same
	// as Object.
	Remote string `yaml:"remote"`

	// Direction (key "direction") is which way records flow: "both",
	// "pull" (remote to local) or "push" (local to remote). Default "both".
	Direction Direction `yaml:"direction"`

	// Create (key "create") is which side may create records on the
	// other: "both", "pull", "push" or "none". Default: the object's
	// direction. Must not exceed the direction (e.g. create push with
	// direction pull is an error).
	Create Direction `yaml:"create"`

	// Match (key "match") lists local fields used to match records on
	// first contact, e.g. [email]. Each must be the local side of a
	// mapped field. Empty means the engine's per-object default.
	Match []string `yaml:"match"`

	// Conflict (key "conflict") is the policy when both sides changed a
	// field to different values: "prefer_local", "prefer_remote",
	// "most_recent" or "manual". Default "most_recent".
	Conflict ConflictPolicy `yaml:"conflict"`

	// Deletes (key "deletes") is what happens to a record deleted on one
	// side: "ignore", "archive" or "propagate". Default "ignore".
	Deletes DeletePolicy `yaml:"deletes"`

	// MaxDeletePercent (key "max_delete_percent") is the mass-delete
	// guard: a run that would delete more than this share of the linked
	// records pauses the connector instead. 0 to 100. Default 10.
	MaxDeletePercent int `yaml:"max_delete_percent"`

	// Fields (key "fields") maps fields one to one. At least one is
	// required; a local field may appear only once.
	Fields []FieldMapping `yaml:"fields"`
}

// FieldMapping is one entry of an object's "fields".
type FieldMapping struct {
	// Local (key "local") is the local property name. Required.
	Local string `yaml:"local"`

	// Remote (key "remote") is the remote field name. Required.
	Remote string `yaml:"remote"`

	// Transform (key "transform") names a value transform applied by the
	// sync engine, e.g. "e164". Empty means none. The engine checks the
	// name.
	Transform string `yaml:"transform"`

	// Direction (key "direction") is "both", "pull" or "push". Default:
	// the object's direction. Must not exceed the object's direction.
	Direction Direction `yaml:"direction"`

	// Values (key "values") maps enumeration values, remote value to local
	// value, e.g. {Customer: customer}. Applied after the transform on
	// pull and inverted on push, so no two remote values may map to the
	// same local value. Empty means values pass through unchanged.
	Values map[string]string `yaml:"values"`

	// OverwriteWithEmpty (key "overwrite_with_empty") lets an emptied
	// value on one side clear the value on the other. Default false:
	// empty never overwrites a value.
	OverwriteWithEmpty bool `yaml:"overwrite_with_empty"`
}

// Direction is a sync direction, used by "direction" and "create".
type Direction string

// Directions. DirectionNone is valid only for "create".
const (
	DirectionBoth Direction = "both"
	DirectionPull Direction = "pull"
	DirectionPush Direction = "push"
	DirectionNone Direction = "none"
)

// Allows reports whether d includes the flow other: both includes pull and
// push, none includes nothing, and every direction includes none.
func (d Direction) Allows(other Direction) bool {
	return other == DirectionNone || d == other || d == DirectionBoth
}

// ConflictPolicy is the value of an object's "conflict".
type ConflictPolicy string

// Conflict policies.
const (
	ConflictPreferLocal  ConflictPolicy = "prefer_local"
	ConflictPreferRemote ConflictPolicy = "prefer_remote"
	ConflictMostRecent   ConflictPolicy = "most_recent"
	ConflictManual       ConflictPolicy = "manual"
)

// DeletePolicy is the value of an object's "deletes".
type DeletePolicy string

// Delete policies.
const (
	DeletesIgnore    DeletePolicy = "ignore"
	DeletesArchive   DeletePolicy = "archive"
	DeletesPropagate DeletePolicy = "propagate"
)

// Defaults used by [Default] and for omitted keys.
const (
	DefaultDataDir          = "./tandem-data"
	DefaultAPIListen        = "127.0.0.1:8080"
	DefaultAdminListen      = "127.0.0.1:9090"
	DefaultMaxBodyBytes     = 10 << 20
	DefaultMaxImportBytes   = 512 << 20
	DefaultRequestsPer10s   = 100
	DefaultLogLevel         = "info"
	DefaultLogFormat        = "auto"
	DefaultShutdownTimeout  = 20 * time.Second
	DefaultMaxDeletePercent = 10
)

// Default returns the configuration used when no file is given: data in
// ./tandem-data, API on 127.0.0.1:8080, admin on 127.0.0.1:9090, log level
// info, format auto, a 20s shutdown timeout and no connectors. Every call
// returns a new value.
func Default() *Config {
	return &Config{
		DataDir: DefaultDataDir,
		API: APIConfig{
			Listen:         DefaultAPIListen,
			MaxBodyBytes:   DefaultMaxBodyBytes,
			MaxImportBytes: DefaultMaxImportBytes,
			RateLimit:      RateLimitConfig{RequestsPer10s: DefaultRequestsPer10s},
		},
		Admin:           AdminConfig{Listen: DefaultAdminListen},
		Log:             LogConfig{Level: DefaultLogLevel, Format: DefaultLogFormat},
		ShutdownTimeout: DefaultShutdownTimeout,
	}
}

// DefaultReconcile is when a connector's full reconciliation runs unless
// its "reconcile" key says otherwise.
const DefaultReconcile = "@daily"

// setDefaults fills a connector before it is decoded, so that keys the
// file omits keep these values.
func (c *Connector) setDefaults() {
	c.Reconcile = DefaultReconcile
}

// setDefaults fills an object mapping before it is decoded, so that keys
// the file omits keep these values.
func (o *ObjectMapping) setDefaults() {
	o.Direction = DirectionBoth
	o.Conflict = ConflictMostRecent
	o.Deletes = DeletesIgnore
	o.MaxDeletePercent = DefaultMaxDeletePercent
}

// fillDerived sets the defaults that depend on other keys of the object,
// after decoding.
func (o *ObjectMapping) fillDerived() {
	if o.Remote == "" {
		o.Remote = o.Object
	}
	if o.Create == "" {
		o.Create = o.Direction
	}
	for i := range o.Fields {
		if o.Fields[i].Direction == "" {
			o.Fields[i].Direction = o.Direction
		}
	}
}

// Connector returns the connector named name, or nil.
func (c *Config) Connector(name string) *Connector {
	for i := range c.Connectors {
		if c.Connectors[i].Name == name {
			return &c.Connectors[i]
		}
	}
	return nil
}

// Load reads and parses the YAML file at path. See [Parse]. Problems in
// the file's content are returned as an [*Errors] whose messages start
// with path; a file that cannot be read gives an ordinary error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes, expands and validates a YAML configuration. source names
// the input in error messages (usually the file name).
//
// Omitted keys take their defaults; an empty document, or one that is only
// "{}", yields [Default]. All problems found are returned together as an
// [*Errors]; the Config is returned only when there are none.
func Parse(data []byte, source string) (*Config, error) {
	cfg, errs := parse(data, source)
	if len(errs.Problems) > 0 {
		return nil, errs
	}
	return cfg, nil
}
