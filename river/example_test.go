package onboardriver_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onboardkit/onboard"
	onboardriver "github.com/onboardkit/onboard/river"
)

// An import enqueued by one process, worked by any number of others, and
// read back by id.
func Example() {
	if err := importHires(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func importHires(ctx context.Context) error {
	pool, err := pgxpool.New(ctx, os.Getenv("ONBOARD_DATABASE_URL"))
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := onboardriver.Migrate(ctx, pool); err != nil {
		return err
	}

	// Enqueue: the people, each with a key of the caller's.
	q, err := onboardriver.NewQueue(pool)
	if err != nil {
		return err
	}
	people := []onboard.AptlyInvitee{{Email: "ada@example.com"}, {Email: "grace@example.com"}}
	rows := func(yield func(string, onboard.AptlyInvitee) bool) {
		for i, p := range people {
			if !yield("row "+strconv.Itoa(i+2), p) { // the CSV's row numbers
				return
			}
		}
	}
	_, err = onboardriver.Enqueue(ctx, q, onboardriver.Import[onboard.AptlyInvitee]{
		ID: "march-hires", Tenant: "0b9f6b0e-6d1f-4c7e-9a57-2f1e0c3d4b5a", Rows: rows,
	})
	if err != nil {
		return err
	}

	// Work, in as many processes as you like: each has its own credential,
	// and a pacer shares the credential's quota between them.
	token := os.Getenv("APTLY_TOKEN")
	pacer := onboardriver.NewPacer(pool, onboardriver.Aptly, token, 100*time.Millisecond)
	workCtx, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	err = onboardriver.RunWorkers(workCtx, pool, onboardriver.WorkerConfig{
		Aptly: func(ctx context.Context, tenant string) (*onboard.AptlyClient, error) {
			return onboard.NewAptlyClient("https://api.aptly.example", onboard.BearerToken(token), onboard.WithRateLimiter(pacer))
		},
	})
	if err != nil {
		return err
	}

	// Read back.
	for o, err := range q.Outcomes(ctx, "march-hires") {
		if err != nil {
			return err
		}
		fmt.Println(o.Key, o.State, o.Message)
	}
	return nil
}
