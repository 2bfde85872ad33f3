package main

import (
	"fmt"
	"strings"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// quickstart holds the clients and what the steps share.
type quickstart struct {
	cfg     config
	out     *console
	fake    *onboardtest.Server // nil when every service is real
	aptly   *onboard.AptlyClient
	athena  *onboard.AthenaClient
	royalti *onboard.RoyaltiClient
}

func newQuickstart(cfg config, out *console) (*quickstart, error) {
	q := &quickstart{cfg: cfg, out: out}
	var aptlyURL, athenaURL, royaltiURL string
	if !cfg.aptly.real() || !cfg.athena.real() || !cfg.royalti.real() {
		q.fake = onboardtest.NewServer()
		seedFake(q.fake)
		aptlyURL, athenaURL, royaltiURL = q.fake.AptlyURL(), q.fake.AthenaURL(), q.fake.RoyaltiURL()
	}
	var err error
	q.aptly, err = connect(q, cfg.aptly, onboard.NewAptlyClient, onboard.BearerToken, onboardtest.AptlyToken, aptlyURL)
	if err == nil {
		q.athena, err = connect(q, cfg.athena, onboard.NewAthenaClient, onboard.APIKey, onboardtest.AthenaAPIKey, athenaURL)
	}
	if err == nil {
		q.royalti, err = connect(q, cfg.royalti, onboard.NewRoyaltiClient, onboard.BearerToken, onboardtest.RoyaltiToken, royaltiURL)
	}
	if err != nil {
		q.close()
		return nil, err
	}

	out.printf("onboard quickstart\n")
	for _, s := range []service{cfg.aptly, cfg.athena, cfg.royalti} {
		where := "in-process fake (onboardtest); set " + s.urlVar + " to use the real service"
		if s.real() {
			where = s.url
		}
		out.printf("  %-9s %s\n", s.name, where)
	}
	return q, nil
}

// newClientFunc is the shape of the SDK's three constructors,
// onboard.NewAptlyClient, NewAthenaClient and NewRoyaltiClient, each
// returning its own service's client type C.
type newClientFunc[C any] func(baseURL string, auth onboard.Authenticator, opts ...onboard.Option) (C, error)

// connect makes the client for one service with its constructor: the real
// service when configured, else the fake, sent through the fake's own HTTP
// client.
func connect[C any](q *quickstart, s service, newClient newClientFunc[C], auth func(string) onboard.Authenticator, fakeCred, fakeURL string) (C, error) {
	if !s.real() {
		return newClient(fakeURL, auth(fakeCred), onboard.WithHTTPClient(q.fake.Client()))
	}
	c, err := newClient(s.url, auth(s.token))
	if err != nil {
		return c, fmt.Errorf("%s: %w", s.name, err)
	}
	return c, nil
}

func (q *quickstart) close() {
	if q.fake != nil {
		q.fake.Close()
	}
}

// seedFake gives the fake what a real account would already hold: someone
// who is a member of one of the websites.
func seedFake(srv *onboardtest.Server) {
	srv.AddAthenaMember(strings.Split(fakeWebsites, ",")[1], "edsger.dijkstra@example.com")
}
