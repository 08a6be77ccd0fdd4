package crmstore

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	tok, meta, err := s.CreateToken(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, TokenPrefix) || len(tok) < 40 || !strings.HasPrefix(tok, meta.Prefix) {
		t.Errorf("token %q meta %+v", tok, meta)
	}
	var stored int
	if err := s.r.Get(&stored, "SELECT COUNT(*) FROM api_tokens WHERE digest = ? OR prefix = ?", tok, tok); err != nil || stored != 0 {
		t.Errorf("token stored in clear (%d, %v)", stored, err)
	}
	got, err := s.VerifyToken(ctx, TokenDigest(tok))
	if err != nil || got.ID != meta.ID || got.Name != "ci" {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if _, err := s.VerifyToken(ctx, TokenDigest(tok+"x")); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("wrong token: %v", err)
	}
	if err := s.TouchToken(ctx, meta.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RevokeToken(ctx, "ci"); err != nil || n != 1 {
		t.Fatalf("revoke: %d %v", n, err)
	}
	if _, err := s.VerifyToken(ctx, TokenDigest(tok)); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("revoked token still valid: %v", err)
	}
	list, err := s.Tokens(ctx)
	if err != nil || len(list) != 1 || !list[0].Revoked || list[0].LastUsedAt == nil {
		t.Errorf("list: %+v %v", list, err)
	}
	if _, err := s.RevokeToken(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}
	if _, _, err := s.CreateToken(ctx, " "); err == nil {
		t.Error("token without a name accepted")
	}
}
