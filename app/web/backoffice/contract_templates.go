package backoffice

import (
	"context"
	"fmt"
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
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
	"maintenant/app/web"
)

const templatesPath = "/admin/settings/templates"

// templatePlanRows is the number of preventive-plan rows the template form offers.
const templatePlanRows = 3

// templateIndexPage is the view model of the list of contract templates.
type templateIndexPage struct {
	web.Page
	Templates    []*contracts.Template
	WithArchived bool
}

// handleTemplateIndex handles the "GET /admin/settings/templates" route.
func (h *handler) handleTemplateIndex(c *fiber.Ctx) error {
	p := &templateIndexPage{Page: h.NewPage(c, "template.title"), WithArchived: c.Query("archived") == "1"}
	var err error
	if p.Templates, err = contracts.ListTemplates(c.UserContext(), h.DB.Bun, p.WithArchived); err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/templates/index", p)
}

// templateFormPage is the view model of the template form: the contract form's choices plus the
// template's own fields.
type templateFormPage struct {
	*contractFormPage
	T        *contracts.Template // nil for a new one
	Kinds    []contracts.TemplateKind
	PlanRows []int
	Places   []interventions.Place
}

func (h *handler) newTemplateFormPage(c *fiber.Ctx, t *contracts.Template, form map[string]string) (*templateFormPage, error) {
	if t != nil && form["sla_policy_id"] == "" {
		form["sla_policy_id"] = t.SLAPolicyID.String()
	}
	cp, err := h.newContractFormPage(c, nil, form)
	if err != nil {
		return nil, err
	}
	p := &templateFormPage{contractFormPage: cp, T: t, Kinds: contracts.TemplateKinds(),
		Places: []interventions.Place{interventions.PlaceRemote, interventions.PlaceOnSite, interventions.PlaceWorkshop}}
	cp.Title = h.T(c, "template.new.title")
	cp.Action = templatesPath
	if t != nil {
		cp.Title = h.T(c, "template.edit.title", "Name", t.Name)
		cp.Action = templatesPath + "/" + t.ID.String()
		cp.Version = t.Version
	}
	n := templatePlanRows
	if t != nil && len(t.Plan)+1 > n {
		n = min(len(t.Plan)+1, contracts.MaxTemplateTasks)
	}
	for i := range n {
		p.PlanRows = append(p.PlanRows, i)
	}
	return p, nil
}

// templateFormValues writes a template as the form shows it.
func templateFormValues(t *contracts.Template, lang i18n.Lang) map[string]string {
	m := contractFormValues(nil, t.Terms(time.Time{}), lang)
	delete(m, "start_date")
	m["name"], m["kind"], m["description"] = t.Name, string(t.Kind), t.Description
	m["review_months"] = strconv.Itoa(t.ReviewMonths)
	for i, task := range t.Plan {
		m[fmt.Sprintf("plan_title_%d", i)] = task.Title
		m[fmt.Sprintf("plan_checklist_%d", i)] = strings.Join(task.Checklist, "\n")
		m[fmt.Sprintf("plan_minutes_%d", i)] = strconv.Itoa(task.Minutes)
		m[fmt.Sprintf("plan_rule_%d", i)] = task.Rule
		m[fmt.Sprintf("plan_at_%d", i)] = fmt.Sprintf("%02d:%02d", task.AtMinute/60, task.AtMinute%60)
		m[fmt.Sprintf("plan_place_%d", i)] = task.Place
	}
	return m
}

// readTemplateForm reads the template form: the terms as the contract form reads them (no start
// date: the contract's is chosen when it is made), then the template's fields.
func readTemplateForm(c *fiber.Ctx) (*contracts.Template, *contractForm, []int, apperr.Fields) {
	f, problems := readContractForm(c)
	delete(problems, "start_date")
	v := f.Terms
	t := &contracts.Template{
		Name: c.FormValue("name"), Kind: contracts.TemplateKind(c.FormValue("kind")), Description: c.FormValue("description"),
		Title: v.Title, Object: v.Object, Services: v.Services, MaintenanceKinds: v.MaintenanceKinds,
		InitialMonths: v.InitialMonths, RenewalMonths: v.RenewalMonths, NoticeMonths: v.NoticeMonths,
		TerminationTerms: v.TerminationTerms, FeeCents: v.FeeCents, BillingPeriod: v.BillingPeriod,
		PaymentTermsDays: v.PaymentTermsDays, IncludedMinutes: v.IncludedMinutes, HourlyRateCents: v.HourlyRateCents,
		SLAPolicyID: v.SLAPolicyID.UUID, ProviderObligations: v.ProviderObligations, ClientObligations: v.ClientObligations,
		Confidentiality: v.Confidentiality, SpecificConditions: v.SpecificConditions, Exclusions: v.Exclusions,
	}
	for _, k := range []string{"name", "kind", "description", "review_months"} {
		f.Values[k] = c.FormValue(k)
	}
	if s := strings.TrimSpace(f.Values["review_months"]); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			problems.Add("review_months", "contract.error.number_invalid")
		}
		t.ReviewMonths = n
	}
	var planRows []int
	for i := 0; i < contracts.MaxTemplateTasks; i++ {
		get := func(name string) string {
			k := fmt.Sprintf("plan_%s_%d", name, i)
			v := c.FormValue(k)
			f.Values[k] = v
			return v
		}
		title, checklist, minutes, rule, at, place := get("title"), get("checklist"), get("minutes"), get("rule"), get("at"), get("place")
		if strings.TrimSpace(title+checklist+minutes+rule) == "" {
			continue
		}
		task := contracts.PlanTask{Title: title, Checklist: scheduling.ParseChecklist(checklist), Rule: scheduling.NormalizeRule(rule), Place: place}
		planRows = append(planRows, i)
		if n, err := strconv.Atoi(strings.TrimSpace(minutes)); err != nil {
			problems.Add(fmt.Sprintf("plan_minutes_%d", i), "template.error.plan_minutes")
		} else {
			task.Minutes = n
		}
		if task.AtMinute = scheduling.ParseClock(at); task.AtMinute < 0 {
			problems.Add(fmt.Sprintf("plan_at_%d", i), "template.error.plan_at")
			task.AtMinute = 0
		}
		t.Plan = append(t.Plan, task)
	}
	return t, f, planRows, problems
}

// templatePlanFields maps the domain's plan_<field>_<n> (the n-th task given) back to the form's
// row of that task.
func templatePlanFields(fields map[string]string, planRows []int) apperr.Fields {
	out := apperr.Fields{}
	for k, v := range fields {
		if strings.HasPrefix(k, "plan_") {
			idx := strings.LastIndex(k, "_")
			if n, err := strconv.Atoi(k[idx+1:]); err == nil && n < len(planRows) {
				out.Add(fmt.Sprintf("%s_%d", k[:idx], planRows[n]), v)
				continue
			}
		}
		out.Add(k, v)
	}
	return out
}

// checkTemplatePlan checks each task's rule as the preventive plan will (a sound RFC 5545 rule).
func (h *handler) checkTemplatePlan(t *contracts.Template, planRows []int, problems apperr.Fields) {
	start := h.Today()
	for i, task := range t.Plan {
		if strings.TrimSpace(task.Rule) == "" || task.AtMinute < 0 {
			continue
		}
		w := scheduling.Window{From: start, To: start.AddDate(1, 0, 0)}
		if key := scheduling.CheckRule(task.Rule, start, task.AtMinute, nil, h.Config.Location, w); key != "" {
			problems.Add(fmt.Sprintf("plan_rule_%d", planRows[i]), key)
		}
	}
}

// saveTemplate creates (id uuid.Nil) or updates a template from the form.
func (h *handler) saveTemplate(c *fiber.Ctx, id uuid.UUID, before *contracts.Template) error {
	ctx := c.UserContext()
	t, f, planRows, problems := readTemplateForm(c)
	h.checkTemplatePlan(t, planRows, problems)
	t.ID = id
	err := h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		action := audit.TemplateCreated
		if id == uuid.Nil {
			err = contracts.CreateTemplate(ctx, tx, t, h.Now())
		} else {
			action = audit.TemplateUpdated
			err = contracts.UpdateTemplate(ctx, tx, t, f.Version, h.Now())
		}
		if err != nil || len(problems) > 0 {
			// Say everything at once: what could not be read with the domain's problems.
			if err != nil && apperr.KindOf(err) != apperr.Invalid {
				return err
			}
			all := templatePlanFields(apperr.FieldsOf(err), planRows)
			for k, v := range problems {
				all[k] = v
			}
			return all.Err()
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: action, TargetType: "contract_template", TargetID: t.ID.String(),
			Details: map[string]any{"name": t.Name, "kind": string(t.Kind)},
		})
	})
	if err == nil {
		key := "template.flash.created"
		if id != uuid.Nil {
			key = "template.flash.updated"
		}
		h.SetFlash(c, web.FlashSuccess, h.T(c, key, "Name", t.Name))
		return h.Redirect(c, templatesPath)
	}
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.newTemplateFormPage(c, before, f.Values)
	if perr != nil {
		return perr
	}
	status := fiber.StatusUnprocessableEntity
	if e.Kind == apperr.Conflict {
		status = fiber.StatusConflict
		p.Message = e.Message
	} else {
		all := apperr.Fields{}
		f.formFields(e.Fields, all)
		p.Errors = all
		if len(all) == 0 {
			p.Message = e.Message
		}
		p.Version = f.Version
	}
	return h.Render(c, status, "backoffice/templates/form", p)
}

// handleTemplateNew handles the "GET /admin/settings/templates/new" route.
func (h *handler) handleTemplateNew(c *fiber.Ctx) error {
	form := map[string]string{
		"kind": string(contracts.TemplateWebsite), "initial_months": "12", "renewal_months": "12", "notice_months": "3",
		"billing_period": string(contracts.BillingMonthly), "payment_terms_days": "30", "included_hours": "0",
		"maintenance_preventive": "on", "maintenance_corrective": "on", "review_months": "12",
	}
	p, err := h.newTemplateFormPage(c, nil, form)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/templates/form", p)
}

// handleTemplateCreate handles the "POST /admin/settings/templates" route.
func (h *handler) handleTemplateCreate(c *fiber.Ctx) error { return h.saveTemplate(c, uuid.Nil, nil) }

// handleTemplateEdit handles the "GET /admin/settings/templates/:id" route.
func (h *handler) handleTemplateEdit(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	t, err := contracts.GetTemplate(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	p, err := h.newTemplateFormPage(c, t, templateFormValues(t, web.Lang(c)))
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/templates/form", p)
}

// handleTemplateUpdate handles the "POST /admin/settings/templates/:id" route. Contracts already
// made from the template keep their terms.
func (h *handler) handleTemplateUpdate(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	t, err := contracts.GetTemplate(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.saveTemplate(c, id, t)
}

// handleTemplateArchive handles the "POST /admin/settings/templates/:id/archive" route: archived
// (archive=1) templates are no longer offered for new contracts; archive=0 brings one back.
func (h *handler) handleTemplateArchive(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	archive := c.FormValue("archive") != "0"
	var t *contracts.Template
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if t, err = contracts.SetTemplateArchived(ctx, tx, id, archive, h.Now()); err != nil {
			return err
		}
		action := audit.TemplateArchived
		if !archive {
			action = audit.TemplateUnarchived
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: action, TargetType: "contract_template", TargetID: id.String(), Details: map[string]any{"name": t.Name},
		})
	})
	if err != nil {
		return err
	}
	key := "template.flash.archived"
	if !archive {
		key = "template.flash.unarchived"
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, key, "Name", t.Name))
	return h.Redirect(c, templatesPath)
}

// applyTemplate gives a new contract the template's preventive plan (first visits on the start
// date) and review interval, and records the template, in the contract's creation transaction.
func (h *handler) applyTemplate(ctx context.Context, tx *database.Tx, c *fiber.Ctx, ct *contracts.Contract, t *contracts.Template) error {
	if err := contracts.MarkFromTemplate(ctx, tx, ct.ID, t); err != nil {
		return err
	}
	for _, task := range t.Plan {
		in := scheduling.TaskInput{
			Title: task.Title, Checklist: task.Checklist, EstimatedMinutes: task.Minutes, Place: interventions.Place(task.Place),
			Rule: task.Rule, FirstOn: ct.Terms.StartDate, AtMinute: task.AtMinute,
		}
		if _, err := scheduling.SaveTask(ctx, tx, ct.ID, uuid.Nil, in, scheduling.Change{}, web.Actor(c), h.Now(), h.Today(), h.Config.Location); err != nil {
			if apperr.KindOf(err) == apperr.Invalid {
				// The template's plan does not fit this contract (a rule outside its term): say so on the form.
				return apperr.Fields{"template_id": "template.error.plan_does_not_fit"}.Err()
			}
			return err
		}
	}
	return nil
}

// prefillFromTemplate fills the new-contract form from the template named by ?template=, keeping
// the start date and client already chosen; it returns the template (nil when none was asked).
func (h *handler) prefillFromTemplate(c *fiber.Ctx, form map[string]string) (*contracts.Template, error) {
	s := strings.TrimSpace(c.Query("template"))
	if s == "" {
		return nil, nil
	}
	id, err := web.ParseUUID(s)
	if err != nil {
		return nil, err
	}
	t, err := contracts.GetTemplate(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	if t.Archived {
		return nil, apperr.NotFoundf("contract template")
	}
	for k, v := range contractFormValues(nil, t.Terms(time.Time{}), web.Lang(c)) {
		if k != "start_date" {
			form[k] = v
		}
	}
	for _, k := range contracts.MaintenanceKinds() {
		if !t.Terms(time.Time{}).HasMaintenance(k) {
			delete(form, "maintenance_"+string(k))
		}
	}
	return t, nil
}

// offerTemplates puts the templates on the new-contract form, with the one in use.
func (h *handler) offerTemplates(c *fiber.Ctx, p *contractFormPage, t *contracts.Template) error {
	ts, err := contracts.ListTemplates(c.UserContext(), h.DB.Bun, false)
	if err != nil {
		return err
	}
	p.Templates, p.Template = ts, t
	return nil
}

// formTemplate reads the template a new contract is made from (the form's template_id); an
// unknown or archived one is a problem of the form.
func (h *handler) formTemplate(c *fiber.Ctx, values map[string]string, problems apperr.Fields) (*contracts.Template, error) {
	s := strings.TrimSpace(c.FormValue("template_id"))
	values["template_id"] = s
	if s == "" {
		return nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		problems.Add("template_id", "template.error.unknown")
		return nil, nil
	}
	t, err := contracts.GetTemplate(c.UserContext(), h.DB.Bun, id)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		problems.Add("template_id", "template.error.unknown")
		return nil, nil
	case err != nil:
		return nil, err
	case t.Archived:
		problems.Add("template_id", "template.error.unknown")
		return nil, nil
	}
	return t, nil
}
