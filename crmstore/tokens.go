package crmstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise.
const TokenPrefix = "tdm-pat-"

// APIToken describes a token without its secret.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	Revoked    bool       `json:"revoked"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}

// ErrInvalidToken is returned for a token that is unknown or revoked.
var ErrInvalidToken = errors.New("invalid or revoked API token")

// TokenDigest is the stored form of a token. Tokens carry 160 random bits,
// so a fast hash is enough: there is nothing to brute-force.
func TokenDigest(token string) []byte {
	d := sha256.Sum256([]byte(token))
	return d[:]
}

// CreateToken makes a new API token named name and returns it in clear,
// the only time it is available.
func (s *Store) CreateToken(ctx context.Context, name string) (string, *APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil, invalidf("a token needs a name")
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return "", nil, fmt.Errorf("generate token: %w", err)
	}
	token := TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret))
	prefix := token[:len(TokenPrefix)+6]
	var out *APIToken
	err := s.update(ctx, func(t *tx) error {
		res, err := t.ExecContext(t.ctx, "INSERT INTO api_tokens (name, digest, prefix, created_at) VALUES (?, ?, ?, ?)",
			name, TokenDigest(token), prefix, t.ms)
		if err != nil {
			return fmt.Errorf("store token: %w", err)
		}
		id, _ := res.LastInsertId()
		out = &APIToken{ID: id, Name: name, Prefix: prefix, CreatedAt: t.now}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return token, out, nil
}

type tokenRow struct {
	ID         int64  `db:"id"`
	Name       string `db:"name"`
	Prefix     string `db:"prefix"`
	CreatedAt  int64  `db:"created_at"`
	LastUsedAt *int64 `db:"last_used_at"`
	RevokedAt  *int64 `db:"revoked_at"`
}

func (r tokenRow) token() APIToken {
	return APIToken{ID: r.ID, Name: r.Name, Prefix: r.Prefix, CreatedAt: msTime(r.CreatedAt),
		LastUsedAt: msTimePtr(r.LastUsedAt), Revoked: r.RevokedAt != nil, RevokedAt: msTimePtr(r.RevokedAt)}
}

// Tokens lists every token, revoked ones included, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]APIToken, error) {
	var rows []tokenRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id"); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeToken revokes the token with this id, or the live tokens with this
// name, and returns how many it revoked.
func (s *Store) RevokeToken(ctx context.Context, idOrName string) (int, error) {
	var n int64
	err := s.update(ctx, func(t *tx) error {
		q, arg := "UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND name = ?", any(idOrName)
		if id, err := strconv.ParseInt(idOrName, 10, 64); err == nil {
			q, arg = "UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND id = ?", id
		}
		res, err := t.ExecContext(t.ctx, q, t.ms, arg)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err == nil && n == 0 {
		return 0, notFound("token", idOrName)
	}
	return int(n), err
}

// VerifyToken returns the live token whose digest is digest, or
// ErrInvalidToken. It reads only; see TouchToken.
func (s *Store) VerifyToken(ctx context.Context, digest []byte) (*APIToken, error) {
	var r tokenRow
	err := s.r.GetContext(ctx, &r, "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE digest = ? AND revoked_at IS NULL", digest)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("verify token: %w", err)
	}
	tok := r.token()
	return &tok, nil
}

// TouchToken records that a token was used. Callers do it at most now and
// then, not per request, to keep writes off the read path.
func (s *Store) TouchToken(ctx context.Context, id int64) error {
	return s.update(ctx, func(t *tx) error {
		_, err := t.ExecContext(t.ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", t.ms, id)
		return err
	})
}
