package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/onboardkit/onboard/onboardtest"
)

// Fixed ids the scripts use, exported to them as $TENANT, $SITE1, $SITE2
// and $GROUP1.
const (
	scriptTenant = fakeAptlyTenant // the tenant the fake's banner suggests
	scriptSite1  = "11111111-1111-4111-8111-111111111111"
	scriptSite2  = "22222222-2222-4222-8222-222222222222"
	scriptGroup1 = "33333333-3333-4333-8333-333333333333"
)

// scriptFake is the in-process fake a script's onboard commands talk to:
// onboardtest on a loopback port, whose clock a script can move to seed
// invites sent in the past.
type scriptFake struct {
	srv    *onboardtest.Server
	offset atomic.Int64 // added to the time, as a time.Duration
}

type scriptFakeKey struct{}

func (f *scriptFake) now() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) }

// setupFake starts a script's fake and sets the environment the onboard
// commands read, with the fake's public test credentials. The AthenaHQ key
// is the global one, so that group calls work.
func setupFake(env *testscript.Env) error {
	f := &scriptFake{}
	f.srv = onboardtest.NewServer(onboardtest.WithClock(f.now))
	env.Defer(f.srv.Close)
	env.Values[scriptFakeKey{}] = f
	for k, v := range map[string]string{
		envAptlyURL:     f.srv.AptlyURL(),
		envAptlyToken:   onboardtest.AptlyToken,
		envAptlyTenant:  scriptTenant,
		envAthenaURL:    f.srv.AthenaURL(),
		envAthenaKey:    onboardtest.AthenaGlobalAPIKey,
		envRoyaltiURL:   f.srv.RoyaltiURL(),
		envRoyaltiToken: onboardtest.RoyaltiToken,
		"TENANT":        scriptTenant,
		"SITE1":         scriptSite1,
		"SITE2":         scriptSite2,
		"GROUP1":        scriptGroup1,
	} {
		env.Setenv(k, v)
	}
	return nil
}

// cmdFake seeds and inspects the script's fake:
//
//	fake clock DURATION               the fake's time is now+DURATION from here on (-200h: the past)
//	fake aptly-user EMAIL             an active user of $TENANT
//	fake aptly-invite EMAIL           a pending invite (INVITED user) of $TENANT
//	fake royalti-user EMAIL           a user of the workspace, without an invite
//	fake royalti-invite EMAIL         a pending invite to the workspace
//	fake royalti-accept EMAIL         accept the pending invite
//	fake athena-member TARGET EMAIL   a viewer of the website or group (its own row)
//	fake athena-org EMAIL [VAR]       a viewer of the organization; VAR is set to their user id
//	fake fault PATH STATUS [TIMES]    answer requests to PATH with STATUS, TIMES times (default 1)
//	fake lost PATH [TIMES]            do requests to PATH, then answer 500, TIMES times (default 1): the answer lost after the work
//	fake requests                     print "METHOD PATH STATUS" per request received, oldest first
//	fake state                        print the fake's state as JSON
func cmdFake(ts *testscript.TestScript, neg bool, args []string) {
	f, ok := ts.Value(scriptFakeKey{}).(*scriptFake)
	if neg || !ok || len(args) == 0 {
		ts.Fatalf("usage: fake VERB ARGS... (see cmdFake)")
	}
	arg := func(i int) string {
		if i >= len(args) {
			ts.Fatalf("fake %s: too few arguments", args[0])
		}
		return args[i]
	}
	switch args[0] {
	case "clock":
		d, err := time.ParseDuration(arg(1))
		ts.Check(err)
		f.offset.Store(int64(d))
	case "aptly-user":
		f.srv.AddAptlyUser(scriptTenant, arg(1), "", "")
	case "aptly-invite":
		f.srv.AddAptlyInvite(scriptTenant, arg(1), "", "")
	case "royalti-user":
		f.srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, arg(1), "", "")
	case "royalti-invite":
		f.srv.AddRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, arg(1), "", "")
	case "royalti-accept":
		ts.Check(f.srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, arg(1)))
	case "athena-member":
		f.srv.AddAthenaMember(arg(1), arg(2))
	case "athena-org":
		id := f.srv.AddAthenaMember(onboardtest.AthenaOrganizationID, arg(1))
		if len(args) > 2 {
			ts.Setenv(args[2], id)
		}
	case "fault":
		f.fault(ts, args[1:])
	case "lost":
		times := 1
		if len(args) > 2 {
			var err error
			times, err = strconv.Atoi(args[2])
			ts.Check(err)
		}
		f.srv.InjectFault(onboardtest.Fault{Path: arg(1), Status: http.StatusInternalServerError, Process: true, Times: times})
	case "requests":
		out := ts.Stdout() // replaces the last command's stdout, even with no request
		for _, r := range f.srv.Requests() {
			_, err := fmt.Fprintf(out, "%s %s %d\n", r.Method, r.Path, r.Status)
			ts.Check(err)
		}
	case "state":
		b, err := json.Marshal(f.srv.State())
		ts.Check(err)
		_, err = fmt.Fprintf(ts.Stdout(), "%s\n", b)
		ts.Check(err)
	default:
		ts.Fatalf("fake: unknown verb %q", args[0])
	}
}

func (f *scriptFake) fault(ts *testscript.TestScript, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: fake fault PATH STATUS [TIMES]")
	}
	status, err := strconv.Atoi(args[1])
	ts.Check(err)
	times := 1
	if len(args) > 2 {
		times, err = strconv.Atoi(args[2])
		ts.Check(err)
	}
	if http.StatusText(status) == "" {
		ts.Fatalf("fake fault: %d is not an HTTP status", status)
	}
	f.srv.InjectFault(onboardtest.Fault{Path: args[0], Status: status, Times: times})
}
