package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// listParam reads a query parameter given as repeated keys, as a
// comma-separated list, or both (?properties=a,b&properties=c).
func listParam(r *http.Request, name string) []string {
	vals, ok := r.URL.Query()[name]
	if !ok {
		return nil
	}
	out := []string{}
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// boolParam reads a true/false query parameter; absent is false.
func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errBadRequest("query parameter %s=%q is not true or false", name, v)
	}
	return b, nil
}

// intParam reads an integer query parameter within [lo, hi]; absent gives def.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errBadRequest("query parameter %s=%q must be a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// decodeJSON reads the request body into v. A malformed body is a 400 that
// says where (line and column) the JSON went wrong.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errBadRequest("could not read the request body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return errBadRequest("the request body is empty; a JSON object is required")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return jsonError(body, err)
	}
	return nil
}

// jsonError explains a decoding error with its position in the body.
func jsonError(body []byte, err error) error {
	var off int64 = -1
	var what string
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off, what = se.Offset, se.Error()
	case errors.As(err, &te):
		off = te.Offset
		field := te.Field
		if field == "" {
			field = "the body"
		}
		what = fmt.Sprintf("%s must be %s, not a JSON %s", field, jsonKind(te.Type.String()), te.Value)
	default:
		return errBadRequest("Invalid input JSON: %v", err)
	}
	line, col := 1, 1
	for i := int64(0); i < off && i < int64(len(body)); i++ {
		if body[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return errBadRequest("Invalid input JSON on line %d, column %d: %s", line, col, what)
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "struct"), strings.HasPrefix(goType, "api."):
		return "an object"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	}
	return goType
}
