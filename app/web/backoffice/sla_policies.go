package backoffice

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/sla"
	"maintenant/app/web"
)

// slaPoliciesPath is the list of SLA policies, under the settings.
const slaPoliciesPath = "/admin/settings/sla"

// slaPolicyListPage is the view model of the SLA policy list.
type slaPolicyListPage struct {
	web.Page
	WithArchived bool
	Rows         []slaPolicyRow
}

// slaPolicyRow is one policy of the list with what the list says about it.
type slaPolicyRow struct {
	Policy    *contracts.SLAPolicy
	Hours     []contracts.SLAHoursGroup
	Targets   []slaTargetCell
	Contracts int
}

// slaTargetCell is the pair of targets of one priority.
type slaTargetCell struct {
	Priority   string
	Reaction   time.Duration
	Resolution time.Duration
}

// handleSLAPolicyIndex handles the "GET /admin/settings/sla" route: the reusable service levels,
// active ones only unless the archived ones are asked for.
func (h *handler) handleSLAPolicyIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	withArchived := c.Query("archived") == "1"
	ps, err := contracts.ListSLAPolicies(ctx, h.DB.Bun, withArchived)
	if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	counts, err := contracts.CountContractsUsingSLAPolicies(ctx, h.DB.Bun, ids)
	if err != nil {
		return err
	}
	page := &slaPolicyListPage{Page: h.NewPage(c, "sla.title"), WithArchived: withArchived}
	for _, p := range ps {
		row := slaPolicyRow{Policy: p, Hours: p.HoursGroups(), Contracts: counts[p.ID]}
		for _, pr := range sla.Priorities() {
			t := p.Targets[pr]
			row.Targets = append(row.Targets, slaTargetCell{Priority: pr.String(), Reaction: t.Reaction(), Resolution: t.Resolution()})
		}
		page.Rows = append(page.Rows, row)
	}
	return h.Render(c, fiber.StatusOK, "backoffice/sla/index", page)
}

// slaPolicyFormPage is the view model of the SLA policy form, to create a policy or edit one.
type slaPolicyFormPage struct {
	web.Page
	// Policy is the saved policy being edited; nil on the creation form.
	Policy     *contracts.SLAPolicy
	Action     string
	Version    int
	Days       []string
	Priorities []string
	Contracts  int
	Explain    *slaExplanation
}

// handleSLAPolicyNew handles the "GET /admin/settings/sla/new" route: the form with the usual office
// hours and targets filled in as a starting point.
func (h *handler) handleSLAPolicyNew(c *fiber.Ctx) error {
	p := &contracts.SLAPolicy{
		Hours:          map[string][]string{},
		FrenchHolidays: true,
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 4 * 60},
			sla.High:     {ReactionMinutes: 2 * 60, ResolutionMinutes: 8 * 60},
			sla.Normal:   {ReactionMinutes: 4 * 60, ResolutionMinutes: 16 * 60},
			sla.Low:      {ReactionMinutes: 8 * 60, ResolutionMinutes: 40 * 60},
		},
	}
	for _, day := range contracts.SLAWeekdays[:5] {
		p.Hours[day] = []string{"09:00-12:30", "13:30-18:00"}
	}
	page := h.newSLAPolicyFormPage(c, nil)
	page.Form = slaPolicyFormValues(p, web.Lang(c))
	return h.Render(c, fiber.StatusOK, "backoffice/sla/new", page)
}

// handleSLAPolicyCreate handles the "POST /admin/settings/sla" route.
func (h *handler) handleSLAPolicyCreate(c *fiber.Ctx) error {
	p, form, problems := readSLAPolicyForm(c)
	err := problems.Err()
	if err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			if err := contracts.CreateSLAPolicy(ctx, tx, p, h.Now()); err != nil {
				return err
			}
			return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
				Action: audit.SLAPolicyCreated, TargetType: "sla_policy", TargetID: p.ID.String(),
				Details: map[string]any{"name": p.Name},
			})
		})
	}
	if apperr.KindOf(err) == apperr.Invalid {
		page := h.newSLAPolicyFormPage(c, nil)
		_ = web.FormError(&page.Page, err, form)
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/sla/new", page)
	}
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "sla.flash.created", "Name", p.Name))
	return h.Redirect(c, slaPoliciesPath+"/"+p.ID.String())
}

// handleSLAPolicyEdit handles the "GET /admin/settings/sla/:id" route: the policy's form, and below
// it what the saved policy means in practice.
func (h *handler) handleSLAPolicyEdit(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	saved, err := contracts.GetSLAPolicy(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	page, err := h.slaPolicyEditPage(c, saved)
	if err != nil {
		return err
	}
	page.Form = slaPolicyFormValues(saved, web.Lang(c))
	return h.Render(c, fiber.StatusOK, "backoffice/sla/edit", page)
}

// handleSLAPolicyUpdate handles the "POST /admin/settings/sla/:id" route. The form carries the
// version it was read at: a save over someone else's change gets 409 and the form as typed again.
func (h *handler) handleSLAPolicyUpdate(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := contracts.GetSLAPolicy(ctx, h.DB.Bun, id); err != nil {
		return err
	}
	p, form, problems := readSLAPolicyForm(c)
	p.ID = id
	err = problems.Err()
	if err == nil {
		err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			old, err := contracts.GetSLAPolicy(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := contracts.UpdateSLAPolicy(ctx, tx, p, h.Now()); err != nil {
				return err
			}
			return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
				Action: audit.SLAPolicyUpdated, TargetType: "sla_policy", TargetID: p.ID.String(),
				Details: map[string]any{"name": p.Name, "version": p.Version, "changed": contracts.SLAPolicyChanges(old, p)},
			})
		})
	}
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		saved, gerr := contracts.GetSLAPolicy(ctx, h.DB.Bun, id)
		if gerr != nil {
			return gerr
		}
		page, perr := h.slaPolicyEditPage(c, saved)
		if perr != nil {
			return perr
		}
		status := fiber.StatusUnprocessableEntity
		if apperr.KindOf(err) == apperr.Conflict {
			// The next save, made knowingly, goes over the current version.
			status = fiber.StatusConflict
			page.Message = "error.stale"
			page.Form = form
		} else {
			_ = web.FormError(&page.Page, err, form)
			page.Version = p.Version
		}
		return h.Render(c, status, "backoffice/sla/edit", page)
	case apperr.Internal:
		if err != nil {
			return err
		}
	default:
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "sla.flash.updated", "Name", p.Name))
	return h.Redirect(c, slaPoliciesPath+"/"+p.ID.String())
}

// handleSLAPolicyArchive handles the "POST /admin/settings/sla/:id/archive" route.
func (h *handler) handleSLAPolicyArchive(c *fiber.Ctx) error {
	return h.setSLAPolicyArchived(c, true)
}

// handleSLAPolicyUnarchive handles the "POST /admin/settings/sla/:id/unarchive" route.
func (h *handler) handleSLAPolicyUnarchive(c *fiber.Ctx) error {
	return h.setSLAPolicyArchived(c, false)
}

func (h *handler) setSLAPolicyArchived(c *fiber.Ctx, archived bool) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	var p *contracts.SLAPolicy
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		action := audit.SLAPolicyArchived
		if archived {
			p, err = contracts.ArchiveSLAPolicy(ctx, tx, id, h.Now())
		} else {
			action = audit.SLAPolicyUnarchived
			p, err = contracts.UnarchiveSLAPolicy(ctx, tx, id, h.Now())
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: action, TargetType: "sla_policy", TargetID: p.ID.String(), Details: map[string]any{"name": p.Name},
		})
	})
	if err != nil {
		return err
	}
	if archived {
		h.SetFlash(c, web.FlashSuccess, h.T(c, "sla.flash.archived", "Name", p.Name))
		return h.Redirect(c, slaPoliciesPath)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "sla.flash.unarchived", "Name", p.Name))
	return h.Redirect(c, slaPoliciesPath+"/"+p.ID.String())
}

func (h *handler) newSLAPolicyFormPage(c *fiber.Ctx, saved *contracts.SLAPolicy) *slaPolicyFormPage {
	page := &slaPolicyFormPage{
		Page: h.NewPage(c, "sla.new.title"), Policy: saved, Action: slaPoliciesPath, Days: contracts.SLAWeekdays,
	}
	for _, pr := range sla.Priorities() {
		page.Priorities = append(page.Priorities, pr.String())
	}
	if saved != nil {
		page.Title = saved.Name
		page.Action = slaPoliciesPath + "/" + saved.ID.String()
		page.Version = saved.Version
	}
	return page
}

// slaPolicyEditPage is the edit form of a saved policy with the count of contracts using it and
// the explanation of what the saved policy means.
func (h *handler) slaPolicyEditPage(c *fiber.Ctx, saved *contracts.SLAPolicy) (*slaPolicyFormPage, error) {
	page := h.newSLAPolicyFormPage(c, saved)
	n, err := contracts.CountContractsUsing(c.UserContext(), h.DB.Bun, saved.ID)
	if err != nil {
		return nil, err
	}
	page.Contracts = n
	page.Explain = h.explainSLAPolicy(c, saved)
	return page, nil
}

// readSLAPolicyForm reads the SLA policy form into a policy. It returns the input as typed, to show
// the form again, and the problems found on top of the policy's own validation (a closure that is
// not a date, a number that is not one), merged with it so every field gets its message.
func readSLAPolicyForm(c *fiber.Ctx) (*contracts.SLAPolicy, map[string]string, apperr.Fields) {
	form := map[string]string{}
	val := func(name string) string {
		v := c.FormValue(name)
		form[name] = v
		return v
	}
	f := apperr.Fields{}
	version, _ := strconv.Atoi(c.FormValue("version"))
	p := &contracts.SLAPolicy{
		Name: val("name"), Description: val("description"), Version: version,
		Hours:          map[string][]string{},
		FrenchHolidays: val("french_holidays") == "on",
		AlsaceMoselle:  val("alsace_moselle") == "on",
		Targets:        map[sla.Priority]contracts.Targets{},
	}
	for _, day := range contracts.SLAWeekdays {
		if spans := contracts.ParseSLADayHours(val("hours." + day)); len(spans) > 0 {
			p.Hours[day] = spans
		}
	}
	closures, err := contracts.ParseSLAClosures(val("closures"))
	if err != nil {
		f.Add("closures", "sla.error.closure_invalid")
	}
	p.Closures = closures
	for _, pr := range sla.Priorities() {
		field := "targets." + pr.String()
		reaction, rOK, rSet := readSLADuration(val(field+".reaction_hours"), val(field+".reaction_minutes"))
		resolution, sOK, sSet := readSLADuration(val(field+".resolution_hours"), val(field+".resolution_minutes"))
		if !rOK {
			f.Add(field+".reaction", "sla.error.duration_invalid")
		}
		if !sOK {
			f.Add(field+".resolution", "sla.error.duration_invalid")
		}
		if !rSet && !sSet {
			continue // missing: Validate says so on both fields
		}
		if !rSet {
			f.Add(field+".reaction", "error.required")
		}
		if !sSet {
			f.Add(field+".resolution", "error.required")
		}
		p.Targets[pr] = contracts.Targets{ReactionMinutes: reaction, ResolutionMinutes: resolution}
	}
	if bp, err := contracts.ParseSLAPercent(val("penalty_per_hour")); err != nil {
		f.Add("penalty_per_hour", "sla.error.percent_invalid")
	} else {
		p.PenaltyBPPerHour = bp
	}
	if bp, err := contracts.ParseSLAPercent(val("penalty_cap")); err != nil {
		f.Add("penalty_cap", "sla.error.percent_invalid")
	} else {
		p.PenaltyCapBP = bp
	}
	for k, v := range apperr.FieldsOf(p.Validate()) {
		f.Add(k, v)
	}
	return p, form, f
}

// readSLADuration reads a target typed as hours and minutes. set is false when both are empty; ok
// is false when either is not a whole number in range (minutes 0-59).
func readSLADuration(hours, minutes string) (total int, ok, set bool) {
	hours, minutes = strings.TrimSpace(hours), strings.TrimSpace(minutes)
	if hours == "" && minutes == "" {
		return 0, true, false
	}
	h, m := 0, 0
	var err error
	if hours != "" {
		if h, err = strconv.Atoi(hours); err != nil || h < 0 || h > contracts.SLATargetMaxMinutes/60 {
			return 0, false, true
		}
	}
	if minutes != "" {
		if m, err = strconv.Atoi(minutes); err != nil || m < 0 || m > 59 {
			return 0, false, true
		}
	}
	return h*60 + m, true, true
}

// slaPolicyFormValues writes a policy as the form shows it.
func slaPolicyFormValues(p *contracts.SLAPolicy, lang i18n.Lang) map[string]string {
	sep := ","
	if lang == i18n.EN {
		sep = "."
	}
	form := map[string]string{
		"name": p.Name, "description": p.Description, "closures": contracts.FormatSLAClosures(p.Closures),
		"penalty_per_hour": contracts.FormatSLAPercent(p.PenaltyBPPerHour, sep),
		"penalty_cap":      contracts.FormatSLAPercent(p.PenaltyCapBP, sep),
	}
	if p.FrenchHolidays {
		form["french_holidays"] = "on"
	}
	if p.AlsaceMoselle {
		form["alsace_moselle"] = "on"
	}
	for _, day := range contracts.SLAWeekdays {
		form["hours."+day] = contracts.FormatSLADayHours(p.Hours[day])
	}
	for pr, t := range p.Targets {
		field := "targets." + pr.String()
		form[field+".reaction_hours"] = strconv.Itoa(t.ReactionMinutes / 60)
		form[field+".reaction_minutes"] = strconv.Itoa(t.ReactionMinutes % 60)
		form[field+".resolution_hours"] = strconv.Itoa(t.ResolutionMinutes / 60)
		form[field+".resolution_minutes"] = strconv.Itoa(t.ResolutionMinutes % 60)
	}
	return form
}

// slaExplanation says in plain words what a saved policy means: the public holidays it skips and
// when a request made just before the weekend is due.
type slaExplanation struct {
	FrenchHolidays bool
	AlsaceMoselle  bool
	Years          []slaHolidayYear
	Closures       int
	// The example: a critical request received just before closing time on a Friday.
	Received         string
	ReactionDue      string
	ResolutionDue    string
	ReactionTarget   time.Duration
	ResolutionTarget time.Duration
	// The penalty example, when the policy has a penalty.
	Penalty *slaPenaltyExample
}

// slaHolidayYear is the list of public holidays of one year.
type slaHolidayYear struct {
	Year int
	Days []slaHolidayDay
}

// slaHolidayDay is one public holiday, its date written out and its name in the reader's language.
type slaHolidayDay struct {
	When string
	Name string
}

// slaPenaltyExample is the penalty owed for one example delay on an example fee.
type slaPenaltyExample struct {
	PercentPerHour string
	Cap            string
	FeeCents       int64
	Delay          time.Duration
	Hours          int
	AmountCents    int64
	CapCents       int64
}

// explainSLAPolicy computes, with app/sla, the explanation of a saved policy. The example request
// is received on the last Friday at 17:55 before now, just before most offices close for the
// weekend, so the manager sees nights, weekends and holidays being skipped.
func (h *handler) explainSLAPolicy(c *fiber.Ctx, p *contracts.SLAPolicy) *slaExplanation {
	loc := h.Config.Location
	lang := web.Lang(c)
	now := h.Now().In(loc)
	e := &slaExplanation{FrenchHolidays: p.FrenchHolidays, AlsaceMoselle: p.AlsaceMoselle, Closures: len(p.Closures)}
	if p.FrenchHolidays {
		for _, year := range []int{now.Year(), now.Year() + 1} {
			y := slaHolidayYear{Year: year}
			for _, hd := range sla.FrenchHolidays(year, p.AlsaceMoselle) {
				name := hd.Name
				if lang == i18n.EN {
					name = hd.NameEN
				}
				when := time.Date(hd.Date.Year, hd.Date.Month, hd.Date.Day, 12, 0, 0, 0, loc)
				y.Days = append(y.Days, slaHolidayDay{When: h.slaDay(c, when), Name: name})
			}
			e.Years = append(e.Years, y)
		}
	}
	policy, err := p.Policy(loc)
	if err != nil {
		// A saved policy always converts; if one does not, the form still shows and says nothing more.
		return e
	}
	received := lastFridayBefore(now)
	t := policy.Targets[sla.Critical]
	reaction, _ := policy.ReactionDue(received, sla.Critical)
	resolution, _ := policy.ResolutionDue(received, sla.Critical)
	e.Received, e.ReactionDue, e.ResolutionDue = h.slaWhen(c, received), h.slaWhen(c, reaction), h.slaWhen(c, resolution)
	e.ReactionTarget, e.ResolutionTarget = t.Reaction, t.Resolution
	if rule := p.PenaltyRule(); rule.PercentPerStartedHour > 0 {
		sep := ","
		if lang == i18n.EN {
			sep = "."
		}
		const fee = 100000 // 1 000,00 € a month
		delay := 2*time.Hour + 10*time.Minute
		e.Penalty = &slaPenaltyExample{
			PercentPerHour: contracts.FormatSLAPercent(rule.PercentPerStartedHour, sep),
			Cap:            contracts.FormatSLAPercent(rule.CapPercentPerMonth, sep),
			FeeCents:       fee, Delay: delay, Hours: 3,
			AmountCents: rule.Amount(fee, []time.Duration{delay}),
			CapCents:    int64(rule.CapPercentPerMonth) * fee / 10000,
		}
	}
	return e
}

// lastFridayBefore returns the last Friday at 17:55 strictly before now, in now's location.
func lastFridayBefore(now time.Time) time.Time {
	for d := 0; ; d++ {
		day := now.AddDate(0, 0, -d)
		if day.Weekday() != time.Friday {
			continue
		}
		t := time.Date(day.Year(), day.Month(), day.Day(), 17, 55, 0, 0, now.Location())
		if t.Before(now) {
			return t
		}
	}
}

// slaWhen writes an instant as "vendredi 20/11/2026 à 17:55" in the reader's language.
func (h *handler) slaWhen(c *fiber.Ctx, t time.Time) string {
	t = t.In(h.Config.Location)
	clock := t.Format("15:04")
	if web.Lang(c) == i18n.EN {
		clock = t.Format("3:04 pm")
	}
	return h.T(c, "sla.when", "Day", h.slaDay(c, t), "Time", clock)
}

// slaDay writes a day as "vendredi 20/11/2026" in the reader's language.
func (h *handler) slaDay(c *fiber.Ctx, t time.Time) string {
	return h.T(c, "sla.weekday."+strings.ToLower(t.Weekday().String())) + " " + i18n.Date(web.Lang(c), t)
}
