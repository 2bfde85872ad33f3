package onboardtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// problem is one thing wrong with a request, named by its field path in the
// style the services use ("users[2].email").
type problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// decodeKind says why a body could not be decoded.
type decodeKind int

const (
	decodeEmpty decodeKind = iota + 1
	decodeNotJSON
	decodeNotObject
	decodeUnknownField
	decodeWrongType
)

// decodeFailure describes a body that could not be decoded into the
// endpoint's request type.
type decodeFailure struct {
	kind  decodeKind
	field string // field path, for decodeUnknownField and decodeWrongType
	want  string // "a string", "an array", ... for decodeWrongType
}

// message renders f. nestStyle selects the NestJS wording that Aptly uses for
// unknown properties.
func (f *decodeFailure) message(nestStyle bool) string {
	switch f.kind {
	case decodeEmpty:
		return "request body is empty; a JSON object is required"
	case decodeNotObject:
		return "request body must be a JSON object"
	case decodeUnknownField:
		if nestStyle {
			return "property " + f.field + " should not exist"
		}
		return "unknown field " + strconv.Quote(f.field)
	case decodeWrongType:
		return f.field + " must be " + f.want
	default:
		return "request body is not valid JSON"
	}
}

// decodeStrict decodes body, which must hold exactly one JSON object, into v
// (a pointer to a struct). Unknown fields are refused, and so are names that
// differ from the documented ones only in letter case, which encoding/json
// alone would accept: a client that sends "tenantID" for "tenantId" fails
// here as it may against the real service.
func decodeStrict(body []byte, v any) *decodeFailure {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return &decodeFailure{kind: decodeEmpty}
	}
	if b[0] != '{' {
		if json.Valid(b) {
			return &decodeFailure{kind: decodeNotObject}
		}
		return &decodeFailure{kind: decodeNotJSON}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return &decodeFailure{kind: decodeNotJSON} // trailing data
		}
		var generic any
		if json.Unmarshal(b, &generic) != nil {
			return &decodeFailure{kind: decodeNotJSON}
		}
		return checkNames(reflect.TypeOf(v), generic, "")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &decodeFailure{kind: decodeNotJSON}
	}
	var generic any
	gd := json.NewDecoder(bytes.NewReader(b))
	gd.UseNumber()
	if gd.Decode(&generic) != nil {
		return &decodeFailure{kind: decodeNotJSON}
	}
	if f := checkShape(reflect.TypeOf(v), generic, ""); f != nil {
		return f
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &decodeFailure{kind: decodeWrongType, field: te.Field, want: "of type " + te.Type.String()}
	}
	return &decodeFailure{kind: decodeNotJSON}
}

// checkShape walks a generically decoded value alongside the Go type it was
// meant for and returns the first unknown field or type mismatch, with its
// path. Keys are visited in sorted order so the answer is deterministic.
func checkShape(t reflect.Type, v any, path string) *decodeFailure {
	if v == nil {
		return nil // null is accepted for any field
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	wrong := func(want string) *decodeFailure {
		return &decodeFailure{kind: decodeWrongType, field: path, want: want}
	}
	switch t.Kind() {
	case reflect.Interface:
		return nil
	case reflect.String:
		if _, ok := v.(string); !ok {
			return wrong("a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return wrong("a boolean")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			return wrong("a number")
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return wrong("an array")
		}
		for i, e := range arr {
			if f := checkShape(t.Elem(), e, path+"["+strconv.Itoa(i)+"]"); f != nil {
				return f
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return wrong("an object")
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if f := checkShape(t.Elem(), m[k], joinPath(path, k)); f != nil {
				return f
			}
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return wrong("an object")
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			ft, found := fieldByJSONName(t, k)
			if !found {
				return &decodeFailure{kind: decodeUnknownField, field: joinPath(path, k)}
			}
			if f := checkShape(ft, m[k], joinPath(path, k)); f != nil {
				return f
			}
		}
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// checkNames walks a generically decoded value alongside the Go type it
// filled and returns the first object key that is not a field name to the
// letter. Types need no check here: the typed decode already succeeded.
func checkNames(t reflect.Type, v any, path string) *decodeFailure {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range val {
				if f := checkNames(t.Elem(), e, path+"["+strconv.Itoa(i)+"]"); f != nil {
					return f
				}
			}
		}
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil // a map takes any key
		}
		for _, k := range slices.Sorted(maps.Keys(val)) {
			ft, found := fieldByJSONName(t, k)
			if !found {
				return &decodeFailure{kind: decodeUnknownField, field: joinPath(path, k)}
			}
			if f := checkNames(ft, val[k], joinPath(path, k)); f != nil {
				return f
			}
		}
	}
	return nil
}

// fieldByJSONName finds the field of struct type t named key to the letter.
// encoding/json would also fill a field whose name differs only in case;
// the fake, as a strict server, does not.
func fieldByJSONName(t reflect.Type, key string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if name == key {
			return sf.Type, true
		}
	}
	return nil, false
}
