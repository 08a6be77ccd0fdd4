package api

// HubSpot's imports API: /crm/v3/imports (and /crm/imports/{version}).
// POST starts an import of uploaded CSV files in the background and
// answers at once with the import in state STARTED; GET shows its state
// and progress counters while it runs; cancel stops it; errors lists the
// rows that failed. Every success is 200, as the SDKs require.

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/importer"
)

// Page sizes of the imports lists.
const (
	defaultImportsLimit      = 10
	maxImportsLimit          = 100
	defaultImportErrorsLimit = 100
	maxImportErrorsLimit     = 1000
	// maxImportRequestBytes caps the importRequest part.
	maxImportRequestBytes = 1 << 20
	// cancelWait is how long a cancel waits for the import to stop.
	cancelWait = 10 * time.Second
)

func (s *Server) routesImports() {
	a := s.imports
	s.handle("GET "+importsPath, a.handleList)
	s.handle("POST "+importsPath, a.handleCreate)
	s.handle("GET "+importsPath+"/{importId}", a.handleGet)
	s.handle("POST "+importsPath+"/{importId}/cancel", a.handleCancel)
	s.handle("GET "+importsPath+"/{importId}/errors", a.handleErrors)
}

// handleCreate reads the multipart body: the files part(s), saved for the
// background import as they stream in, and the importRequest part.
func (a *importsAPI) handleCreate(w http.ResponseWriter, r *http.Request) error {
	im, err := a.importer()
	if err != nil {
		return err
	}
	uploads, raw, err := a.readImportBody(r, im)
	if err != nil {
		removeUploads(uploads)
		return err
	}
	var rec crmstore.Import
	spec, err := importer.HubSpotSpec(raw, uploads)
	if err == nil {
		rec, err = im.Start(r.Context(), spec)
	}
	if err != nil {
		removeUploads(uploads)
		var se *importer.SpecError
		if errors.As(err, &se) {
			return importProblems(se.Problems)
		}
		return err
	}
	writeJSON(w, http.StatusOK, renderImport(rec))
	return nil
}

// readImportBody streams the parts of a multipart/form-data body.
func (a *importsAPI) readImportBody(r *http.Request, im *importer.Importer) ([]importer.Upload, []byte, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return nil, nil, errBadRequest("the body must be multipart/form-data with a files part and an importRequest part, not %q", mt)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, errBadRequest("the multipart body cannot be read: %v", err)
	}
	var uploads []importer.Upload
	var raw []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploads, nil, bodyError(err)
		}
		switch part.FormName() {
		case "files":
			name := part.FileName()
			if name == "" {
				name = "file" + strconv.Itoa(len(uploads)+1) + ".csv"
			}
			path, err := im.SaveUpload(name, part)
			if err != nil {
				// A body over the size limit is a 413 (toAPIError); a
				// file that cannot be written is the server's fault.
				return uploads, nil, err
			}
			uploads = append(uploads, importer.Upload{Name: name, Path: path})
		case "importRequest":
			if raw, err = io.ReadAll(io.LimitReader(part, maxImportRequestBytes+1)); err != nil {
				return uploads, nil, bodyError(err)
			}
			if len(raw) > maxImportRequestBytes {
				return uploads, nil, errBadRequest("the importRequest part is larger than %d bytes", maxImportRequestBytes)
			}
		default:
			// HubSpot ignores other parts; so do we, reading past them.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return uploads, nil, bodyError(err)
			}
		}
	}
	switch {
	case raw == nil:
		return uploads, nil, errBadRequest("the importRequest part is missing: send the import request JSON as a form field named importRequest")
	case len(uploads) == 0:
		return uploads, nil, errBadRequest("the files part is missing: upload each CSV file as a form field named files")
	}
	return uploads, raw, nil
}

// bodyError is a failure reading the request body: too large (a 413,
// through toAPIError) or malformed (a 400).
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errBadRequest("the multipart body cannot be read: %v", err)
}

func removeUploads(uploads []importer.Upload) {
	for _, u := range uploads {
		os.Remove(u.Path)
	}
}

func (a *importsAPI) handleList(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r, "limit", defaultImportsLimit, 1, maxImportsLimit)
	if err != nil {
		return err
	}
	// The imports come newest first: after is the id the next page starts
	// below. HubSpot's before (a cursor back) is not offered.
	after, err := afterParam(r, "from this API")
	if err != nil {
		return err
	}
	imports, next, err := a.s.store.Imports(r.Context(), crmstore.ImportListOptions{Before: after, Limit: limit})
	if err != nil {
		return err
	}
	results := make([]importJSON, len(imports))
	for i, im := range imports {
		results[i] = renderImport(im)
	}
	writeJSON(w, http.StatusOK, struct {
		Results []importJSON `json:"results"`
		Paging  *paging      `json:"paging,omitempty"`
	}{results, nextPaging(next)})
	return nil
}

// pathImport reads the import of the path.
func (a *importsAPI) pathImport(r *http.Request) (crmstore.Import, error) {
	raw := r.PathValue("importId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return crmstore.Import{}, errNotFound("import %q not found: import ids are numbers", raw)
	}
	return a.s.store.Import(r.Context(), id)
}

func (a *importsAPI) handleGet(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.pathImport(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderImport(rec))
	return nil
}

// handleCancel stops a running import and waits (a little) for it to stop.
// Canceling an import that has already ended changes nothing and answers
// COMPLETE, so that a retried cancel succeeds; an import another process
// runs (tandem import on the command line) cannot be stopped from here.
func (a *importsAPI) handleCancel(w http.ResponseWriter, r *http.Request) error {
	im, err := a.importer()
	if err != nil {
		return err
	}
	rec, err := a.pathImport(r)
	if err != nil {
		return err
	}
	started := time.Now()
	if !rec.Running() {
		writeJSON(w, http.StatusOK, actionJSON{Status: "COMPLETE", StartedAt: crmstore.FormatTime(started), CompletedAt: crmstore.FormatTime(time.Now())})
		return nil
	}
	if err := im.Cancel(rec.ID); errors.Is(err, importer.ErrNotRunning) {
		return newAPIError(http.StatusConflict, categoryConflict,
			"import %d is running in another process (such as tandem import) and cannot be canceled here", rec.ID)
	} else if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), cancelWait)
	defer cancel()
	if _, err := im.Wait(ctx, rec.ID); err != nil && !errors.Is(err, importer.ErrNotRunning) {
		if ctx.Err() != nil {
			writeJSON(w, http.StatusOK, actionJSON{Status: "PROCESSING", StartedAt: crmstore.FormatTime(started)})
			return nil
		}
		// The import ended with an error: it has stopped all the same. Its own cancellation
		// is the expected ending and not worth a line.
		if !errors.Is(err, context.Canceled) {
			a.s.log.Info("canceled import ended with an error", zap.Int64("import", rec.ID), zap.Error(err))
		}
	}
	writeJSON(w, http.StatusOK, actionJSON{Status: "COMPLETE", StartedAt: crmstore.FormatTime(started), CompletedAt: crmstore.FormatTime(time.Now())})
	return nil
}

func (a *importsAPI) handleErrors(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.pathImport(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", defaultImportErrorsLimit, 1, maxImportErrorsLimit)
	if err != nil {
		return err
	}
	after, err := afterParam(r, "from this API")
	if err != nil {
		return err
	}
	withMessage, err := boolParam(r, "includeErrorMessage")
	if err != nil {
		return err
	}
	withRow, err := boolParam(r, "includeRowData")
	if err != nil {
		return err
	}
	rows, next, err := a.s.store.ImportErrors(r.Context(), rec.ID, after, limit)
	if err != nil {
		return err
	}
	results := make([]importErrorJSON, len(rows))
	for i, e := range rows {
		results[i] = renderImportError(e, withMessage, withRow)
	}
	writeJSON(w, http.StatusOK, struct {
		Results []importErrorJSON `json:"results"`
		Paging  *paging           `json:"paging,omitempty"`
	}{results, nextPaging(next)})
	return nil
}
