package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"
)

// The values of -o.
const (
	outputTable = "table"
	outputJSON  = "json"
	outputCSV   = "csv"
)

// outputHelp describes -o in each command's help.
const outputHelp = "output `format`: table (for people), json or csv (for programs); " + csvGuardHelp

// csvGuardHelp says how CSV output keeps a spreadsheet from running a
// cell, for -o and --report.
const csvGuardHelp = "a CSV cell that begins with =, +, -, @, a tab or a carriage return is written after a ' " +
	"so that a spreadsheet shows it as text, not a formula"

// addOutputFlag adds -o to cmd.
func addOutputFlag(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVarP(format, "output", "o", outputTable, outputHelp)
}

// checkOutput refuses an -o that is not table, json or csv.
func checkOutput(format string) error {
	switch format {
	case outputTable, outputJSON, outputCSV:
		return nil
	}
	return usageErrorf("-o %q is not a format onboard writes; use table, json or csv", format)
}

// recordWriter writes records, each a value per column: text, a number, a
// time (zero: none), or nil for none.
type recordWriter interface {
	write(values ...any) error
	// close writes what is buffered and ends the output.
	close() error
}

// newRecordWriter returns a writer of records with columns in format
// (table, json or csv).
//
// A table is aligned once all its records are in, so it holds them in
// memory; json and csv stream. json is one array of objects, keyed by
// the column names; csv has a header row.
func newRecordWriter(w io.Writer, format string, columns []string) recordWriter {
	switch format {
	case outputJSON:
		return &jsonWriter{w: w, columns: columns}
	case outputCSV:
		return &csvWriter{w: csv.NewWriter(w), columns: columns}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	return &tableWriter{w: tw, columns: columns}
}

// text renders a value for a table or a CSV cell.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

type tableWriter struct {
	w       *tabwriter.Writer
	columns []string
	rows    int
	err     error
}

func (t *tableWriter) write(values ...any) error {
	if t.err != nil {
		return t.err
	}
	if t.rows == 0 {
		t.line(strings.ToUpper(strings.Join(t.columns, "\t")))
	}
	t.rows++
	cells := make([]string, len(values))
	for i, v := range values {
		cells[i] = printable(text(v))
	}
	t.line(strings.Join(cells, "\t"))
	return t.err
}

func (t *tableWriter) line(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.w, s+"\n")
	}
}

func (t *tableWriter) close() error {
	if t.rows == 0 {
		t.line(strings.ToUpper(strings.Join(t.columns, "\t")))
	}
	if t.err != nil {
		return t.err
	}
	return t.w.Flush()
}

// printable makes s safe for one table cell on a terminal: control
// characters, tabs and newlines included, become spaces, so that a
// server's words cannot move the cursor or break the columns.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
}

type jsonWriter struct {
	w       io.Writer
	columns []string
	rows    int
	err     error
}

func (j *jsonWriter) write(values ...any) error {
	if j.err != nil {
		return j.err
	}
	var b strings.Builder
	if j.rows == 0 {
		b.WriteString("[\n")
	} else {
		b.WriteString(",\n")
	}
	j.rows++
	b.WriteString("  {")
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(j.columns[i])
		b.Write(k)
		b.WriteString(": ")
		b.Write(jsonValue(v))
	}
	b.WriteString("}")
	_, j.err = io.WriteString(j.w, b.String())
	return j.err
}

// jsonValue encodes v; a zero time and nil are null.
func jsonValue(v any) []byte {
	if t, ok := v.(time.Time); ok {
		if t.IsZero() {
			return []byte("null")
		}
		v = t.UTC().Format(time.RFC3339)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}

func (j *jsonWriter) close() error {
	if j.err != nil {
		return j.err
	}
	end := "\n]\n"
	if j.rows == 0 {
		end = "[]\n"
	}
	_, j.err = io.WriteString(j.w, end)
	return j.err
}

type csvWriter struct {
	w       *csv.Writer
	columns []string
	rows    int
}

func (c *csvWriter) write(values ...any) error {
	if c.rows == 0 {
		if err := c.w.Write(c.columns); err != nil {
			return err
		}
	}
	c.rows++
	cells := make([]string, len(values))
	for i, v := range values {
		cells[i] = guardCell(text(v))
	}
	return c.w.Write(cells)
}

// guardCell puts a single quote before a CSV cell that begins with a
// character a spreadsheet reads as the start of a formula (=, +, -, @) or
// skips before one (a tab, a carriage return), so that text from a file
// or a service is shown, never run. Onboard's own cells (numbers, dates,
// outcomes) never begin with one.
func guardCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (c *csvWriter) close() error {
	if c.rows == 0 {
		if err := c.w.Write(c.columns); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// attentionTable is a table on a terminal that shows only the records
// that need a person's attention, by their outcome in column col (see
// needsNothing). With none to show it writes nothing, not even the
// header.
type attentionTable struct {
	recordWriter
	col   int
	shown int
}

func (a *attentionTable) write(values ...any) error {
	if o, _ := values[a.col].(string); needsNothing(o) {
		return nil
	}
	a.shown++
	return a.recordWriter.write(values...)
}

func (a *attentionTable) close() error {
	if a.shown == 0 {
		return nil
	}
	return a.recordWriter.close()
}

// multiWriter writes each record to several writers: the command's output
// and its --report.
type multiWriter []recordWriter

func (m multiWriter) write(values ...any) error {
	var errs []error
	for _, w := range m {
		errs = append(errs, w.write(values...))
	}
	return errors.Join(errs...)
}

func (m multiWriter) close() error {
	var errs []error
	for _, w := range m {
		errs = append(errs, w.close())
	}
	return errors.Join(errs...)
}

// reportFile is a --report: a file that receives every record as CSV, or
// as JSON when its name ends in .json. The records stream to a temporary
// file beside it (the report's name, with a dot before and ".partial"
// after), renamed into place when the run ends, so that a run killed
// part-way leaves the previous report whole, never a torn one; the next
// run overwrites the temporary file.
type reportFile struct {
	recordWriter
	f    *os.File
	name string // as given
	path string // name, its links followed
	tmp  string
	err  error // the first write that failed
}

// createReport starts the report at path, refusing to overwrite the
// input. The report has the mode of the one it replaces, or 0600 (it
// names people).
func createReport(path, input string, columns []string) (*reportFile, error) {
	if input != "" && sameFile(path, input) {
		return nil, usageErrorf("--report %s would overwrite the input", path)
	}
	name := path
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target // written through a link, as os.Create would
	} else {
		path = createdAt(path)
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode) //nolint:gosec // G304: writing beside the file the user named is the point
	if err == nil {
		err = f.Chmod(mode) // a temporary file left by a killed run keeps its own mode
	}
	if err != nil {
		return nil, fmt.Errorf("cannot write --report: %w", err)
	}
	format := outputCSV
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		format = outputJSON
	}
	return &reportFile{recordWriter: newRecordWriter(f, format, columns), f: f, name: name, path: path, tmp: tmp}, nil
}

func (r *reportFile) write(values ...any) error {
	if err := r.recordWriter.write(values...); err != nil && r.err == nil {
		r.err = err
	}
	return r.err
}

// close ends the report and renames it into place; if any of it could not
// be written, it removes it and leaves the previous report as it was.
func (r *reportFile) close() error {
	err := errors.Join(r.err, r.recordWriter.close(), r.f.Sync(), r.f.Close())
	if err == nil {
		err = os.Rename(r.tmp, r.path)
	}
	if err != nil {
		_ = os.Remove(r.tmp) // the error below says what matters
		return fmt.Errorf("cannot write --report %s: %w; a report there from an earlier run is left as it was", r.name, err)
	}
	return nil
}

// sameFile reports whether paths a and b name one file: one that exists,
// however reached (another spelling, a symbolic or a hard link), or, when
// neither exists yet, the one that writing either would create.
func sameFile(a, b string) bool {
	ai, errA := os.Stat(a)
	bi, errB := os.Stat(b)
	switch {
	case errA == nil && errB == nil:
		return os.SameFile(ai, bi)
	case errA == nil || errB == nil:
		return false
	}
	pa, pb := createdAt(a), createdAt(b)
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return strings.EqualFold(pa, pb) // their file systems ignore case, by default
	}
	return pa == pb
}

// createdAt returns where writing path, which does not exist, would
// create the file: an absolute path, its directory's links resolved, and
// a link at its end (which points to no file yet) followed.
func createdAt(path string) string {
	for range 40 { // a longer chain of links is refused by Linux too
		target, err := os.Readlink(path)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	dir := filepath.Dir(path)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	abs, err := filepath.Abs(filepath.Join(dir, filepath.Base(path)))
	if err != nil {
		return filepath.Clean(path)
	}
	return abs
}
