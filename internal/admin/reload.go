package admin

import "crypto/sha256"

// bearerToken is the admin token as the server checks it: only its digest is kept, and
// comparing fixed-size digests keeps the check constant-time in the token's length.
type bearerToken struct {
	set bool
	sum [sha256.Size]byte
}

func newBearerToken(token string) *bearerToken {
	return &bearerToken{set: token != "", sum: sha256.Sum256([]byte(token))}
}

// SetToken replaces the bearer token at run time (a configuration reload, say). Requests
// already past the check finish; every later request is checked against the new token. An
// empty token closes every endpoint except /healthz and /readyz, as in [Options].
func (s *Server) SetToken(token string) {
	s.token.Store(newBearerToken(token))
}
