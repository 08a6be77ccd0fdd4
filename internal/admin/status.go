package admin

import (
	"net/http"

	"go.uber.org/zap"
)

// JSON returns a handler that answers with fn's value as JSON (200), or, when fn fails, with
// 500 and {"error": "..."}, the admin endpoint's error shape. Responses are not cached. Mount
// it with [Server.Handle], such as s.Handle("GET /admin/status", admin.JSON(status)).
func (s *Server) JSON(fn func(r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			s.log.Error("admin request failed", zap.String("path", r.URL.Path), zap.Error(err))
			WriteJSON(w, http.StatusInternalServerError, errorBody{Error: err.Error()})
			return
		}
		WriteJSON(w, http.StatusOK, v)
	})
}
