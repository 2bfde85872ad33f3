package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// The environment variables onboard reads its credentials and URLs from,
// the names the SDK's examples use. Each may also come from --env-file.
const (
	envAptlyURL       = "ONBOARD_APTLY_URL"
	envAptlyToken     = "ONBOARD_APTLY_TOKEN"
	envAptlyAccessKey = "ONBOARD_APTLY_ACCESS_KEY"
	envAptlyTenant    = "ONBOARD_APTLY_TENANT_ID"
	envAthenaURL      = "ONBOARD_ATHENA_URL"
	envAthenaKey      = "ONBOARD_ATHENA_API_KEY"
	envRoyaltiURL     = "ONBOARD_ROYALTI_URL"
	envRoyaltiToken   = "ONBOARD_ROYALTI_TOKEN"
	envRoyaltiSpace   = "ONBOARD_ROYALTI_WORKSPACE_ID"
	envDatabaseURL    = "ONBOARD_DATABASE_URL"
)

// knownEnv lists the names an --env-file may set.
var knownEnv = []string{
	envAptlyURL, envAptlyToken, envAptlyAccessKey, envAptlyTenant,
	envAthenaURL, envAthenaKey,
	envRoyaltiURL, envRoyaltiToken, envRoyaltiSpace,
	envDatabaseURL,
}

// envHelp is the part of the service commands' help that says where
// credentials come from.
const envHelp = `Credentials and URLs come only from the environment, or from a file
named by --env-file, never from a flag value (which would land in the
shell's history), and are never printed:

  ONBOARD_APTLY_URL, ONBOARD_APTLY_TOKEN or ONBOARD_APTLY_ACCESS_KEY,
  ONBOARD_APTLY_TENANT_ID (or --tenant)
  ONBOARD_ATHENA_URL, ONBOARD_ATHENA_API_KEY
  ONBOARD_ROYALTI_URL, ONBOARD_ROYALTI_TOKEN, ONBOARD_ROYALTI_WORKSPACE_ID
  ONBOARD_DATABASE_URL (PostgreSQL, for --queue, worker and status)

The --env-file holds KEY=VALUE lines with these names (blank lines, # comments
and "export " are allowed; a value may be quoted). A name it sets wins over
the environment. On Unix it must not be readable or writable by group or
others (chmod 600 FILE): a file anyone can read shares the credentials.`

// environment is where credentials are read from: an --env-file's values
// over the process environment.
type environment struct {
	file    map[string]string
	getenv  func(string) string
	fileArg string // the --env-file, for messages
}

// get returns the value of name, trimmed, from the file or the
// environment.
func (e *environment) get(name string) string {
	if v, ok := e.file[name]; ok {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(e.getenv(name))
}

// where names the place a value is read from, for messages.
func (e *environment) where() string {
	if e.fileArg != "" {
		return "the environment or --env-file " + e.fileArg
	}
	return "the environment"
}

// loadEnvironment reads path, if set, over getenv. Its errors never hold a
// value read from the file.
func loadEnvironment(path string, getenv func(string) string) (*environment, error) {
	e := &environment{getenv: getenv, fileArg: path}
	if path == "" {
		return e, nil
	}
	f, err := os.Open(path) //nolint:gosec // G304: reading the file the user named is the point
	if err != nil {
		return nil, fmt.Errorf("cannot read --env-file: %w", err)
	}
	defer func() { _ = f.Close() }() // read only
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read --env-file: %w", err)
	}
	if err := checkPrivate(path, info); err != nil {
		return nil, err
	}
	e.file, err = parseEnvFile(bufio.NewScanner(f), path)
	return e, err
}

// checkPrivate refuses an env file that group or others may read or write,
// on systems with Unix permissions.
func checkPrivate(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return usageErrorf("--env-file %s is not a regular file", path)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return usageErrorf("--env-file %s has mode %v, which lets group or others read or change the credentials in it; "+
			"run chmod 600 %s", path, perm, path)
	}
	return nil
}

// parseEnvFile reads KEY=VALUE lines. A problem is reported with its line
// number, never with any of the line's text.
func parseEnvFile(sc *bufio.Scanner, path string) (map[string]string, error) {
	vals := make(map[string]string)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		name, value, ok := strings.Cut(text, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok:
			return nil, usageErrorf("--env-file %s: line %d is not NAME=VALUE", path, line)
		case !isKnownEnv(name):
			// Not even the name is quoted: a line written wrong, such as
			// "NAME: value=", may hold a credential where the name goes.
			return nil, usageErrorf("--env-file %s: line %d sets a name onboard does not read; the names are %s",
				path, line, strings.Join(knownEnv, ", "))
		}
		vals[name] = unquote(strings.TrimSpace(value))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read --env-file %s: %w", path, err)
	}
	return vals, nil
}

func isKnownEnv(name string) bool {
	for _, k := range knownEnv {
		if k == name {
			return true
		}
	}
	return false
}

// unquote removes one pair of matching single or double quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// errMissingEnv is wrapped by the errors that name a variable not set.
var errMissingEnv = errors.New("not set")

// require returns the value of name, or a usage error saying where to set
// it.
func (e *environment) require(name, what string) (string, error) {
	if v := e.get(name); v != "" {
		return v, nil
	}
	return "", &usageError{fmt.Errorf("%s is %w: set it to %s in %s", name, errMissingEnv, what, e.where())}
}
