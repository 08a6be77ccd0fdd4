package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
)

// tokenTTL is how long a verified token is trusted without asking the
// store again; it bounds how long a revoked token keeps working.
const tokenTTL = 5 * time.Second

// touchEvery spaces the writes that record a token's last use.
const touchEvery = time.Minute

// tokenCache verifies bearer tokens against the store, remembering answers
// for tokenTTL so a request costs a SHA-256 and a map lookup.
type tokenCache struct {
	store *crmstore.Store
	now   func() time.Time
	log   *zap.Logger

	mu      sync.Mutex
	entries map[string]tokenEntry // by digest
}

type tokenEntry struct {
	id        int64 // 0: known invalid
	checked   time.Time
	lastTouch time.Time
}

func newTokenCache(store *crmstore.Store, now func() time.Time, log *zap.Logger) *tokenCache {
	return &tokenCache{store: store, now: now, log: log, entries: map[string]tokenEntry{}}
}

func errUnauthenticated() *apiError {
	return newAPIError(http.StatusUnauthorized, categoryAuth,
		"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
}

// authenticate returns the id of the request's valid bearer token.
func (c *tokenCache) authenticate(r *http.Request) (int64, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return 0, errUnauthenticated()
	}
	digest := string(crmstore.TokenDigest(strings.TrimSpace(token)))
	now := c.now()
	c.mu.Lock()
	e, hit := c.entries[digest]
	c.mu.Unlock()
	if !hit || now.Sub(e.checked) > tokenTTL {
		tok, err := c.store.VerifyToken(r.Context(), []byte(digest))
		switch {
		case errors.Is(err, crmstore.ErrInvalidToken):
			e = tokenEntry{checked: now}
		case err != nil:
			return 0, err
		default:
			e = tokenEntry{id: tok.ID, checked: now, lastTouch: e.lastTouch}
		}
		c.mu.Lock()
		if len(c.entries) > 10000 { // bound memory under a flood of bad tokens
			clear(c.entries)
		}
		c.entries[digest] = e
		c.mu.Unlock()
	}
	if e.id == 0 {
		return 0, errUnauthenticated()
	}
	if now.Sub(e.lastTouch) > touchEvery {
		c.mu.Lock()
		e.lastTouch = now
		c.entries[digest] = e
		c.mu.Unlock()
		go func(id int64) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.store.TouchToken(ctx, id); err != nil {
				c.log.Warn("record token use failed", zap.Int64("tokenId", id), zap.Error(err))
			}
		}(e.id)
	}
	return e.id, nil
}
