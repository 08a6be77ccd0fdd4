package api

import (
	"net/http"
	"sync/atomic"

	"github.com/tandem-crm/tandem/internal/importer"
)

// importsAPI serves /crm/v3/imports. It holds the import engine, which the
// daemon sets after building the server (SetImporter); until then the
// endpoints answer 503.
type importsAPI struct {
	s  *Server
	im atomic.Pointer[importer.Importer]
}

// importsPath is the route of the imports list, which importsAPI serves.
const importsPath = "/crm/v3/imports"

// SetImporter makes the imports API (POST/GET /crm/v3/imports, ...) run
// imports with im, whose background imports must outlive the requests
// that start them: close im after the server has stopped. Without an
// importer those endpoints answer 503.
func (s *Server) SetImporter(im *importer.Importer) {
	s.imports.im.Store(im)
}

// importer returns the import engine, or a 503 without one.
func (a *importsAPI) importer() (*importer.Importer, error) {
	im := a.im.Load()
	if im == nil {
		return nil, newAPIError(http.StatusServiceUnavailable, categoryInternal, "imports are not available on this server")
	}
	return im, nil
}
