package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file reads the rows of an input file: CSV with a header row, or
// JSON lines, the columns or keys named as the service's JSON fields. A
// problem with the file as a whole (no header, a missing or unknown column,
// broken quoting) stops the command before anything is sent; a problem
// with one row is kept with the row, by field, and the rest go on.

// maxLineBytes bounds one line of a JSON-lines file.
const maxLineBytes = 4 << 20

// notUTF8 is the problem of a field holding bytes that are not UTF-8.
const notUTF8 = "is not valid UTF-8; save the file as UTF-8"

// fieldProblem is what is wrong with one field of one row.
type fieldProblem struct {
	field, message string
}

// row is one row of an input file: its line number (from 1, the header
// being line 1 of a CSV file) and the item read from it, or the problems
// that kept it from being read.
type row[T any] struct {
	line     int
	item     T
	problems []fieldProblem
}

// column is a field of T that a file may set.
type column struct {
	name  string
	index []int
	typ   reflect.Type
}

// schema describes the columns of the rows of T.
type schema struct {
	cols     map[string]column
	names    []string // in T's order, for messages
	required []string // columns a CSV header must have
	// ignoreUnknown makes columns that name no field of T be skipped
	// rather than refused, for files that only pick people (a roster).
	ignoreUnknown bool
}

var timeType = reflect.TypeFor[time.Time]()

// schemaOf returns the schema of T, whose fields are named by their json
// tags.
func schemaOf[T any](required ...string) *schema {
	s := &schema{cols: map[string]column{}, required: required}
	t := reflect.TypeFor[T]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		s.cols[name] = column{name: name, index: f.Index, typ: f.Type}
		s.names = append(s.names, name)
	}
	return s
}

// lookup returns the column a header names: a field of T, or a key of a
// map field written "field.key" (customAttributes.department).
func (s *schema) lookup(name string) (column, string, bool) {
	if c, ok := s.cols[name]; ok {
		return c, "", true
	}
	field, key, ok := strings.Cut(name, ".")
	if c, found := s.cols[field]; ok && found && key != "" && c.typ.Kind() == reflect.Map && c.typ.Elem().Kind() == reflect.String {
		return c, key, true
	}
	return column{}, "", false
}

// fileFormat is how an input file is written.
type fileFormat int

const (
	formatCSV fileFormat = iota + 1
	formatJSONLines
)

// detectFormat picks the format from the file's name (.csv; .jsonl,
// .ndjson or .json), or else from its first byte that is not a space: "{"
// is JSON lines.
func detectFormat(path string, head []byte) fileFormat {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return formatCSV
	case ".jsonl", ".ndjson", ".json":
		return formatJSONLines
	}
	if b := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n"); len(b) > 0 && b[0] == '{' {
		return formatJSONLines
	}
	return formatCSV
}

// rowReader reads the rows of one file. Range over all; a problem with the
// file as a whole ends the rows, and err says what it was.
type rowReader[T any] struct {
	path   string
	schema *schema
	file   *os.File
	csv    *csv.Reader
	header []headerCol
	lines  *bufio.Scanner
	line   int // the last line read, for JSON lines
	err    error
}

// headerCol is what one CSV column sets: a field of T, a key of a map
// field, or nothing (an ignored column).
type headerCol struct {
	col    column
	key    string
	ignore bool
}

// openRows opens path and reads its header, if it is CSV. A file that
// cannot be read, or whose header is wrong, is an error.
func openRows[T any](path string, s *schema) (*rowReader[T], error) {
	f, err := os.Open(path) //nolint:gosec // G304: reading the file the user named is the point
	if err != nil {
		return nil, fmt.Errorf("cannot read the input: %w", err)
	}
	r := &rowReader[T]{path: path, schema: s, file: f}
	br := bufio.NewReader(f)
	head, _ := br.Peek(512) // a shorter file gives what it has
	if detectFormat(path, head) == formatJSONLines {
		r.lines = bufio.NewScanner(br)
		r.lines.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
		return r, nil
	}
	r.csv = csv.NewReader(br)
	r.csv.FieldsPerRecord = -1 // a row with the wrong number of fields is a row problem
	r.csv.TrimLeadingSpace = true
	r.csv.ReuseRecord = true
	if err := r.readHeader(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return r, nil
}

// Close closes the file.
func (r *rowReader[T]) Close() error { return r.file.Close() }

func (r *rowReader[T]) readHeader() error {
	rec, err := r.csv.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s is empty; it needs a header row naming its columns (%s)", r.path, strings.Join(r.schema.required, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	seen := map[string]bool{}
	for i, h := range rec {
		name := strings.TrimSpace(h)
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // a spreadsheet's byte order mark
		}
		col, key, ok := r.schema.lookup(name)
		switch {
		case seen[name]:
			return fmt.Errorf("%s: the header names column %q twice", r.path, name)
		case !ok && r.schema.ignoreUnknown:
			r.header = append(r.header, headerCol{ignore: true})
		case !ok:
			return fmt.Errorf("%s: the header's column %d, %q, is not a field this command reads; the columns are %s",
				r.path, i+1, name, strings.Join(r.schema.names, ", "))
		default:
			r.header = append(r.header, headerCol{col: col, key: key})
		}
		seen[name] = true
	}
	for _, req := range r.schema.required {
		if !seen[req] {
			return fmt.Errorf("%s: the header has no %s column; it names %s", r.path, req, strings.Join(rec, ","))
		}
	}
	return nil
}

// all yields the file's rows, in order, each with its problems. It stops at
// the end of the file or at a problem with the file as a whole, kept in
// r.err. Ranging again goes on from the row after the last one yielded.
func (r *rowReader[T]) all() iter.Seq[row[T]] {
	if r.lines != nil {
		return r.jsonRows
	}
	return r.csvRows
}

func (r *rowReader[T]) csvRows(yield func(row[T]) bool) {
	for r.err == nil {
		rec, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			r.err = fmt.Errorf("%s: %w; fix the file and run the command again", r.path, err)
			return
		}
		line, _ := r.csv.FieldPos(0)
		if !yield(r.csvRow(line, rec)) {
			return
		}
	}
}

// csvRow reads one CSV record; an empty cell leaves its field unset.
func (r *rowReader[T]) csvRow(line int, rec []string) row[T] {
	out := row[T]{line: line}
	if len(rec) > len(r.header) {
		out.problems = append(out.problems, fieldProblem{"", fmt.Sprintf("the row has %d fields; the header has %d", len(rec), len(r.header))})
		rec = rec[:len(r.header)] // read what fits, to name the row
	}
	v := reflect.ValueOf(&out.item).Elem()
	for i, cell := range rec {
		h := r.header[i]
		cell = strings.TrimSpace(cell)
		if h.ignore || cell == "" {
			continue
		}
		name := h.col.name
		if h.key != "" {
			name += "." + h.key
		}
		if !utf8.ValidString(cell) {
			out.problems = append(out.problems, fieldProblem{name, notUTF8})
			continue
		}
		if err := setCell(v.FieldByIndex(h.col.index), h.key, cell); err != nil {
			out.problems = append(out.problems, fieldProblem{name, err.Error()})
		}
	}
	return out
}

func (r *rowReader[T]) jsonRows(yield func(row[T]) bool) {
	for r.err == nil {
		if !r.lines.Scan() {
			if err := r.lines.Err(); err != nil {
				r.err = fmt.Errorf("%s: line %d: %w; each line must be one JSON object of at most %d bytes", r.path, r.line+1, err, maxLineBytes)
			}
			return
		}
		r.line++
		text := bytes.TrimSpace(r.lines.Bytes())
		if r.line == 1 {
			text = bytes.TrimPrefix(text, []byte("\ufeff"))
		}
		if len(text) == 0 {
			continue
		}
		if !yield(r.jsonRow(r.line, text)) {
			return
		}
	}
}

// jsonRow reads one JSON object, each key into the field it names. A line
// that is not UTF-8 is refused, naming the field whose value holds the bad
// bytes if there is one: the JSON decoder would read them as U+FFFD, and
// so send another address than the file's.
func (r *rowReader[T]) jsonRow(line int, text []byte) row[T] {
	out := row[T]{line: line}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(text, &obj); err != nil || obj == nil {
		out.problems = append(out.problems, fieldProblem{"", "is not a JSON object"})
		return out
	}
	valid, badValue := utf8.Valid(text), false
	v := reflect.ValueOf(&out.item).Elem()
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		col, ok := r.schema.cols[name]
		switch {
		case !valid && !utf8.Valid(obj[name]):
			out.problems = append(out.problems, fieldProblem{name, notUTF8})
			badValue = true
		case !valid && strings.ContainsRune(name, utf8.RuneError):
			// the bad bytes are in this key, reported below
		case !ok && r.schema.ignoreUnknown:
		case !ok:
			out.problems = append(out.problems, fieldProblem{name, "is not a field this command reads; the fields are " + strings.Join(r.schema.names, ", ")})
		default:
			if err := setJSON(v.FieldByIndex(col.index), obj[name]); err != nil {
				out.problems = append(out.problems, fieldProblem{name, err.Error()})
			}
		}
	}
	if !valid && !badValue {
		out.problems = append(out.problems, fieldProblem{"", "a key " + notUTF8})
	}
	return out
}

// setCell sets dst from a CSV cell: text as is; a list of text split at
// ";" (or written as a JSON array); true or false; a whole number; a date
// or date-time; a key of a map (key); anything else written as JSON.
func setCell(dst reflect.Value, key, cell string) error {
	switch t := dst.Type(); {
	case key != "":
		if dst.IsNil() {
			dst.Set(reflect.MakeMap(t))
		}
		dst.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), reflect.ValueOf(cell).Convert(t.Elem()))
	case t == timeType:
		return setTime(dst, cell)
	case t.Kind() == reflect.String:
		dst.SetString(cell)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String && !strings.HasPrefix(cell, "["):
		parts := reflect.MakeSlice(t, 0, strings.Count(cell, ";")+1)
		for p := range strings.SplitSeq(cell, ";") {
			if p = strings.TrimSpace(p); p != "" {
				parts = reflect.Append(parts, reflect.ValueOf(p).Convert(t.Elem()))
			}
		}
		dst.Set(parts)
	case t.Kind() == reflect.Bool || t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		b, err := strconv.ParseBool(cell)
		if err != nil {
			return errors.New("is not true or false")
		}
		setBool(dst, b)
	case t.Kind() == reflect.Int:
		n, err := strconv.Atoi(cell)
		if err != nil {
			return errors.New("is not a whole number")
		}
		dst.SetInt(int64(n))
	default:
		return setJSON(dst, json.RawMessage(cell))
	}
	return nil
}

func setBool(dst reflect.Value, b bool) {
	if dst.Kind() == reflect.Pointer {
		dst.Set(reflect.New(dst.Type().Elem()))
		dst = dst.Elem()
	}
	dst.SetBool(b)
}

// setJSON sets dst from a JSON value; a date-time may also be a date.
func setJSON(dst reflect.Value, raw json.RawMessage) error {
	var s string
	if dst.Type() == timeType && json.Unmarshal(raw, &s) == nil {
		return setTime(dst, s)
	}
	if err := json.Unmarshal(raw, dst.Addr().Interface()); err != nil {
		return jsonProblem(dst.Type(), err)
	}
	return nil
}

// setTime reads a date-time (RFC 3339, 2025-10-14T14:16:32Z) or a date
// (2025-10-14, midnight UTC).
func setTime(dst reflect.Value, s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		return fmt.Errorf("%q is not a date such as 2025-10-14 or a date-time such as 2025-10-14T09:00:00Z", s)
	}
	dst.Set(reflect.ValueOf(t))
	return nil
}

// jsonProblem says in a user's words why a value does not fit a field of
// type t.
func jsonProblem(t reflect.Type, err error) error {
	var te *json.UnmarshalTypeError
	want := describeType(t)
	if errors.As(err, &te) {
		return fmt.Errorf("is a JSON %s; want %s", te.Value, want)
	}
	return fmt.Errorf("is not valid JSON for %s", want)
}

// describeType names what a field of type t holds.
func describeType(t reflect.Type) string {
	switch {
	case t == timeType:
		return "a date-time"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return "a list of text"
	case t.Kind() == reflect.Slice:
		return "a JSON array"
	case t.Kind() == reflect.Bool || t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Map:
		return "a JSON object"
	}
	return "a JSON value"
}
