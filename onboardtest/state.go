package onboardtest

import (
	"crypto/rand"
	"encoding/binary"
	mrand "math/rand/v2"
)

// state is everything the fake remembers, guarded by Server.mu.
type state struct {
	rng *mrand.Rand

	// Aptly
	aptlyTenants map[string]*aptlyTenant
	aptlyByID    map[uuid]*aptlyRec
	aptlyOrder   []*aptlyRec // every user of every tenant, oldest first
	aptlySeq     int
	aptlyTokens  map[string]struct{} // tokens handed out by the access-key exchange

	// AthenaHQ
	athenaTargets map[string]*athenaTarget
	athenaUsers   map[string]*athenaUser // by email key
	athenaKeyUser map[string]string      // API key -> the user_id owning it

	// Royalti
	royaltiSpaces map[string]*royaltiSpace
	royaltiIDs    map[string]uuid   // email key -> user id
	royaltiByID   map[uuid]struct{} // every user id
	royaltiTokens map[string]string // extra token -> workspace
	royaltiSeq    int               // workspaces created, for their TenantId
}

func (st *state) init() {
	var seed [32]byte
	_, _ = rand.Read(seed[:])
	*st = state{
		// The fake's IDs only need to be unique and look random; ChaCha8
		// seeded from crypto/rand is cheap to call under Server.mu.
		rng:           mrand.New(mrand.NewChaCha8(seed)), //nolint:gosec // G404: a test fake's IDs need no unpredictability
		aptlyTenants:  make(map[string]*aptlyTenant),
		aptlyByID:     make(map[uuid]*aptlyRec),
		aptlyTokens:   make(map[string]struct{}),
		athenaTargets: make(map[string]*athenaTarget),
		athenaUsers:   make(map[string]*athenaUser),
		athenaKeyUser: make(map[string]string),
		royaltiSpaces: make(map[string]*royaltiSpace),
		royaltiIDs:    make(map[string]uuid),
		royaltiByID:   make(map[uuid]struct{}),
		royaltiTokens: make(map[string]string),
	}
}

// newUUID returns a random version 4 identifier. The caller holds s.mu.
func (st *state) newUUID() uuid {
	var u uuid
	binary.LittleEndian.PutUint64(u[:8], st.rng.Uint64())
	binary.LittleEndian.PutUint64(u[8:], st.rng.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// Reset forgets everything the server learned since NewServer: users,
// memberships, invites, tokens from the access-key exchange, tokens added
// with AddRoyaltiToken, recorded requests and counts, pending faults and
// rate-limit windows. Configuration from options, SetRateLimit and
// SetLatency stays.
func (s *Server) Reset() {
	s.mu.Lock()
	s.st.init()
	s.mu.Unlock()
	s.recMu.Lock()
	s.rec.reset()
	s.recMu.Unlock()
	s.ClearFaults()
	s.rlMu.Lock()
	s.rl.set(s.rl.n, s.rl.per)
	s.rlMu.Unlock()
}
