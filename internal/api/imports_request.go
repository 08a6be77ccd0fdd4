package api

// The importRequest itself is translated by importer.HubSpotSpec; this is
// how its problems are answered.

import "strings"

// importProblems is the 400 listing every problem of an import request.
func importProblems(problems []string) *apiError {
	e := errBadRequest("the import request is not valid: %s", strings.Join(problems, "; "))
	for _, p := range problems {
		e.body.Errors = append(e.body.Errors, errorDetail{Message: p})
	}
	return e
}
