package backoffice

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

// planPage is the view model of a contract's preventive plan.
type planPage struct {
	web.Page
	P         *scheduling.Plan
	CanManage bool
	// Upcoming are the next visits of the contract.
	Upcoming []*scheduling.Entry
	Loc      *time.Location
	// Summaries are the tasks' rules in plain words, by task.
	Summaries map[uuid.UUID]string
}

// planFormPage is the view model of a task's form.
type planFormPage struct {
	web.Page
	P       *scheduling.Plan
	Task    *scheduling.Task
	Action  string
	Staff   []tickets.Choice
	Places  []interventions.Place
	Running bool
	// The recurrence picker's choices.
	Freqs     []string
	Weekdays  []planChoice
	MonthDays []planChoice
	Nths      []planChoice
	Months    []planChoice
}

// planChoice is one option of the recurrence picker: its value, its label (a catalogue key, or the
// text itself when Plain) and whether the form has it.
type planChoice struct {
	Value    string
	Label    string
	Plain    bool
	Selected bool
}

// recurrenceChoices fills the picker's options from the form's values.
func (p *planFormPage) recurrenceChoices() {
	p.Freqs = scheduling.Frequencies()
	ticked := strings.Split(p.Form["rec_weekdays"], ",")
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		v := strconv.Itoa(d)
		p.Weekdays = append(p.Weekdays, planChoice{Value: v, Label: "schedule.wd." + v, Selected: slices.Contains(ticked, v)})
	}
	for d := 1; d <= 28; d++ {
		v := strconv.Itoa(d)
		p.MonthDays = append(p.MonthDays, planChoice{Value: v, Label: v, Plain: true, Selected: p.Form["rec_monthday"] == v})
	}
	p.MonthDays = append(p.MonthDays, planChoice{Value: "-1", Label: "schedule.rec.last_day", Selected: p.Form["rec_monthday"] == "-1"})
	for _, n := range []string{"1", "2", "3", "4", "-1"} {
		p.Nths = append(p.Nths, planChoice{Value: n, Label: "schedule.rec.nth." + n, Selected: p.Form["rec_nth"] == n})
	}
	for m := 1; m <= 12; m++ {
		v := strconv.Itoa(m)
		p.Months = append(p.Months, planChoice{Value: v, Label: "schedule.month." + v, Selected: p.Form["rec_month"] == v})
	}
}

// today is the provider's civil day.
func (h *handler) today() time.Time { return contracts.Day(h.Now().In(h.Config.Location)) }

func (h *handler) planOf(c *fiber.Ctx) (*scheduling.Plan, error) {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return nil, err
	}
	return scheduling.GetPlan(c.UserContext(), h.DB.Bun, id)
}

func planPath(contractID uuid.UUID) string {
	return fmt.Sprintf("/admin/contracts/%s/plan", contractID)
}

// handlePlanShow handles "GET /admin/contracts/:id/plan": the tasks in force, the next visits, the
// amendments and the tasks they ended. With HX-Target "plan-summary" it is the contract page's
// section.
func (h *handler) handlePlanShow(c *fiber.Ctx) error {
	pl, err := h.planOf(c)
	if err != nil {
		return err
	}
	p := &planPage{Page: h.NewPage(c, "schedule.plan.title"), P: pl, CanManage: web.CurrentUser(c).IsManager() && pl.Editable(),
		Loc: h.Config.Location, Summaries: map[uuid.UUID]string{}}
	for _, ts := range [][]*scheduling.Task{pl.Tasks, pl.Ended} {
		for _, t := range ts {
			p.Summaries[t.ID] = h.RecurrenceText(c, t.Rule, t.FirstOn)
		}
	}
	p.Title = h.T(c, "schedule.plan.title_ref", "Reference", pl.Contract.Reference)
	now := h.Now()
	if p.Upcoming, err = scheduling.List(c.UserContext(), h.DB.Bun, scheduling.Filter{
		From: now.Add(-12 * time.Hour), To: now.AddDate(0, 0, scheduling.DefaultHorizonDays), Preventive: true, Limit: 6, ClientID: pl.Contract.ClientID,
	}); err != nil {
		return err
	}
	kept := p.Upcoming[:0]
	for _, e := range p.Upcoming {
		if e.ContractReference == pl.Contract.Reference {
			kept = append(kept, e)
		}
	}
	p.Upcoming = kept
	if c.Get("HX-Target") == "plan-summary" {
		return h.Render(c, fiber.StatusOK, "backoffice/plans/summary", p)
	}
	return h.Render(c, fiber.StatusOK, "backoffice/plans/show", p)
}

// taskForm is what the task form posted.
func taskForm(c *fiber.Ctx) map[string]string {
	form := map[string]string{}
	for _, k := range []string{"title", "target", "checklist", "estimated_minutes", "technician_id", "place", "rule", "first_on",
		"at_time", "exdates", "reason", "effective_from", "rec_freq", "rec_interval", "rec_on", "rec_monthday", "rec_nth",
		"rec_weekday", "rec_month"} {
		form[k] = c.FormValue(k)
	}
	var days []string
	for _, v := range c.Request().PostArgs().PeekMulti("rec_weekdays") {
		days = append(days, string(v))
	}
	form["rec_weekdays"] = strings.Join(days, ",")
	return form
}

// recurrenceInput reads the picker; nil when the rule was typed (advanced, or a post without the
// picker). What cannot be read is left out of range, for Check to name.
func recurrenceInput(form map[string]string) *scheduling.Recurrence {
	if form["rec_freq"] == "" || form["rec_freq"] == scheduling.FreqAdvanced {
		return nil
	}
	num := func(k string) int {
		n, err := strconv.Atoi(strings.TrimSpace(form[k]))
		if err != nil {
			return -99
		}
		return n
	}
	r := &scheduling.Recurrence{Freq: form["rec_freq"], Interval: num("rec_interval"), On: form["rec_on"],
		MonthDay: num("rec_monthday"), Nth: num("rec_nth"), Weekday: time.Weekday(num("rec_weekday")), Month: time.Month(num("rec_month"))}
	for _, s := range strings.Split(form["rec_weekdays"], ",") {
		if s == "" {
			continue
		}
		d, err := strconv.Atoi(s)
		if err != nil {
			d = -1
		}
		r.Weekdays = append(r.Weekdays, time.Weekday(d))
	}
	return r
}

// recurrenceValues fills the picker from a rule (advanced when the picker cannot show it).
func recurrenceValues(form map[string]string, rule string, firstOn time.Time) {
	r, ok := scheduling.ParseRecurrence(rule, firstOn)
	form["rec_monthday"], form["rec_nth"] = strconv.Itoa(firstOn.Day()), "1"
	form["rec_weekday"], form["rec_month"] = strconv.Itoa(int(firstOn.Weekday())), strconv.Itoa(int(firstOn.Month()))
	form["rec_weekdays"], form["rec_on"], form["rec_interval"] = strconv.Itoa(int(firstOn.Weekday())), scheduling.OnMonthDay, "1"
	if firstOn.Day() > 28 {
		form["rec_monthday"] = "-1"
	}
	if !ok {
		form["rec_freq"] = scheduling.FreqAdvanced
		return
	}
	form["rec_freq"], form["rec_interval"] = r.Freq, strconv.Itoa(r.Interval)
	switch {
	case r.Freq == scheduling.FreqWeekly:
		days := make([]string, len(r.Weekdays))
		for i, d := range r.Weekdays {
			days[i] = strconv.Itoa(int(d))
		}
		form["rec_weekdays"] = strings.Join(days, ",")
	case r.On == scheduling.OnWeekday:
		form["rec_on"], form["rec_nth"], form["rec_weekday"] = r.On, strconv.Itoa(r.Nth), strconv.Itoa(int(r.Weekday))
	default:
		form["rec_monthday"] = strconv.Itoa(r.MonthDay)
	}
	if r.Freq == scheduling.FreqYearly {
		form["rec_month"] = strconv.Itoa(int(r.Month))
	}
}

func taskInput(form map[string]string) scheduling.TaskInput {
	in := scheduling.TaskInput{
		Title: form["title"], Target: form["target"], Checklist: scheduling.ParseChecklist(form["checklist"]),
		Place: interventions.Place(form["place"]), Rule: form["rule"], AtMinute: scheduling.ParseClock(form["at_time"]),
		Recurrence: recurrenceInput(form),
	}
	in.EstimatedMinutes, _ = strconv.Atoi(form["estimated_minutes"])
	in.TechnicianID, _ = uuid.Parse(form["technician_id"])
	in.FirstOn, _ = time.Parse(time.DateOnly, form["first_on"])
	var ok bool
	in.Exdates, ok = scheduling.ParseExdates(form["exdates"])
	in.BadExdate = !ok
	return in
}

func taskFormValues(t *scheduling.Task) map[string]string {
	form := map[string]string{
		"title": t.Title, "target": t.Target, "estimated_minutes": strconv.Itoa(t.EstimatedMinutes), "place": string(t.Place),
		"rule": t.Rule, "first_on": t.FirstOn.Format(time.DateOnly), "at_time": t.AtClock(), "exdates": t.ExdatesText(),
	}
	for n, s := range t.Checklist {
		if n > 0 {
			form["checklist"] += "\n"
		}
		form["checklist"] += s
	}
	if t.TechnicianID.Valid {
		form["technician_id"] = t.TechnicianID.UUID.String()
	}
	recurrenceValues(form, t.Rule, t.FirstOn)
	return form
}

func (h *handler) planForm(c *fiber.Ctx, pl *scheduling.Plan, t *scheduling.Task, form map[string]string) (*planFormPage, error) {
	staff, err := tickets.AssigneeChoices(c.UserContext(), h.DB.Bun)
	if err != nil {
		return nil, err
	}
	p := &planFormPage{Page: h.NewPage(c, "schedule.task.new"), P: pl, Task: t, Staff: staff, Places: interventions.Places(),
		Running: pl.Running(), Action: planPath(pl.Contract.ID) + "/tasks"}
	if t != nil {
		p.Title = h.T(c, "schedule.task.edit")
		p.Action += "/" + t.ID.String()
	}
	p.Form = form
	p.recurrenceChoices()
	return p, nil
}

// handleTaskNew handles "GET /admin/contracts/:id/plan/tasks/new".
func (h *handler) handleTaskNew(c *fiber.Ctx) error {
	pl, err := h.planOf(c)
	if err != nil {
		return err
	}
	today := h.today()
	form := map[string]string{"estimated_minutes": "60", "at_time": "09:00", "place": string(interventions.PlaceOnSite),
		"rule": "FREQ=MONTHLY;BYDAY=1TU", "first_on": today.Format(time.DateOnly), "effective_from": today.Format(time.DateOnly)}
	recurrenceValues(form, form["rule"], today)
	p, err := h.planForm(c, pl, nil, form)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/plans/form", p)
}

// handleTaskEdit handles "GET /admin/contracts/:id/plan/tasks/:tid/edit".
func (h *handler) handleTaskEdit(c *fiber.Ctx) error {
	pl, err := h.planOf(c)
	if err != nil {
		return err
	}
	tid, err := web.ParseUUID(c.Params("tid"))
	if err != nil {
		return err
	}
	t, err := scheduling.GetTask(c.UserContext(), h.DB.Bun, pl.Contract.ID, tid)
	if err != nil {
		return err
	}
	form := taskFormValues(t)
	form["effective_from"] = h.today().Format(time.DateOnly)
	form["remove_effective_from"] = form["effective_from"]
	p, err := h.planForm(c, pl, t, form)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/plans/form", p)
}

// handleTaskSave handles "POST /admin/contracts/:id/plan/tasks" and ".../tasks/:tid": a draft's plan
// changes in place, a running contract's by amendment; the visits are planned at once.
func (h *handler) handleTaskSave(c *fiber.Ctx) error {
	pl, err := h.planOf(c)
	if err != nil {
		return err
	}
	var tid uuid.UUID
	var old *scheduling.Task
	if s := c.Params("tid"); s != "" {
		if tid, err = web.ParseUUID(s); err != nil {
			return err
		}
		if old, err = scheduling.GetTask(c.UserContext(), h.DB.Bun, pl.Contract.ID, tid); err != nil {
			return err
		}
	}
	form := taskForm(c)
	in := taskInput(form)
	ch := scheduling.Change{Reason: form["reason"]}
	ch.EffectiveFrom, _ = time.Parse(time.DateOnly, form["effective_from"])
	loc, now, today := h.Config.Location, h.Now(), h.today()
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if _, err := scheduling.SaveTask(ctx, tx, pl.Contract.ID, tid, in, ch, web.Actor(c), now, today, loc); err != nil {
			return err
		}
		_, err := scheduling.GenerateContract(ctx, tx, pl.Contract.ID, web.Actor(c), now, loc, scheduling.DefaultHorizonDays)
		return err
	})
	if e, ok := web.Refused(err); ok {
		p, perr := h.planForm(c, pl, old, form)
		if perr != nil {
			return perr
		}
		status := fiber.StatusConflict
		if ferr := web.FormError(&p.Page, err, form); ferr == nil {
			status = fiber.StatusUnprocessableEntity
		} else {
			p.Message = e.Message
		}
		return h.Render(c, status, "backoffice/plans/form", p)
	}
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "schedule.task.saved"))
	return h.Redirect(c, planPath(pl.Contract.ID))
}

// handleTaskRemove handles "POST /admin/contracts/:id/plan/tasks/:tid/remove".
func (h *handler) handleTaskRemove(c *fiber.Ctx) error {
	pl, err := h.planOf(c)
	if err != nil {
		return err
	}
	tid, err := web.ParseUUID(c.Params("tid"))
	if err != nil {
		return err
	}
	t, err := scheduling.GetTask(c.UserContext(), h.DB.Bun, pl.Contract.ID, tid)
	if err != nil {
		return err
	}
	ch := scheduling.Change{Reason: c.FormValue("remove_reason")}
	ch.EffectiveFrom, _ = time.Parse(time.DateOnly, c.FormValue("remove_effective_from"))
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		return scheduling.RemoveTask(ctx, tx, pl.Contract.ID, tid, ch, web.Actor(c), h.Now(), h.today())
	})
	if e, ok := web.Refused(err); ok {
		form := taskFormValues(t)
		form["reason"], form["effective_from"] = ch.Reason, c.FormValue("remove_effective_from")
		p, perr := h.planForm(c, pl, t, form)
		if perr != nil {
			return perr
		}
		status := fiber.StatusConflict
		if e.Kind == apperr.Invalid {
			status = fiber.StatusUnprocessableEntity
			p.Errors = map[string]string{}
			for k, v := range e.Fields {
				p.Errors["remove_"+k] = v
			}
			p.Form["remove_reason"], p.Form["remove_effective_from"] = form["reason"], form["effective_from"]
		} else {
			p.Message = e.Message
		}
		return h.Render(c, status, "backoffice/plans/form", p)
	}
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "schedule.task.removed"))
	return h.Redirect(c, planPath(pl.Contract.ID))
}
