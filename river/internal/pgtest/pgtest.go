// Package pgtest gives tests a PostgreSQL: the one ONBOARD_TEST_DATABASE_URL
// names (its user needs CREATEDB), or a throwaway cluster started with the
// initdb and pg_ctl found on PATH or in /usr/lib/postgresql/*/bin, on a unix
// socket in a temporary directory. Each test gets a database of its own.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// childEnv holds the database URL of a child process (see Child).
const childEnv = "ONBOARD_PGTEST_CHILD_DB"

const howTo = "no PostgreSQL: set ONBOARD_TEST_DATABASE_URL (a user with CREATEDB), or install PostgreSQL so that initdb is on PATH or in /usr/lib/postgresql/*/bin"

var (
	base    string // the server's URL, database postgres
	skipWhy string
	dbs     atomic.Int64
)

// Main runs m against a PostgreSQL, first preparing a template database with
// prepare (given its URL), and returns the exit code. Without PostgreSQL
// the tests skip, unless CI=true: then Main fails.
func Main(m *testing.M, prepare func(ctx context.Context, url string) error) int {
	if os.Getenv(childEnv) != "" {
		return m.Run()
	}
	stop, err := start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "pgtest: CI=true and %v\n", err)
			return 1
		}
		skipWhy = err.Error()
		return m.Run()
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exec1(ctx, base, `CREATE DATABASE onboard_template`); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	if err := prepare(ctx, withDB(base, "onboard_template")); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: preparing the template: %v\n", err)
		return 1
	}
	return m.Run()
}

// URL returns the URL of a new database for t, a copy of the template,
// dropped when t ends; in a child process, the parent's database.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(childEnv); u != "" {
		return u
	}
	if base == "" {
		t.Skip(skipWhy)
	}
	name := "t" + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(dbs.Add(1), 10)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exec1(ctx, base, `CREATE DATABASE `+name+` TEMPLATE onboard_template`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec1(ctx, base, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	})
	return withDB(base, name)
}

// Child returns the environment entry that makes a child process's URL
// return dbURL.
func Child(dbURL string) string { return childEnv + "=" + dbURL }

func exec1(ctx context.Context, dbURL, sql string) error {
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(context.WithoutCancel(ctx)) }()
	_, err = c.Exec(ctx, sql)
	return err
}

func withDB(dbURL, name string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.Path = "/" + name
	return u.String()
}

// start finds the server to use, starting a cluster if need be, and returns
// how to stop it.
func start() (func(), error) {
	if u := os.Getenv("ONBOARD_TEST_DATABASE_URL"); u != "" {
		base = u
		return func() {}, nil
	}
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "onboardpg")
	if err != nil {
		return nil, err
	}
	run, err := asPostgres(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	steps := [][]string{
		{filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"},
		{filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60",
			"-o", "-k " + dir + " -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c max_connections=200", "start"},
	}
	for _, s := range steps {
		if out, err := run(ctx, s...); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("%s: %w\n%s", filepath.Base(s[0]), err, out)
		}
	}
	base = "postgres://postgres@/postgres?host=" + url.QueryEscape(dir)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = run(ctx, filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "-t", "30", "stop")
		_ = os.RemoveAll(dir)
	}, nil
}

// findBin returns the directory of initdb and pg_ctl.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New(howTo)
}

func versionOf(bin string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return n
}

// asPostgres returns how to run a command as the user that owns dir: as
// root, the postgres user (PostgreSQL refuses to run as root).
func asPostgres(dir string) (func(ctx context.Context, args ...string) ([]byte, error), error) {
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)} //nolint:gosec // G115: ids from the system's user database
	}
	return func(ctx context.Context, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...) //nolint:gosec // G204: PostgreSQL's own tools
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}, nil
}
