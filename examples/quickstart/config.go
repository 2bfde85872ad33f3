package main

import (
	"fmt"
	"strings"
)

// The ids the in-process fake uses: the tenant and websites of the API
// documents' examples.
const (
	fakeTenantID = "887fd99a-e3ab-44ac-8253-31f269599f2b"
	fakeWebsites = "123e4567-e89b-12d3-a456-426614174000,987e6543-e21b-12d3-a456-426614174000,5f0c3a2e-8d1b-4c6e-9a7f-2b3d4e5f6a7b"
)

// service is where one service is reached: a real base URL and credential
// from the environment, or the in-process fake.
type service struct {
	name       string // "Aptly"
	urlVar     string // "ONBOARD_APTLY_URL"
	url, token string // empty when the fake is used
}

func (s service) real() bool { return s.url != "" }

// config is what the environment says.
type config struct {
	aptly, athena, royalti service
	tenantID               string
	websiteIDs             []string
	workspaceID            string
}

// loadConfig reads the environment. A service is real when its URL is set;
// its credential, and for Aptly and AthenaHQ the ids to work in, must be set
// then too:
//
//	ONBOARD_APTLY_URL             Aptly base URL, such as https://staging.api.us.aptlydone.com/auth
//	ONBOARD_APTLY_TOKEN           Aptly bearer token
//	ONBOARD_APTLY_TENANT_ID       the Aptly tenant to create and invite people in
//	ONBOARD_ATHENA_URL            AthenaHQ base URL, such as https://api.athenahq.ai
//	ONBOARD_ATHENA_API_KEY        AthenaHQ API key
//	ONBOARD_ATHENA_WEBSITE_IDS    comma-separated ids of the websites to invite one person to
//	ONBOARD_ROYALTI_URL           Royalti base URL, such as https://api.royalti.io
//	ONBOARD_ROYALTI_TOKEN         Royalti bearer token (Royalti API keys go here too)
//	ONBOARD_ROYALTI_WORKSPACE_ID  optional: the workspace of the first Royalti invite; the
//	                              loop works in the token's own, which Royalti's invite
//	                              list, resend and cancel act on
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	var missing []string
	need := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	svc := func(name, urlVar, tokenVar string) service {
		s := service{name: name, urlVar: urlVar, url: strings.TrimSpace(getenv(urlVar))}
		if s.url != "" || strings.TrimSpace(getenv(tokenVar)) != "" {
			s.url = need(urlVar)
			s.token = need(tokenVar)
		}
		return s
	}
	cfg.aptly = svc("Aptly", "ONBOARD_APTLY_URL", "ONBOARD_APTLY_TOKEN")
	cfg.athena = svc("AthenaHQ", "ONBOARD_ATHENA_URL", "ONBOARD_ATHENA_API_KEY")
	cfg.royalti = svc("Royalti", "ONBOARD_ROYALTI_URL", "ONBOARD_ROYALTI_TOKEN")

	cfg.tenantID, cfg.websiteIDs = fakeTenantID, strings.Split(fakeWebsites, ",")
	if cfg.aptly.real() {
		cfg.tenantID = need("ONBOARD_APTLY_TENANT_ID")
	}
	if cfg.athena.real() {
		cfg.websiteIDs = nil
		for id := range strings.SplitSeq(need("ONBOARD_ATHENA_WEBSITE_IDS"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				cfg.websiteIDs = append(cfg.websiteIDs, id)
			}
		}
	}
	if cfg.royalti.real() {
		cfg.workspaceID = strings.TrimSpace(getenv("ONBOARD_ROYALTI_WORKSPACE_ID"))
	}
	if len(missing) > 0 {
		return cfg, fmt.Errorf("set %s too, or unset the service's variables to use the in-process fake", strings.Join(missing, ", "))
	}
	return cfg, nil
}
