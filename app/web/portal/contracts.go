package portal

import (
	"context"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/provider"
	"maintenant/app/scheduling"
	"maintenant/app/sla"
	"maintenant/app/web"
)

const contractsPath = "/portal/contracts"

// Catalogue keys of the portal's notice problems.
const (
	errNoticeConfirm    = "portal.contracts.notice.confirm_required"
	errNoticeChanged    = "portal.contracts.notice.changed"
	errNoticeGiven      = "portal.contracts.notice.already_given"
	errNoticeNotRunning = "portal.contracts.notice.not_running"
)

// contractDate is a contract date for display (see web.CivilDate).
type contractDate = web.CivilDate

// contractCard is a contract with its dates as the client reads them: in the list, on the home and
// at the top of the contract's page.
type contractCard struct {
	C *contracts.Contract
	T *contracts.Version
	// Start is the first day; Started tells whether it has come.
	Start   *contractDate
	Started bool
	// The current period, while the contract runs.
	PeriodStart, PeriodEnd *contractDate
	Period                 int
	// NextRenewal is the next tacit renewal; NoticeDeadline the last day to give notice against it.
	// When that day has passed, NoticeNext is the last day to give notice against the renewal after,
	// which ends the contract on NoticeNextEnd.
	NextRenewal, NoticeDeadline, NoticeNext *contractDate
	NoticeNextEnd                           time.Time
	// EndDate is the last day: set by a notice, or the end of a contract that does not renew.
	EndDate *contractDate
	// OverOn is when a terminated or expired contract stopped.
	OverOn time.Time
	// Next is the date to watch first (Schedule.Next), for the home.
	NextLabel string
	Next      *contractDate
}

// NoticePassed tells whether the last day to give notice against the next renewal has passed.
func (cc contractCard) NoticePassed() bool {
	return cc.NoticeDeadline != nil && cc.NoticeDeadline.Days < 0
}

// newContractCard computes the dates of a contract on day today.
func (h *handler) newContractCard(ct *contracts.Contract, today time.Time) contractCard {
	cc := contractCard{C: ct, T: ct.Terms}
	if ct.Terms == nil {
		return cc
	}
	s := ct.Schedule(today)
	cc.Start, cc.Started = h.CivilDate(s.Start, today), s.Started()
	if ct.Status.IsOver() {
		cc.OverOn = ct.StatusChangedAt
		return cc
	}
	cc.PeriodStart, cc.PeriodEnd, cc.Period = h.CivilDate(s.PeriodStart, today), h.CivilDate(s.PeriodEnd, today), s.Period
	cc.NextRenewal, cc.NoticeDeadline = h.CivilDate(s.NextRenewal, today), h.CivilDate(s.NoticeDeadline, today)
	cc.EndDate = h.CivilDate(s.EndDate, today)
	if s.Renews() && s.NoticeDeadline.Before(today) {
		// The schedule as seen on the renewal day gives the deadline of the period after it.
		after := contracts.Deadlines(ct.Terms.Dates(), time.Time{}, s.NextRenewal)
		cc.NoticeNext, cc.NoticeNextEnd = h.CivilDate(after.NoticeDeadline, today), h.Noon(after.PeriodEnd)
	}
	if next, ok := s.Next(); ok {
		cc.NextLabel, cc.Next = next.Label(), h.CivilDate(next.On, today)
	}
	return cc
}

// contractListPage is the view model of the portal's list of contracts.
type contractListPage struct {
	web.Page
	Cards []contractCard
	Org   *provider.Organisation
}

// handleContractIndex handles the "GET /portal/contracts" route: the client's contracts, running
// ones first, with their status, services, period, next renewal and last day to give notice.
func (h *handler) handleContractIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cs, err := contracts.ListByClient(ctx, h.DB.Bun, web.ClientID(c))
	if err != nil {
		return err
	}
	org, err := provider.Get(ctx, h.DB.Bun)
	if err != nil {
		return err
	}
	today := h.Today()
	p := &contractListPage{Page: h.NewPage(c, "portal.contracts.title"), Org: org}
	for _, ct := range cs {
		p.Cards = append(p.Cards, h.newContractCard(ct, today))
	}
	return h.Render(c, fiber.StatusOK, "portal/contracts/index", p)
}

// runningContractCards returns the client's active and suspended contracts with their next
// deadline, for the home.
func (h *handler) runningContractCards(ctx context.Context, clientID uuid.UUID) ([]contractCard, error) {
	cs, err := contracts.ListByClient(ctx, h.DB.Bun, clientID)
	if err != nil {
		return nil, err
	}
	today := h.Today()
	var out []contractCard
	for _, ct := range cs {
		if ct.Status.IsRunning() {
			out = append(out, h.newContractCard(ct, today))
		}
	}
	return out, nil
}

// contractShowPage is the view model of a contract's page in the portal.
type contractShowPage struct {
	web.Page
	contractCard
	Org *provider.Organisation
	// TermsLater is set when the terms shown (the latest amendment) apply only from a later day.
	TermsLater    bool
	TermsFrom     time.Time
	InitialEnd    time.Time
	IncludedHours string
	// HoursUsed is the included hours used this month and the months before (none when the
	// contract includes no hours).
	HoursUsed []web.HoursUsage
	// Visits are the contract's next preventive visits, the last ones done and its plan (visits.go).
	Visits *visitsBlock
	// MonthlyFee is the fee brought to one month, the base of the penalty.
	MonthlyFee int64
	// The service level.
	Policy          *contracts.SLAPolicy
	Hours           []contractHoursRow
	AlwaysOpen      bool
	Holidays        string
	Closures        []time.Time
	Targets         []contractTargetRow
	Penalty         string
	PenaltyExample  string
	History         []contractVersionView
	PDFURL          string
	NoticeGivenAt   time.Time
	NoticeOffered   bool
	CanGiveNotice   bool
	NoticeOpen      bool
	Preview         *contractNoticeView
	AdminNames      string
	HasRenewal      bool
	NoticeMonthsTxt string
}

// contractHoursRow is a run of weekdays with the same service hours ("Lundi – Vendredi").
type contractHoursRow struct {
	Days   string
	Hours  []string
	Closed bool
	AllDay bool
}

// contractTargetRow is what one priority means and how fast it is handled, in plain words.
type contractTargetRow struct {
	Priority string
	Title    string
	Example  string
	Line     string
}

// contractNoticeView is what termination notice given today would do, in words.
type contractNoticeView struct {
	EndsOn   time.Time
	Headline string
	Detail   string
	TooLate  bool
	// Value is the end date as the form sends it back, to notice a change in between.
	Value string
}

// contractVersionView is one version in the history, with what changed from the previous one.
type contractVersionView struct {
	V             *contracts.Version
	EffectiveFrom time.Time
	Changes       []contractChangeView
}

// contractChangeView is a changed term written for people: its values before and after, or for the
// list of services, what was added and what was removed.
type contractChangeView struct {
	Field          string
	Before, After  []string
	Long           bool
	List           bool
	Added, Removed []string
}

// contractShowData builds a contract's page for the session's client: another client's contract is
// NotFound.
func (h *handler) contractShowData(c *fiber.Ctx, id uuid.UUID) (*contractShowPage, error) {
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	ct, err := contracts.GetForClient(ctx, h.DB.Bun, clientID, id)
	if err != nil {
		return nil, err
	}
	org, err := provider.Get(ctx, h.DB.Bun)
	if err != nil {
		return nil, err
	}
	today := h.Today()
	v := ct.Terms
	p := &contractShowPage{Page: h.NewPage(c, "portal.contracts.title"), contractCard: h.newContractCard(ct, today), Org: org}
	p.Title = v.Title + " · " + ct.Reference
	p.PDFURL = contractsPath + "/" + ct.ID.String() + ".pdf"
	if v.EffectiveFrom.After(today) && v.IsAmendment() {
		p.TermsLater, p.TermsFrom = true, h.Noon(v.EffectiveFrom)
	}
	p.InitialEnd = h.Noon(contracts.AddMonths(v.StartDate, v.InitialMonths).AddDate(0, 0, -1))
	p.IncludedHours = h.IncludedHoursText(c, v.IncludedMinutes)
	if p.Visits, err = h.visits(c, ct, "contract-visits", scheduling.Cursor{}, scheduling.Cursor{}); err != nil {
		return nil, err
	}
	if p.HoursUsed, err = h.ContractHours(c, h.DB.Bun, ct); err != nil {
		return nil, err
	}
	p.MonthlyFee = roundDiv(v.FeeCents, int64(v.BillingPeriod.Months()))
	p.HasRenewal = v.RenewalMonths > 0
	p.NoticeMonthsTxt = h.T(c, "contract.months", "Count", v.NoticeMonths)
	if ct.NoticeGiven() {
		p.NoticeGivenAt = ct.NoticeGivenAt.Time
	}

	if v.SLAPolicyID.Valid {
		pol, err := contracts.GetSLAPolicy(ctx, h.DB.Bun, v.SLAPolicyID.UUID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
		case err != nil:
			return nil, err
		default:
			h.describePolicy(c, p, pol, v, today)
		}
	}

	if ct.Status.IsRunning() && !ct.NoticeGiven() {
		p.NoticeOffered = true
		u := web.CurrentUser(c)
		p.CanGiveNotice = u.Role == accounts.Admin
		p.Preview = h.noticePreview(c, v, today)
		if !p.CanGiveNotice {
			users, err := accounts.ListClientUsers(ctx, h.DB.Bun, clientID)
			if err != nil {
				return nil, err
			}
			var names []string
			for _, cu := range users {
				if cu.Role == accounts.Admin && cu.Active {
					names = append(names, cu.Name)
				}
			}
			p.AdminNames = strings.Join(names, ", ")
		}
	}

	versions, err := contracts.Versions(ctx, h.DB.Bun, ct.ID)
	if err != nil {
		return nil, err
	}
	policyNames := map[string]string{}
	if len(versions) > 1 {
		for _, ver := range versions {
			if ver.SLAPolicyID.Valid {
				policyNames[ver.SLAPolicyID.UUID.String()] = ver.PolicyName
			}
		}
	}
	// The preventive plan is part of the terms; its changes are amendments too (app/scheduling).
	plans, err := contracts.Plans(ctx, h.DB.Bun, ct.ID, len(versions))
	if err != nil {
		return nil, err
	}
	planChanges := contracts.PlanChanges(plans)
	for i := len(versions) - 1; i >= 0; i-- {
		vv := contractVersionView{V: versions[i], EffectiveFrom: h.Noon(versions[i].EffectiveFrom)}
		if i > 0 {
			for _, ch := range contracts.Diff(versions[i-1], versions[i]) {
				vv.Changes = append(vv.Changes, h.contractChange(c, ch, policyNames))
			}
			if ch := planChanges[i]; ch != nil {
				vv.Changes = append(vv.Changes, h.contractChange(c, *ch, policyNames))
			}
		}
		p.History = append(p.History, vv)
	}
	return p, nil
}

// describePolicy writes the service level in plain words: opening hours per weekday, holidays,
// coming closures, what each priority means and how fast it is handled, and the penalty.
func (h *handler) describePolicy(c *fiber.Ctx, p *contractShowPage, pol *contracts.SLAPolicy, v *contracts.Version, today time.Time) {
	lang := web.Lang(c)
	p.Policy = pol

	// Opening hours: consecutive weekdays with the same hours grouped, closed days included.
	open := 0
	for i := 0; i < len(contracts.SLAWeekdays); {
		day := contracts.SLAWeekdays[i]
		j := i
		for j+1 < len(contracts.SLAWeekdays) && slices.Equal(pol.Hours[contracts.SLAWeekdays[j+1]], pol.Hours[day]) {
			j++
		}
		row := contractHoursRow{Days: h.T(c, "contract.weekday."+day), Closed: len(pol.Hours[day]) == 0}
		if j > i {
			row.Days = h.T(c, "contract.sla.days_range", "From", h.T(c, "contract.weekday."+day), "To", h.T(c, "contract.weekday."+contracts.SLAWeekdays[j]))
		}
		for _, span := range pol.Hours[day] {
			row.Hours = append(row.Hours, strings.Replace(span, "-", "\u2013", 1))
		}
		row.AllDay = len(pol.Hours[day]) == 1 && pol.Hours[day][0] == "00:00-24:00"
		if row.AllDay {
			open += j - i + 1
		}
		p.Hours = append(p.Hours, row)
		i = j + 1
	}
	p.AlwaysOpen = open == 7 && !pol.FrenchHolidays && len(pol.Closures) == 0
	switch {
	case pol.FrenchHolidays && pol.AlsaceMoselle:
		p.Holidays = "portal.contracts.hours.holidays_alsace"
	case pol.FrenchHolidays:
		p.Holidays = "portal.contracts.hours.holidays_closed"
	default:
		p.Holidays = "portal.contracts.hours.holidays_open"
	}
	for _, d := range pol.Closures {
		if !contracts.Day(d).Before(today) && len(p.Closures) < 10 {
			p.Closures = append(p.Closures, h.Noon(d))
		}
	}

	// What each priority means for this client: a website or an office.
	flavour := contractFlavour(v.Services)
	for _, pr := range sla.Priorities() {
		t, ok := pol.Targets[pr]
		if !ok {
			continue
		}
		key := pr.String() + "." + flavour
		p.Targets = append(p.Targets, contractTargetRow{
			Priority: h.T(c, "portal.contracts.priority_label", "Priority", strings.ToLower(h.T(c, "contract.priority."+pr.String()))),
			Title:    h.T(c, "portal.contracts.priority."+key),
			Example:  h.T(c, "portal.contracts.priority_example."+key),
			Line: h.T(c, "portal.contracts.target.reaction", "Time", i18n.Duration(t.Reaction()), "Count", businessCount(t.ReactionMinutes)) +
				h.T(c, "portal.contracts.target.separator") +
				h.T(c, "portal.contracts.target.resolution", "Time", i18n.Duration(t.Resolution()), "Count", businessCount(t.ResolutionMinutes)),
		})
	}

	if pol.PenaltyBPPerHour > 0 {
		args := []any{"Rate", contractPercent(pol.PenaltyBPPerHour, lang)}
		key := "contract.sla.penalty_uncapped"
		if pol.PenaltyCapBP > 0 {
			key = "contract.sla.penalty"
			args = append(args, "Cap", contractPercent(pol.PenaltyCapBP, lang))
		}
		p.Penalty = h.T(c, key, args...)
		if p.MonthlyFee > 0 {
			rule := pol.PenaltyRule()
			perHour := rule.Amount(p.MonthlyFee, []time.Duration{time.Hour})
			if pol.PenaltyCapBP > 0 {
				capAmount := roundDiv(p.MonthlyFee*int64(pol.PenaltyCapBP), 10000)
				p.PenaltyExample = h.T(c, "portal.contracts.penalty.example", "Fee", i18n.Money(lang, p.MonthlyFee),
					"PerHour", i18n.Money(lang, perHour), "Cap", i18n.Money(lang, capAmount))
			} else {
				p.PenaltyExample = h.T(c, "portal.contracts.penalty.example_uncapped", "Fee", i18n.Money(lang, p.MonthlyFee),
					"PerHour", i18n.Money(lang, perHour))
			}
		}
	}
}

// contractFlavour tells what the client mostly has maintained, to pick examples a client
// recognises: "web" (sites, shop, social networks), "office" (workstations, servers, licences) or
// "mixed" (both, or neither). Hosting, backups and other services go with either.
func contractFlavour(services []contracts.Service) string {
	web, office := false, false
	for _, s := range services {
		switch s.Kind {
		case contracts.ServiceWebsite, contracts.ServiceEcommerce, contracts.ServiceSocialNetwork:
			web = true
		case contracts.ServiceWorkstations, contracts.ServiceServers, contracts.ServiceSoftwareLicences:
			office = true
		}
	}
	switch {
	case web && !office:
		return "web"
	case office && !web:
		return "office"
	}
	return "mixed"
}

// businessCount is the plural count of a duration in words: "1 h ouvrée", "4 h ouvrées".
func businessCount(minutes int) int {
	if minutes == 1 || minutes == 60 {
		return 1
	}
	return 2
}

// roundDiv divides rounding half away from zero (amounts are never negative here).
func roundDiv(a, b int64) int64 {
	if b <= 0 {
		return 0
	}
	return (a + b/2) / b
}

// contractPercent writes basis points as a percentage: 150 → "1,5 %".
func contractPercent(bp int, lang i18n.Lang) string {
	s := new(big.Rat).SetFrac64(int64(bp), 100).FloatString(2)
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	if lang == i18n.FR {
		return strings.Replace(s, ".", ",", 1) + "\u00a0%"
	}
	return s + "%"
}

// noticePreview says what termination notice given today would do.
func (h *handler) noticePreview(c *fiber.Ctx, v *contracts.Version, today time.Time) *contractNoticeView {
	lang := web.Lang(c)
	n := v.Dates().NoticeEffect(today)
	date := func(t time.Time) string { return i18n.Date(lang, t) }
	pv := &contractNoticeView{EndsOn: h.Noon(n.EndsOn), TooLate: n.TooLate, Value: n.EndsOn.Format(time.DateOnly)}
	pv.Headline = h.T(c, "portal.contracts.notice.headline", "EndsOn", date(n.EndsOn))
	switch n.Reason {
	case contracts.NoticeInTime:
		pv.Detail = h.T(c, "portal.contracts.notice.in_time", "Deadline", date(n.Deadline))
	case contracts.NoticeTooLate:
		pv.Detail = h.T(c, "portal.contracts.notice.too_late", "PeriodEnd", date(n.Renewal.AddDate(0, 0, -1)),
			"Deadline", date(n.Deadline), "Notice", h.T(c, "contract.months", "Count", v.NoticeMonths),
			"Renewal", date(n.Renewal), "EndsOn", date(n.EndsOn))
	default:
		pv.Detail = h.T(c, "portal.contracts.notice.no_renewal")
	}
	return pv
}

// contractChange writes a change's values for people; a change of services lists what was added
// and removed.
func (h *handler) contractChange(c *fiber.Ctx, ch contracts.Change, policyNames map[string]string) contractChangeView {
	format := func(raw string) []string { return h.ContractChangeValue(c, ch.Kind, raw, policyNames) }
	if ch.Kind == contracts.ChangeServices {
		before, after := contracts.ParseServicesText(ch.Before), contracts.ParseServicesText(ch.After)
		v := contractChangeView{Field: ch.Field, List: true}
		line := func(sv contracts.Service) string { return h.ServiceText(c, sv) }
		for _, sv := range after {
			if !slices.Contains(before, sv) {
				v.Added = append(v.Added, line(sv))
			}
		}
		for _, sv := range before {
			if !slices.Contains(after, sv) {
				v.Removed = append(v.Removed, line(sv))
			}
		}
		return v
	}
	return contractChangeView{Field: ch.Field, Before: format(ch.Before), After: format(ch.After), Long: ch.Kind == contracts.ChangeText}
}

// handleContractShow handles the "GET /portal/contracts/:id" route: the contract in plain words,
// its dates, its service level, its amendments, and the termination notice.
func (h *handler) handleContractShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	p, err := h.contractShowData(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/contracts/show", p)
}

// contractShowAgain renders the contract's page with a problem of the notice form: a refusal (409)
// or a field to correct (422), the user's input kept.
func (h *handler) contractShowAgain(c *fiber.Ctx, id uuid.UUID, err error, form map[string]string) error {
	e, ok := apperr.As(err)
	if !ok || (e.Kind != apperr.Invalid && e.Kind != apperr.Conflict) {
		return err
	}
	p, perr := h.contractShowData(c, id)
	if perr != nil {
		return perr
	}
	p.Form, p.NoticeOpen = form, true
	status := fiber.StatusConflict
	if e.Kind == apperr.Invalid {
		status = fiber.StatusUnprocessableEntity
		p.Errors = e.Fields
		if len(p.Errors) == 0 {
			p.Message = e.Message
		}
	} else {
		switch e.Message {
		case contracts.ErrNoticeGiven:
			p.Message = errNoticeGiven
		case contracts.ErrNoticeNotRunning:
			p.Message = errNoticeNotRunning
		default:
			p.Message = e.Message
		}
	}
	return h.Render(c, status, "portal/contracts/show", p)
}

// handleContractNotice handles the "POST /portal/contracts/:id/notice" route: a client admin gives
// termination notice. The end date follows from the notice period; the provider's managers are
// told by mail and the admin gets a confirmation, in the same transaction as the notice and its
// audit entry.
func (h *handler) handleContractNotice(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	ct, err := contracts.GetForClient(ctx, h.DB.Bun, clientID, id)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	if u.Role != accounts.Admin {
		// Only a client admin may end a contract; the attempt is logged like any refused access.
		if err := audit.Write(ctx, h.DB.Bun, h.Now(), web.Actor(c), audit.Event{
			Action: audit.AccessDenied, TargetType: "contract", TargetID: id.String(), ClientID: clientID,
			Details: map[string]any{"reference": ct.Reference, "action": "notice"},
		}); err != nil {
			return err
		}
		return apperr.Forbiddenf("error.forbidden")
	}
	reason := c.FormValue("reason")
	form := map[string]string{"reason": reason, "confirm": c.FormValue("confirm")}
	switch {
	case ct.NoticeGiven():
		return h.contractShowAgain(c, id, apperr.Conflictf(contracts.ErrNoticeGiven), form)
	case !ct.Status.IsRunning():
		return h.contractShowAgain(c, id, apperr.Conflictf(contracts.ErrNoticeNotRunning), form)
	case c.FormValue("confirm") != "yes":
		return h.contractShowAgain(c, id, apperr.Fields{"confirm": errNoticeConfirm}.Err(), form)
	}
	expected := c.FormValue("ends_on")
	today := h.Today()
	var after *contracts.Contract
	var n contracts.Notice
	err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		after, n, err = contracts.RecordNotice(ctx, tx, id, u.ID, u.Name, reason, h.Now(), today)
		if err != nil {
			return err
		}
		if expected != "" && expected != n.EndsOn.Format(time.DateOnly) {
			return apperr.Conflictf(errNoticeChanged)
		}
		if err := audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.ContractNoticeRecorded, TargetType: "contract", TargetID: id.String(), ClientID: after.ClientID,
			Details: map[string]any{"reference": after.Reference, "ends_on": n.EndsOn.Format(time.DateOnly),
				"too_late": n.TooLate, "from": "portal"},
		}); err != nil {
			return err
		}
		return h.mailNotice(ctx, tx, u, after, n)
	})
	if err != nil {
		if apperr.KindOf(err) == apperr.Invalid {
			if msg, ok := apperr.FieldsOf(err)["reason"]; ok {
				err = apperr.Fields{"reason": msg}.Err()
			}
		}
		return h.contractShowAgain(c, id, err, form)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "portal.contracts.flash.notice", "Reference", after.Reference,
		"EndsOn", i18n.Date(web.Lang(c), n.EndsOn)))
	return h.Redirect(c, contractsPath+"/"+id.String())
}

// mailNotice tells every active manager that a client gave notice, and confirms it to the client
// admin who gave it, within tx. Each mail carries a dedupe key: one mail per notice and recipient.
func (h *handler) mailNotice(ctx context.Context, tx *database.Tx, by *accounts.User, ct *contracts.Contract, n contracts.Notice) error {
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return err
	}
	managers, err := accounts.ActiveManagers(ctx, tx)
	if err != nil {
		return err
	}
	data := func() map[string]any {
		return map[string]any{
			"Reference": ct.Reference, "Title": ct.Terms.Title, "ClientName": ct.ClientName, "By": by.Name,
			"GivenAt": ct.NoticeGivenAt.Time, "EndsOn": h.Noon(n.EndsOn), "TooLate": n.TooLate,
			"Renewal": h.Noon(n.Renewal), "Reason": ct.NoticeReason, "OrgName": org.Name,
			"BaseURL": h.Config.BaseURL.String(),
		}
	}
	for _, m := range managers {
		d := data()
		d["Name"], d["Link"] = m.Name, h.Config.URL("/admin/contracts/"+ct.ID.String())
		if err := h.SendMailOnce(ctx, tx, m, "contract_notice", d, "contract-notice:"+ct.ID.String()+":"+m.ID.String()); err != nil {
			return err
		}
	}
	d := data()
	d["Name"], d["Link"] = by.Name, h.Config.URL(contractsPath+"/"+ct.ID.String())
	return h.SendMailOnce(ctx, tx, by, "contract_notice_ack", d, "contract-notice-ack:"+ct.ID.String())
}
