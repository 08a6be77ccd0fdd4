// Package hubspot is the connector for HubSpot's CRM v3 API, and so for any server that speaks
// it, Tandem itself included (one Tandem can sync with another through it).
//
// Options (connectors.Config.Options): base_url (default https://api.hubapi.com), token (a
// private app access token; required, never logged), requests_per_10s (default 100; HubSpot
// allows 100 to 190 by plan), search_per_second (default 4; HubSpot allows 5), page_size
// (1..200; default the endpoint's maximum: 100 for listing, 200 for search).
//
// Pull reads changes with the search endpoint on the last-modified property, with GTE
// semantics and an hs_object_id tiebreak, one fresh query per page, so it never pages into
// HubSpot's 10,000-result search cap; see pull.go. The first pull of an object (empty cursor)
// lists every record instead, because listing draws on the general budget (up to 190 requests
// per 10 s, 100 records each) while search is held to 5 requests per second; it then continues
// by search from the newest modification the remote had before the listing began. Push uses the batch
// endpoints, 100 records per call, and isolates a record the remote refuses by splitting the
// batch, so one bad record never sinks the others. Requests of every instance sharing a token
// draw from one rate budget (requests per 10 s and searches per second), so 429s are rare;
// when one comes, its Retry-After is honoured.
package hubspot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/internal/httpclient"
)

// Type is the connector type name used in configuration.
const Type = "hubspot"

func init() {
	connectors.Register(Type, func(cfg connectors.Config) (connectors.Connector, error) {
		c, err := New(cfg)
		if err != nil {
			return nil, err // not c: a nil *Connector in the interface would not be nil
		}
		return c, nil
	})
}

// Connector talks to one HubSpot account.
type Connector struct {
	name   string
	opts   options
	api    *client
	key    string
	log    *slog.Logger
	closed sync.Once
}

// The capabilities this connector offers.
var (
	_ connectors.Connector      = (*Connector)(nil)
	_ connectors.Lister         = (*Connector)(nil)
	_ connectors.FieldDescriber = (*Connector)(nil)
	_ connectors.Associator     = (*Connector)(nil)
)

// retryTuning holds the HTTP client's retry settings; the zero value takes httpclient's
// defaults. Tests shorten the waits so that retried faults do not slow them down.
var retryTuning httpclient.Options

// New builds a connector from cfg, validating its options. cfg.HTTPClient, when set, provides
// the base transport and the per-attempt timeout.
func New(cfg connectors.Config) (*Connector, error) {
	opts, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, fmt.Errorf("hubspot connector %q: %w", cfg.Name, err)
	}
	log := cfg.Logger // the host names the connector in it (connectors.Config)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	hopts := retryTuning
	hopts.Logger = log
	var base http.RoundTripper = httpclient.DefaultTransport()
	if cfg.HTTPClient != nil {
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
		hopts.Timeout = cfg.HTTPClient.Timeout
	}
	key := budgetKey(opts.baseURL, opts.token)
	b := acquireBudget(key, opts.requestsPer10s, opts.searchPerSecond)
	hopts.Transport = &transport{base: base, token: opts.token, budget: b}
	return &Connector{
		name: cfg.Name,
		opts: opts,
		api:  &client{http: httpclient.New(hopts), base: opts.baseURL},
		key:  key,
		log:  log,
	}, nil
}

// Close releases the connector's share of the account's rate budget.
func (c *Connector) Close() error {
	c.closed.Do(func() { releaseBudget(c.key) })
	return nil
}

// Test reads one contact, which needs a valid token and read access to the CRM.
func (c *Connector) Test(ctx context.Context) error {
	var out listResponse
	if _, err := c.api.call(ctx, http.MethodGet, "/crm/v3/objects/contacts", url.Values{"limit": {"1"}}, nil, &out); err != nil {
		return fmt.Errorf("test connection: %w", err)
	}
	return nil
}

// objectPath is the base path of an object's records.
func objectPath(object string) string {
	return "/crm/v3/objects/" + url.PathEscape(object)
}

// lastModifiedProperty is the property HubSpot keeps the modification time in: contacts have
// the legacy lastmodifieddate (their hs_lastmodifieddate is not what HubSpot's own incremental
// exports use), every other object hs_lastmodifieddate.
func lastModifiedProperty(object string) string {
	if object == "contacts" || object == "0-1" {
		return "lastmodifieddate"
	}
	return "hs_lastmodifieddate"
}
