package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/connectors"
)

// List returns one page of every live record of req.Object, in id order; the cursor is the id
// the next page starts at.
func (c *Connector) List(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	if req.Object == "" {
		return connectors.Page{}, errors.New("list: object is required")
	}
	if req.Cursor != "" && !isID(req.Cursor) {
		return connectors.Page{}, fmt.Errorf("list cursor %q is not one this connector made: not an id", req.Cursor)
	}
	recs, next, err := c.listPage(ctx, req.Object, req.Cursor, req.Fields, req.PageSize)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("list %s after %q: %w", req.Object, req.Cursor, err)
	}
	return connectors.Page{Records: recs, Cursor: next, More: next != ""}, nil
}

// listPage reads one page of the object listing; next is "" on the last page.
func (c *Connector) listPage(ctx context.Context, object, after string, fields []string, hint int) ([]connectors.Record, string, error) {
	q := url.Values{"limit": {strconv.Itoa(c.opts.limit(hint, maxListLimit))}}
	if after != "" {
		q.Set("after", after)
	}
	if len(fields) > 0 {
		q.Set("properties", strings.Join(fields, ","))
	}
	var out listResponse
	if _, err := c.api.call(ctx, http.MethodGet, objectPath(object), q, nil, &out); err != nil {
		return nil, "", err
	}
	next := out.Paging.nextAfter()
	if next != "" && !isID(next) {
		return nil, "", fmt.Errorf("listing answered paging cursor %q, not a record id", next)
	}
	if next != "" && next == after {
		return nil, "", fmt.Errorf("listing answered the same paging cursor %q again", next)
	}
	recs := toRecords(out.Results, fields, lastModifiedProperty(object))
	for _, r := range recs {
		if !isID(r.ID) {
			return nil, "", fmt.Errorf("listing answered a record with id %q, not a HubSpot id", r.ID)
		}
	}
	return recs, next, nil
}
