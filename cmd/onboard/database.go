package main

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	onboardriver "github.com/onboardkit/onboard/river"
)

// database is the PostgreSQL of ONBOARD_DATABASE_URL, which holds the
// imports of --queue, worker and status. Its URL may hold a password: it
// is never printed, and every error that passes through scrub has it
// taken out, for pgx may quote what it was given.
type database struct {
	pool    *pgxpool.Pool
	secrets []string // the URL and its password, as they may be quoted
}

// openDatabase connects to ONBOARD_DATABASE_URL, and with migrate runs the
// river module's migrations (safe to repeat) first.
func openDatabase(ctx context.Context, env *environment, migrate bool) (*database, error) {
	dsn, err := env.require(envDatabaseURL, "the URL of the PostgreSQL that holds the imports, such as postgres://user@host/onboard")
	if err != nil {
		return nil, err
	}
	db := &database{secrets: secretsOf(dsn)}
	db.pool, err = pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, db.scrub(usageErrorf("%s: %w", envDatabaseURL, err))
	}
	if migrate {
		if err := onboardriver.Migrate(ctx, db.pool); err != nil {
			db.pool.Close()
			return nil, db.scrub(err)
		}
	}
	return db, nil
}

func (db *database) close() { db.pool.Close() }

// scrub returns err with the database URL and password taken out of its
// text, keeping whether it is a usage error; nil stays nil.
func (db *database) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range db.secrets {
		msg = strings.ReplaceAll(msg, s, "[redacted]")
	}
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		return &usageError{errors.New(msg)}
	}
	return errors.New("the database (" + envDatabaseURL + "): " + msg)
}

// dsnPassword matches a password in a keyword/value connection string.
var dsnPassword = regexp.MustCompile(`password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)

// secretsOf returns what of dsn must never be printed: dsn itself, and its
// password however it may be quoted, longest first.
func secretsOf(dsn string) []string {
	secrets := []string{dsn}
	var pws []string
	if c, err := pgconn.ParseConfig(dsn); err == nil {
		pws = append(pws, c.Password)
	}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		pw, _ := u.User.Password()
		pws = append(pws, pw)
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			if _, pw, ok := strings.Cut(dsn[i+3:at], ":"); ok {
				pws = append(pws, pw)
			}
		}
	}
	for _, m := range dsnPassword.FindAllStringSubmatch(dsn, -1) {
		pws = append(pws, m[1], strings.Trim(m[1], "'"))
	}
	for _, pw := range pws {
		if pw != "" {
			secrets = append(secrets, pw, url.QueryEscape(pw), url.PathEscape(pw), url.UserPassword("u", pw).String()[2:])
		}
	}
	// Longest first, so that a password inside the URL is not replaced
	// before the URL.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return secrets
}
