package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
)

// Error categories HubSpot uses.
const (
	categoryValidation = "VALIDATION_ERROR"
	categoryAuth       = "INVALID_AUTHENTICATION"
	categoryNotFound   = "OBJECT_NOT_FOUND"
	categoryConflict   = "CONFLICT"
	categoryRateLimit  = "RATE_LIMITS"
	categoryTooLarge   = "REQUEST_TOO_LARGE"
	categoryInternal   = "INTERNAL_ERROR"
)

// errorBody is HubSpot's error JSON.
type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	// Set on 429 answers, which the SDK's retry logic reads.
	ErrorType  string `json:"errorType,omitempty"`
	PolicyName string `json:"policyName,omitempty"`
}

// errorDetail is one entry of errors[].
type errorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	In      string              `json:"in,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

// apiError is an error with its HTTP status and HubSpot body.
type apiError struct {
	status int
	body   errorBody
}

func (e *apiError) Error() string { return e.body.Message }

func newAPIError(status int, category, format string, args ...any) *apiError {
	return &apiError{status: status, body: errorBody{Status: "error", Category: category, Message: fmt.Sprintf(format, args...)}}
}

func errBadRequest(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, categoryValidation, format, args...)
}

func errNotFound(format string, args ...any) *apiError {
	return newAPIError(http.StatusNotFound, categoryNotFound, format, args...)
}

// propertyErrorMessage is HubSpot's per-property entry inside the message
// of a VALIDATION_ERROR.
type propertyErrorMessage struct {
	IsValid bool   `json:"isValid"`
	Message string `json:"message"`
	Error   string `json:"error"`
	Name    string `json:"name"`
}

// toAPIError maps an error from the store (or the API itself) to its HTTP
// status and HubSpot body.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ve *crmstore.ValidationError
	if errors.As(err, &ve) {
		entries := make([]propertyErrorMessage, len(ve.Errors))
		details := make([]errorDetail, len(ve.Errors))
		for i, pe := range ve.Errors {
			entries[i] = propertyErrorMessage{Message: pe.Message, Error: pe.Code, Name: pe.Property}
			details[i] = errorDetail{Message: pe.Message, Code: pe.Code, Context: map[string][]string{"propertyName": {pe.Property}}}
		}
		raw, _ := json.Marshal(entries)
		e := errBadRequest("Property values were not valid: %s", raw)
		e.body.Errors = details
		return e
	}
	var ce *crmstore.ConflictError
	if errors.As(err, &ce) {
		id := strconv.FormatInt(ce.ExistingID, 10)
		e := newAPIError(http.StatusConflict, categoryConflict, "Record already exists with %s %q. Existing ID: %s", ce.Property, ce.Value, id)
		e.body.Context = map[string][]string{"id": {id}, "propertyName": {ce.Property}}
		e.body.Errors = []errorDetail{{Message: e.body.Message, Code: "CONFLICT", Context: e.body.Context}}
		return e
	}
	var nf *crmstore.NotFoundError
	if errors.As(err, &nf) {
		e := errNotFound("resource not found: %s", nf.Error())
		e.body.Context = map[string][]string{nf.Kind + "Id": {nf.ID}}
		return e
	}
	var ie *crmstore.InvalidError
	if errors.As(err, &ie) {
		return errBadRequest("%s", ie.Message)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return newAPIError(http.StatusRequestEntityTooLarge, categoryTooLarge, "request body larger than %d bytes", mbe.Limit)
	}
	return newAPIError(http.StatusInternalServerError, categoryInternal, "internal error")
}

// writeError answers with err in HubSpot's shape; server errors are logged
// here, once, with the correlation id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae := toAPIError(err)
	body := ae.body
	body.CorrelationID = correlationID(r)
	if ae.status >= 500 {
		s.log.Error("request failed", zap.String("correlationId", body.CorrelationID),
			zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
	}
	setErrorCause(r, err)
	writeJSON(w, ae.status, body)
}

// writeJSON writes v as JSON with the Content-Type the SDKs insist on.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client has gone if this fails
}

// noContent answers 204 with an empty body (DELETE, batch archive).
func noContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}
