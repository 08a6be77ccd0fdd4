package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"go.uber.org/zap"
)

type ctxKey int

const requestInfoKey ctxKey = iota

// requestInfo travels with a request: its correlation id, and what the
// handler reports back for the access log.
type requestInfo struct {
	correlationID string
	tokenID       int64
	err           error
}

func info(r *http.Request) *requestInfo {
	if ri, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

func correlationID(r *http.Request) string { return info(r).correlationID }

func setErrorCause(r *http.Request, err error) { info(r).err = err }

// newCorrelationID returns a random UUID (version 4), as HubSpot's are.
func newCorrelationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (sr *statusRecorder) WriteHeader(code int) {
	if sr.status == 0 {
		sr.status = code
	}
	sr.ResponseWriter.WriteHeader(code)
}

func (sr *statusRecorder) Write(b []byte) (int, error) {
	if sr.status == 0 {
		sr.status = http.StatusOK
	}
	n, err := sr.ResponseWriter.Write(b)
	sr.bytes += n
	return n, err
}

// datedPath matches HubSpot's date-versioned paths, e.g.
// /crm/objects/2026-03/contacts or /crm/associations/2026-09/....
var datedPath = regexp.MustCompile(`^/crm/([a-z-]+)/(\d{4}-\d{2})(/.*)?$`)

// canonicalPath maps the paths HubSpot serves under several spellings onto
// the one this package routes: no trailing slash, and date-versioned
// paths onto their v3/v4 equivalents.
func canonicalPath(p string) string {
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	m := datedPath.FindStringSubmatch(p)
	if m == nil {
		return p
	}
	family, rest := m[1], m[3]
	switch family {
	case "associations":
		return "/crm/v4/associations" + rest
	case "objects":
		// Per-record association paths are v4 shapes under the dated API.
		if parts := strings.Split(strings.TrimPrefix(rest, "/"), "/"); len(parts) >= 3 && parts[2] == "associations" {
			return "/crm/v4/objects" + rest
		}
		return "/crm/v3/objects" + rest
	default:
		return "/crm/v3/" + family + rest
	}
}

// middleware wraps the routes with, in order: correlation id and access
// log, panic recovery, path canonicalisation, authentication, rate
// limiting and the body size limit.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{correlationID: newCorrelationID()}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey, ri))
		rec := &statusRecorder{ResponseWriter: w}
		rec.Header().Set("X-HubSpot-Correlation-Id", ri.correlationID)
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("handler panic", zap.String("correlationId", ri.correlationID), zap.Any("panic", p), zap.Stack("stack"))
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, errorBody{Status: "error", Message: "internal error",
						CorrelationID: ri.correlationID, Category: categoryInternal})
				}
			}
			fields := []zap.Field{
				zap.String("correlationId", ri.correlationID), zap.String("method", r.Method),
				zap.String("path", r.URL.Path), zap.Int("status", rec.status), zap.Int("bytes", rec.bytes),
				zap.Duration("duration", time.Since(start)),
			}
			if ri.tokenID != 0 {
				fields = append(fields, zap.Int64("tokenId", ri.tokenID))
			}
			if ri.err != nil && rec.status < 500 {
				fields = append(fields, zap.String("reason", ri.err.Error()))
			}
			s.log.Info("api request", fields...)
			s.observe(r, rec.status, time.Since(start))
		}()
		r.URL.Path = canonicalPath(r.URL.Path)
		r.URL.RawPath = ""
		tok, err := s.tokens.authenticate(r)
		if err != nil {
			s.writeError(rec, r, err)
			return
		}
		ri.tokenID = tok
		if limiter := s.limiter.Load(); limiter != nil {
			if !limiter.allow(rec, tok) {
				body := errorBody{Status: "error", Message: "You have reached your ten_secondly_rolling limit.",
					CorrelationID: ri.correlationID, Category: categoryRateLimit, ErrorType: "RATE_LIMIT", PolicyName: "TEN_SECONDLY_ROLLING"}
				writeJSON(rec, http.StatusTooManyRequests, body)
				return
			}
		}
		r.Body = http.MaxBytesReader(rec, r.Body, s.bodyLimit(r))
		next.ServeHTTP(rec, r)
	})
}

// bodyLimit is the largest body r may send: import uploads have their own,
// larger cap. r.URL.Path is already canonical (dated paths mapped to v3).
func (s *Server) bodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && r.URL.Path == importsPath {
		return s.opts.MaxImportBytes
	}
	return s.opts.MaxBodyBytes
}
