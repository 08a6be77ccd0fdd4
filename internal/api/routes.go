package api

import "net/http"

// routes registers every endpoint family. Paths are registered without a
// trailing slash; the middleware strips the one some SDK paths carry, and
// maps date-versioned paths onto these.
func (s *Server) routes() {
	s.routesObjects()
	s.routesProperties()
	s.routesSchemas()
	s.routesPipelines()
	s.routesOwners()
	s.routesAssociations()
	s.routesSearch()
	s.routesImports()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errNotFound("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}
