package onboardtest

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// This file serves Aptly's user lifecycle: list, resend invites, change
// statuses, delete, and update a user's entities.

// aptlyStatus is a user's status, stored in one byte.
type aptlyStatus uint8

const (
	aptlyActive aptlyStatus = iota
	aptlyInvited
	aptlyInactive
	aptlyDeleted
)

var aptlyStatusNames = [...]string{AptlyStatusActive, AptlyStatusInvited, AptlyStatusInactive, AptlyStatusDeleted}

func (st aptlyStatus) String() string { return aptlyStatusNames[st] }

func aptlyStatusOf(invited bool) aptlyStatus {
	if invited {
		return aptlyInvited
	}
	return aptlyActive
}

func parseAptlyStatus(name string) (aptlyStatus, bool) {
	for st := range aptlyStatus(len(aptlyStatusNames)) {
		if aptlyStatusNames[st] == name {
			return st, true
		}
	}
	return 0, false
}

const aptlyStatusProblem = "status must be one of the following values: ACTIVE, INACTIVE, INVITED, DELETED"

// aptlyUser2026 holds the fields the 2026 render of Aptly's user object adds
// to the 2025 one. Each appears only when the user has a value, so a user
// that never carried one is rendered exactly in the 2025 shape.
type aptlyUser2026 struct {
	DisplayName      *string        `json:"displayName,omitempty"`
	EmployeeNumber   *string        `json:"employeeNumber,omitempty"`
	EmploymentType   *string        `json:"employmentType,omitempty"`
	SourceID         *string        `json:"sourceId,omitempty"`
	ActorType        *string        `json:"actorType,omitempty"`
	AIAgentType      *string        `json:"aiAgentType,omitempty"`
	StartDate        *string        `json:"startDate,omitempty"`
	TerminationDate  *string        `json:"terminationDate,omitempty"`
	CustomAttributes map[string]any `json:"customAttributes,omitempty"`
}

// aptlyProfile holds what update-entities set that no other endpoint
// stores. A nil field was never set.
type aptlyProfile struct {
	name, accountType, userType, profileImageURL *string
	currencyCode, currencyName, dateFormat       *string
	v2026                                        aptlyUser2026
}

// applyAptlyUpdates puts into out what only update-entities and bulk-invite
// store. The caller holds s.mu.
func applyAptlyUpdates(rec *aptlyRec, out *aptlyUserOut) {
	x := rec.more()
	if p := x.profile; p != nil {
		out.aptlyUser2026 = p.v2026
		setIf(&out.Name, p.name)
		setIf(&out.CurrencyCode, p.currencyCode)
		setIf(&out.CurrencyName, p.currencyName)
		setIf(&out.DateFormat, p.dateFormat)
		out.AccountType = orOld(p.accountType, out.AccountType)
		out.UserType = orOld(p.userType, out.UserType)
		out.ProfileImageURL = orOld(p.profileImageURL, out.ProfileImageURL)
	}
	out.DisplayName = optional(x.display)
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func orOld(v, old *string) *string {
	if v != nil {
		return v
	}
	return old
}

func (rec *aptlyRec) updated() time.Time {
	if rec.extra != nil && rec.extra.updatedMs != 0 {
		return time.UnixMilli(rec.extra.updatedMs).UTC()
	}
	return rec.created()
}

// mutable returns rec's extra fields for writing, allocating them on first
// use. The caller holds s.mu.
func (rec *aptlyRec) mutable() *aptlyExtra {
	if rec.extra == nil {
		rec.extra = &aptlyExtra{}
	}
	return rec.extra
}

// aptlyReply answers with Aptly's success envelope, "statusCode": 200, under
// the given HTTP status.
func (s *Server) aptlyReply(httpStatus int, now time.Time, data any) reply {
	return jsonReply(httpStatus, aptlyEnvelope{
		StatusCode: http.StatusOK,
		Timestamp:  formatTime(now),
		Message:    "Success",
		Data:       data,
	})
}

// Paging of GET /v1/user. The documents give neither the query parameters
// nor their defaults; the answer's example shows "page": 1, "limit": 10.
const (
	// AptlyDefaultLimit is the page size of GET {AptlyURL}/v1/user when the
	// request names no limit.
	AptlyDefaultLimit = 10
	// AptlyMaxLimit is the largest limit GET {AptlyURL}/v1/user accepts;
	// more is answered with 400.
	AptlyMaxLimit = 100
)

type aptlyPage struct {
	Page  int            `json:"page"`
	Limit int            `json:"limit"`
	Total int            `json:"total"`
	Data  []aptlyUserOut `json:"data"`
}

// aptlyListUsers serves GET /v1/user?page=&limit=.
//
// Assumptions, the parameter table being missing from the documents: the
// parameters are page (from 1, default 1) and limit (1 to AptlyMaxLimit,
// default AptlyDefaultLimit), as the answer names them; any other parameter
// is refused with 400 ("property x should not exist"), as Aptly refuses
// unknown body fields. Users are listed oldest first (by userId) across
// every tenant, the fake's token seeing them all; total counts them all,
// and a page past the end has an empty data. Users whose status is DELETED
// are listed; bulk-delete removes users. HTTP 200, "statusCode": 200.
func (s *Server) aptlyListUsers(c *call) reply {
	q := c.r.URL.Query()
	if name := unknownQuery(q, "page", "limit"); name != "" {
		return s.badRequest(serviceAptly, c.now, []problem{{Field: name, Message: "property " + name + " should not exist"}})
	}
	var probs []problem
	page, ok := intQuery(q, "page", 1, 1, maxInt32)
	if !ok {
		probs = append(probs, problem{Field: "page", Message: "page must be an integer number not less than 1"})
	}
	limit, ok := intQuery(q, "limit", AptlyDefaultLimit, 1, AptlyMaxLimit)
	if !ok {
		probs = append(probs, problem{Field: "limit", Message: "limit must be an integer number between 1 and " + strconv.Itoa(AptlyMaxLimit)})
	}
	if len(probs) > 0 {
		return s.badRequest(serviceAptly, c.now, probs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.st.aptlyOrder
	lo, hi := pageBounds(page, limit, len(all))
	out := aptlyPage{Page: page, Limit: limit, Total: len(all), Data: make([]aptlyUserOut, 0, hi-lo)}
	for _, rec := range all[lo:hi] {
		out.Data = append(out.Data, s.aptlyRender(rec))
	}
	return s.aptlyReply(http.StatusOK, c.now, out)
}

// maxInt32 bounds page numbers so that page arithmetic cannot overflow.
const maxInt32 = 1<<31 - 1

// aptlyResendRequest is the body of POST /v1/user/bulk-resend-invite.
type aptlyResendRequest struct {
	TenantID string   `json:"tenantId"`
	UserIDs  []string `json:"userIds"`
}

// aptlyStatusRequest is the body of PATCH /v1/user/bulk-status-update.
type aptlyStatusRequest struct {
	UserIDs []string `json:"userIds"`
	Status  string   `json:"status"`
}

// aptlyDeleteRequest is the body of DELETE /v1/user/bulk-delete.
type aptlyDeleteRequest struct {
	UserIDs []string `json:"userIds"`
}

type aptlyCounts struct {
	Total      int `json:"total"`
	Successful int `json:"successful"`
	Failed     int `json:"failed"`
}

type aptlyDeleteData struct {
	DeletedCount int `json:"deletedCount"`
}

// aptlyCheckUserIDs validates a userIds array: present, not empty, every
// element a uuid.
func aptlyCheckUserIDs(ids []string) []problem {
	if len(ids) == 0 {
		return []problem{{Field: "userIds", Message: "userIds should not be empty"}}
	}
	var probs []problem
	for i, id := range ids {
		if !validUUID(id) {
			f := "userIds[" + strconv.Itoa(i) + "]"
			probs = append(probs, problem{Field: f, Message: f + " must be a UUID"})
		}
	}
	return probs
}

// aptlyBulkResend serves POST /v1/user/bulk-resend-invite.
//
// Results come in the order of userIds, one per id, keyed by the user's
// email as documented. Only a user whose status is INVITED gets a new
// invite ("Invitation resent successfully", the documented message); the
// per-item failures, undocumented, are "User not found" for an id that
// names no user of the tenant (with an empty email) and "User is not in
// INVITED status". HTTP 201 with "statusCode": 200, as bulk-invite.
func (s *Server) aptlyBulkResend(c *call) reply {
	var req aptlyResendRequest
	if rep, ok := s.decode(serviceAptly, c, &req); !ok {
		return rep
	}
	probs := append(aptlyCheckTenant(req.TenantID), aptlyCheckUserIDs(req.UserIDs)...)
	if len(probs) > 0 {
		return s.badRequest(serviceAptly, c.now, probs)
	}
	data := aptlyBulkData{Total: len(req.UserIDs), Results: make([]aptlyBulkResult, len(req.UserIDs))}
	s.mu.Lock()
	for i, id := range req.UserIDs {
		r := &data.Results[i]
		u, _ := parseUUID(id)
		rec := s.st.aptlyByID[u]
		switch {
		case rec == nil || rec.tenant != req.TenantID:
			r.Message = "User not found"
		case rec.status != aptlyInvited:
			r.Email, r.Message = rec.email, "User is not in INVITED status"
		default:
			rec.mutable().resends++
			r.Email, r.Success, r.Message = rec.email, true, "Invitation resent successfully"
			data.Successful++
		}
	}
	s.mu.Unlock()
	data.Failed = data.Total - data.Successful
	return s.aptlySuccess(c.now, data)
}

// aptlyBulkStatus serves PATCH /v1/user/bulk-status-update.
//
// Every id that names a user of any tenant gets the status and counts as
// successful (setting the status a user already has too); an unknown id
// counts as failed. The documents show no per-item results, so there are
// none. An empty userIds is refused with 400, as bulk-resend-invite
// documents for its own. HTTP 200, "statusCode": 200.
func (s *Server) aptlyBulkStatus(c *call) reply {
	var req aptlyStatusRequest
	if rep, ok := s.decode(serviceAptly, c, &req); !ok {
		return rep
	}
	probs := aptlyCheckUserIDs(req.UserIDs)
	status, ok := parseAptlyStatus(req.Status)
	switch {
	case req.Status == "":
		probs = append(probs, problem{Field: "status", Message: "status should not be empty"})
	case !ok:
		probs = append(probs, problem{Field: "status", Message: aptlyStatusProblem})
	}
	if len(probs) > 0 {
		return s.badRequest(serviceAptly, c.now, probs)
	}
	data := aptlyCounts{Total: len(req.UserIDs)}
	nowMs := c.now.UnixMilli()
	s.mu.Lock()
	for _, id := range req.UserIDs {
		u, _ := parseUUID(id)
		if rec := s.st.aptlyByID[u]; rec != nil {
			rec.status = status
			rec.mutable().updatedMs = nowMs
			data.Successful++
		}
	}
	s.mu.Unlock()
	data.Failed = data.Total - data.Successful
	return s.aptlyReply(http.StatusOK, c.now, data)
}

// aptlyBulkDelete serves DELETE /v1/user/bulk-delete, whose JSON body
// {"userIds": [...]} is read as on any other method.
//
// The users are removed from their tenants (a hard delete: they leave the
// list, and their email can be invited again). deletedCount counts the
// users removed: an unknown id, or one repeated, adds nothing. The body
// takes userIds only; an empty one is refused with 400. HTTP 200,
// "statusCode": 200.
func (s *Server) aptlyBulkDelete(c *call) reply {
	var req aptlyDeleteRequest
	if rep, ok := s.decode(serviceAptly, c, &req); !ok {
		return rep
	}
	if probs := aptlyCheckUserIDs(req.UserIDs); len(probs) > 0 {
		return s.badRequest(serviceAptly, c.now, probs)
	}
	gone := make(map[*aptlyRec]bool, len(req.UserIDs))
	s.mu.Lock()
	for _, id := range req.UserIDs {
		u, _ := parseUUID(id)
		if rec := s.st.aptlyByID[u]; rec != nil {
			gone[rec] = true
		}
	}
	s.st.removeAptly(gone)
	s.mu.Unlock()
	return s.aptlyReply(http.StatusOK, c.now, aptlyDeleteData{DeletedCount: len(gone)})
}

// removeAptly deletes users from every index. The caller holds s.mu.
func (st *state) removeAptly(gone map[*aptlyRec]bool) {
	if len(gone) == 0 {
		return
	}
	isGone := func(rec *aptlyRec) bool { return gone[rec] }
	st.aptlyOrder = slices.DeleteFunc(st.aptlyOrder, isGone)
	tenants := make(map[*aptlyTenant]bool)
	for rec := range gone {
		delete(st.aptlyByID, rec.id)
		t := st.aptlyTenants[rec.tenant]
		delete(t.byEmail, emailKey(rec.email))
		tenants[t] = true
	}
	for t := range tenants {
		t.users = slices.DeleteFunc(t.users, isGone)
	}
}

// aptlyUpdateRequest is the body of PATCH /v1/user/update-entities/{id}.
// Every field is optional; an absent or null one leaves the user unchanged.
type aptlyUpdateRequest struct {
	TenantID         *string        `json:"tenantId"`
	ManagerID        *string        `json:"managerId"`
	RoleIDs          []string       `json:"roleIds"`
	PositionIDs      []string       `json:"positionIds"`
	Groups           []aptlyGroupIn `json:"groups"`
	Email            *string        `json:"email"`
	Name             *string        `json:"name"`
	DisplayName      *string        `json:"displayName"`
	FirstName        *string        `json:"firstName"`
	LastName         *string        `json:"lastName"`
	AccountType      *string        `json:"accountType"`
	UserType         *string        `json:"userType"`
	EmployeeID       *string        `json:"employeeId"`
	EmployeeNumber   *string        `json:"employeeNumber"`
	EmployeeType     *string        `json:"employeeType"`
	EmploymentType   *string        `json:"employmentType"`
	MobilePhone      *string        `json:"mobilePhone"`
	ProfileImageURL  *string        `json:"profileImageUrl"`
	CurrencyCode     *string        `json:"currencyCode"`
	CurrencyName     *string        `json:"currencyName"`
	Status           *string        `json:"status"`
	DateFormat       *string        `json:"dateFormat"`
	SourceID         *string        `json:"sourceId"`
	ActorType        *string        `json:"actorType"`
	AIAgentType      *string        `json:"aiAgentType"`
	StartDate        *string        `json:"startDate"`
	TerminationDate  *string        `json:"terminationDate"`
	CustomAttributes map[string]any `json:"customAttributes"`
}

// aptlyPhone is the documented pattern of mobilePhone in update-entities.
var aptlyPhone = regexp.MustCompile(`^[+()0-9.\s-]{7,25}$`)

// validate returns every problem with r, in the documents' limits: string
// lengths in characters, the phone pattern, the status values, uuids, ISO
// dates, and non-empty names and email where sent (as create requires
// them).
func (r *aptlyUpdateRequest) validate() []problem {
	var probs []problem
	add := func(field, msg string) { probs = append(probs, problem{Field: field, Message: field + " " + msg}) }
	maxLen := func(field string, v *string, n int) {
		if v != nil && utf8.RuneCountInString(*v) > n {
			add(field, "must be shorter than or equal to "+strconv.Itoa(n)+" characters")
		}
	}
	notBlank := func(field string, v *string) {
		if v != nil && isBlank(*v) {
			add(field, "should not be empty")
		}
	}
	if r.TenantID != nil && !validUUID(*r.TenantID) {
		add("tenantId", "must be a UUID")
	}
	manager := ""
	if r.ManagerID != nil {
		manager = *r.ManagerID
	}
	probs = append(probs, aptlyCheckLinks("", r.RoleIDs, r.Groups, manager, r.PositionIDs)...)
	if r.Email != nil && !validEmail(*r.Email) {
		add("email", "must be an email")
	}
	notBlank("firstName", r.FirstName)
	notBlank("lastName", r.LastName)
	maxLen("name", r.Name, 50)
	maxLen("displayName", r.DisplayName, 50)
	maxLen("firstName", r.FirstName, 50)
	maxLen("lastName", r.LastName, 20)
	maxLen("accountType", r.AccountType, 20)
	maxLen("userType", r.UserType, 20)
	maxLen("employeeType", r.EmployeeType, 20)
	maxLen("employmentType", r.EmploymentType, 20)
	maxLen("profileImageUrl", r.ProfileImageURL, 50)
	maxLen("sourceId", r.SourceID, 100)
	maxLen("actorType", r.ActorType, 50)
	maxLen("aiAgentType", r.AIAgentType, 50)
	if r.MobilePhone != nil && !aptlyPhone.MatchString(*r.MobilePhone) {
		add("mobilePhone", "must match /^[+()0-9.\\s-]{7,25}$/ regular expression")
	}
	if r.Status != nil {
		if _, ok := parseAptlyStatus(*r.Status); !ok {
			probs = append(probs, problem{Field: "status", Message: aptlyStatusProblem})
		}
	}
	if r.StartDate != nil && !validISODate(*r.StartDate) {
		add("startDate", "must be a valid ISO 8601 date string")
	}
	if r.TerminationDate != nil && !validISODate(*r.TerminationDate) {
		add("terminationDate", "must be a valid ISO 8601 date string")
	}
	return probs
}

// aptlyUpdateEntities serves PATCH /v1/user/update-entities/{id}.
//
// Assumptions, the documents giving neither required flags nor errors: {id}
// is the user's uuid ("id"), every body field is optional, and an absent or
// null field leaves the user unchanged; roleIds, positionIds, groups and
// customAttributes replace what the user had. A tenantId other than the
// user's, or an id that names no user, is 404 "User not found"; an email
// another user of the tenant has is 409 "Email already exists"; a
// managerId that names no user of the tenant is 404 "Manager not found".
// The answer is the updated user, HTTP 200 with "statusCode": 200; the
// fields the 2026 render adds (displayName, employeeNumber, ...) appear once
// set.
func (s *Server) aptlyUpdateEntities(c *call) reply {
	id, ok := parseUUID(c.params["id"])
	if !ok {
		return s.badRequest(serviceAptly, c.now, []problem{{Field: "id", Message: "id must be a UUID"}})
	}
	var req aptlyUpdateRequest
	if rep, ok := s.decode(serviceAptly, c, &req); !ok {
		return rep
	}
	if probs := req.validate(); len(probs) > 0 {
		return s.badRequest(serviceAptly, c.now, probs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.st.aptlyByID[id]
	if rec == nil || req.TenantID != nil && *req.TenantID != rec.tenant {
		return s.errorReply(serviceAptly, http.StatusNotFound, "User not found", c.now)
	}
	t := s.st.aptlyTenants[rec.tenant]
	if req.Email != nil {
		if other := t.byEmail[emailKey(*req.Email)]; other != nil && other != rec {
			return s.errorReply(serviceAptly, http.StatusConflict, "Email already exists", c.now)
		}
	}
	if req.ManagerID != nil && *req.ManagerID != "" {
		mid, _ := parseUUID(*req.ManagerID)
		if m := s.st.aptlyByID[mid]; m == nil || m.tenant != rec.tenant {
			return s.errorReply(serviceAptly, http.StatusNotFound, "Manager not found", c.now)
		}
	}
	s.st.updateAptly(t, rec, &req, c.now)
	return s.aptlyReply(http.StatusOK, c.now, s.aptlyRender(rec))
}

// updateAptly applies a validated update-entities body. The caller holds
// s.mu and has checked the email and manager.
func (st *state) updateAptly(t *aptlyTenant, rec *aptlyRec, req *aptlyUpdateRequest, now time.Time) {
	if req.Email != nil {
		delete(t.byEmail, emailKey(rec.email))
		rec.email = *req.Email
		t.byEmail[emailKey(rec.email)] = rec
	}
	setIf(&rec.first, req.FirstName)
	setIf(&rec.last, req.LastName)
	if req.Status != nil {
		rec.status, _ = parseAptlyStatus(*req.Status)
	}
	x := rec.mutable()
	x.updatedMs = now.UnixMilli()
	setIf(&x.managerID, req.ManagerID)
	setIf(&x.display, req.DisplayName)
	setIf(&x.phone, req.MobilePhone)
	setIf(&x.employeeID, req.EmployeeID)
	setIf(&x.employeeType, req.EmployeeType)
	if req.RoleIDs != nil {
		x.roleIDs = slices.Clone(req.RoleIDs)
	}
	if req.PositionIDs != nil {
		x.positionIDs = slices.Clone(req.PositionIDs)
	}
	if req.Groups != nil {
		x.groups = aptlyGroups(req.Groups)
	}
	if x.profile == nil {
		x.profile = &aptlyProfile{}
	}
	p := x.profile
	p.name = orOld(req.Name, p.name)
	p.accountType = orOld(req.AccountType, p.accountType)
	p.userType = orOld(req.UserType, p.userType)
	p.profileImageURL = orOld(req.ProfileImageURL, p.profileImageURL)
	p.currencyCode = orOld(req.CurrencyCode, p.currencyCode)
	p.currencyName = orOld(req.CurrencyName, p.currencyName)
	p.dateFormat = orOld(req.DateFormat, p.dateFormat)
	v := &p.v2026
	v.EmployeeNumber = orOld(req.EmployeeNumber, v.EmployeeNumber)
	v.EmploymentType = orOld(req.EmploymentType, v.EmploymentType)
	v.SourceID = orOld(req.SourceID, v.SourceID)
	v.ActorType = orOld(req.ActorType, v.ActorType)
	v.AIAgentType = orOld(req.AIAgentType, v.AIAgentType)
	v.StartDate = orOld(req.StartDate, v.StartDate)
	v.TerminationDate = orOld(req.TerminationDate, v.TerminationDate)
	if req.CustomAttributes != nil {
		v.CustomAttributes = req.CustomAttributes
	}
}

// AcceptAptlyInvite accepts the pending invite of the user with email in an
// Aptly tenant (letter case ignored), as the person would by following the
// emailed link: the user's status goes from INVITED to ACTIVE, and
// bulk-resend-invite no longer resends to them. It returns an error if the
// tenant has no such user or the user's status is not INVITED.
func (s *Server) AcceptAptlyInvite(tenantID, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rec *aptlyRec
	if t := s.st.aptlyTenants[tenantID]; t != nil {
		rec = t.byEmail[emailKey(email)]
	}
	switch {
	case rec == nil:
		return errors.New("onboardtest: AcceptAptlyInvite: the tenant has no user with that email")
	case rec.status != aptlyInvited:
		return errors.New("onboardtest: AcceptAptlyInvite: the user's status is " + rec.status.String() + ", not INVITED")
	}
	rec.status = aptlyActive
	rec.mutable().updatedMs = s.now().UnixMilli()
	return nil
}

// AddAptlyInvite stores a user with a pending invite (status INVITED) in an
// Aptly tenant, as if invited earlier, and returns its id. If the tenant
// already has a user with that email, nothing changes and that user's id
// is returned.
func (s *Server) AddAptlyInvite(tenantID, email, firstName, lastName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.aptlyTenant(tenantID)
	if rec := t.byEmail[emailKey(email)]; rec != nil {
		return rec.id.String()
	}
	rec := &aptlyRec{
		tenant:    tenantID,
		email:     email,
		first:     firstName,
		last:      lastName,
		status:    aptlyInvited,
		createdMs: s.now().UnixMilli(),
		createdBy: derivedUUID("aptly-seed"),
	}
	s.st.addAptly(t, rec)
	return rec.id.String()
}
