package backoffice

import (
	"context"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/policy"
	"maintenant/app/web"
)

const policyPath = "/admin/settings/policy"

// policyEditPage is the view model of the policy editor: the draft (or the version to revise), its
// preview, and the history of published versions.
type policyEditPage struct {
	web.Page
	Sections []policy.Section
	// DraftID and DraftVersion identify the draft being written (empty: none saved yet).
	DraftID      string
	DraftVersion int
	DraftSaved   time.Time
	InForce      *policy.Version
	Upcoming     []*policy.Version
	History      []*policy.Version
	// Revision is true when a version was already published: the next one must say what changed.
	Revision bool
	// Preview holds each section rendered, when the manager asked to see it.
	Preview map[policy.Section]template.HTML
	Today   time.Time
}

// policyForm is what the editor submitted.
type policyForm struct {
	ID      uuid.UUID
	Version int
	Draft   policy.Draft
	Pub     policy.Publication
	Values  map[string]string
	// Problems are the inputs that could not be read (dates).
	Problems apperr.Fields
}

func readPolicyForm(c *fiber.Ctx) *policyForm {
	f := &policyForm{Values: map[string]string{}, Problems: apperr.Fields{}}
	val := func(name string) string {
		v := c.FormValue(name)
		f.Values[name] = v
		return v
	}
	f.ID, _ = uuid.Parse(strings.TrimSpace(val("id")))
	f.Version, _ = strconv.Atoi(val("version"))
	f.Draft.Title = val("title")
	f.Draft.Sections = map[policy.Section]string{}
	for _, s := range policy.Sections() {
		f.Draft.Sections[s] = val("section_" + string(s))
	}
	f.Draft.ChangeSummary = val("change_summary")
	f.Pub.ApproverName = val("approver_name")
	date := func(name string, dst *time.Time) {
		s := strings.TrimSpace(val(name))
		if s == "" {
			return
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			f.Problems.Add(name, "contract.error.date_invalid")
			return
		}
		*dst = d
	}
	date("approved_on", &f.Pub.ApprovedOn)
	date("effective_on", &f.Pub.EffectiveOn)
	return f
}

// policyFormValues gives the editor's values for a version (a draft, or the published version a
// revision starts from).
func policyFormValues(v *policy.Version) map[string]string {
	m := map[string]string{"title": v.Title}
	for _, s := range policy.Sections() {
		m["section_"+string(s)] = v.Sections[s]
	}
	if !v.Published() {
		m["change_summary"] = v.ChangeSummary
		m["id"] = v.ID.String()
		m["version"] = strconv.Itoa(v.Version)
	}
	return m
}

// newPolicyEditPage loads what the editor shows around the form.
func (h *handler) newPolicyEditPage(c *fiber.Ctx) (*policyEditPage, error) {
	ctx := c.UserContext()
	today := h.Today()
	p := &policyEditPage{Page: h.NewPage(c, "policy.admin.title"), Sections: policy.Sections(), Today: today}
	var err error
	if p.History, err = policy.List(ctx, h.DB.Bun); err != nil {
		return nil, err
	}
	p.Revision = len(p.History) > 0
	if p.InForce, err = policy.InForce(ctx, h.DB.Bun, today); apperr.KindOf(err) == apperr.NotFound {
		p.InForce, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if p.Upcoming, err = policy.Upcoming(ctx, h.DB.Bun, today); err != nil {
		return nil, err
	}
	return p, nil
}

// handlePolicyEdit handles the "GET /admin/settings/policy" route: the draft in the editor, or the
// latest version ready to be revised, and the history.
func (h *handler) handlePolicyEdit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := h.newPolicyEditPage(c)
	if err != nil {
		return err
	}
	draft, err := policy.GetDraft(ctx, h.DB.Bun)
	switch {
	case err == nil:
		p.Form = policyFormValues(draft)
		p.DraftID, p.DraftVersion, p.DraftSaved = draft.ID.String(), draft.Version, draft.UpdatedAt
	case apperr.KindOf(err) != apperr.NotFound:
		return err
	case len(p.History) > 0:
		p.Form = policyFormValues(p.History[0])
	default:
		p.Form = map[string]string{"title": h.T(c, "policy.default_title")}
	}
	p.Form["approver_name"] = web.CurrentUser(c).Name
	p.Form["approved_on"] = h.Today().Format(time.DateOnly)
	return h.Render(c, fiber.StatusOK, "backoffice/settings/policy", p)
}

// handlePolicySave handles the "POST /admin/settings/policy" route. The button pressed says what to
// do: "preview" shows the sections rendered (nothing saved), "save" keeps the draft, "publish"
// publishes it as the next version. Saving over a version published meanwhile is a conflict (409):
// published versions never change, a new revision is made instead.
func (h *handler) handlePolicySave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := readPolicyForm(c)
	action := c.FormValue("action")
	if action == "preview" {
		p, err := h.newPolicyEditPage(c)
		if err != nil {
			return err
		}
		p.Form = f.Values
		p.DraftID, p.DraftVersion = f.Values["id"], f.Version
		p.Preview = map[policy.Section]template.HTML{}
		for _, s := range policy.Sections() {
			p.Preview[s] = policy.Render(f.Draft.Sections[s])
		}
		return h.Render(c, fiber.StatusOK, "backoffice/settings/policy", p)
	}
	u := web.CurrentUser(c)
	var saved *policy.Version
	err := h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		if action == "publish" {
			if len(f.Problems) > 0 {
				// Report the unreadable dates with every other problem.
				_, perr := policy.Publish(ctx, tx, f.ID, f.Draft, f.Pub, f.Version, u.ID, h.Now())
				fs := apperr.Fields{}
				for k, v := range apperr.FieldsOf(perr) {
					fs.Add(k, v)
				}
				for k, v := range f.Problems {
					fs[k] = v
				}
				if apperr.KindOf(perr) == apperr.Conflict {
					return perr
				}
				return fs.Err()
			}
			if saved, err = policy.Publish(ctx, tx, f.ID, f.Draft, f.Pub, f.Version, u.ID, h.Now()); err != nil {
				return err
			}
			return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
				Action: audit.PolicyPublished, TargetType: "policy", TargetID: strconv.Itoa(saved.No),
				Details: map[string]any{"no": saved.No, "approver": saved.ApproverName,
					"approved_on": saved.ApprovedOn.Time.Format(time.DateOnly), "effective_on": saved.EffectiveOn.Time.Format(time.DateOnly),
					"change_summary": saved.ChangeSummary},
			})
		}
		if saved, err = policy.SaveDraft(ctx, tx, f.ID, f.Draft, f.Version, u.ID, h.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.PolicyDraftSaved, TargetType: "policy", TargetID: saved.ID.String(),
			Details: map[string]any{"title": saved.Title},
		})
	})
	if err == nil {
		if saved.Published() {
			h.SetFlash(c, web.FlashSuccess, h.T(c, "policy.flash.published", "No", saved.No,
				"Date", i18n.Date(web.Lang(c), saved.EffectiveOn.Time)))
		} else {
			h.SetFlash(c, web.FlashSuccess, h.T(c, "policy.flash.draft_saved"))
		}
		return h.Redirect(c, policyPath)
	}
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.newPolicyEditPage(c)
	if perr != nil {
		return perr
	}
	p.Form = f.Values
	p.DraftID, p.DraftVersion = f.Values["id"], f.Version
	status := web.ShowRefusal(&p.Page, e, nil)
	if msg := p.Errors["sections"]; msg != "" {
		p.Message = msg
	}
	if e.Kind == apperr.Conflict {
		// The editor starts again from what is saved now, keeping the user's text.
		if d, derr := policy.GetDraft(ctx, h.DB.Bun); derr == nil {
			p.DraftID, p.DraftVersion = d.ID.String(), d.Version
		} else {
			p.DraftID, p.DraftVersion = "", 0
		}
		p.Form["id"], p.Form["version"] = p.DraftID, strconv.Itoa(p.DraftVersion)
	}
	return h.Render(c, status, "backoffice/settings/policy", p)
}

// handlePolicyDiscard handles the "POST /admin/settings/policy/discard" route: the draft is
// dropped; published versions stay.
func (h *handler) handlePolicyDiscard(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.FormValue("id"))
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := policy.DiscardDraft(ctx, tx, id, version); err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.PolicyDraftDiscarded, TargetType: "policy", TargetID: id.String(),
		})
	})
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "policy.flash.draft_discarded"))
	return h.Redirect(c, policyPath)
}

// policyVersionPage is the view model of one published version.
type policyVersionPage struct {
	web.Page
	V        *policy.Version
	Sections []policy.Section
	InForce  bool
	Upcoming bool
	PDFURL   string
	BackURL  string
}

// policyVersionNo reads the version number of the URL.
func policyVersionNo(c *fiber.Ctx) (int, error) {
	no, err := strconv.Atoi(c.Params("no"))
	if err != nil || no < 1 {
		return 0, apperr.NotFoundf("policy version")
	}
	return no, nil
}

// handlePolicyVersion handles the "GET /admin/settings/policy/:no" route: a published version,
// read-only.
func (h *handler) handlePolicyVersion(c *fiber.Ctx) error {
	no, err := policyVersionNo(c)
	if err != nil {
		return err
	}
	v, err := policy.Get(c.UserContext(), h.DB.Bun, no)
	if err != nil {
		return err
	}
	cur, err := policy.InForceNo(c.UserContext(), h.DB.Bun, h.Today())
	if err != nil {
		return err
	}
	p := &policyVersionPage{Page: h.NewPage(c, "policy.admin.title"), V: v, Sections: policy.Sections(),
		InForce: cur == v.No, Upcoming: v.EffectiveOn.Time.After(h.Today()),
		PDFURL: policyPath + "/" + strconv.Itoa(v.No) + ".pdf", BackURL: policyPath}
	p.Title = h.T(c, "policy.version_title", "No", v.No)
	return h.Render(c, fiber.StatusOK, "backoffice/settings/policy_version", p)
}

// handlePolicyVersionPDF handles the "GET /admin/settings/policy/:no.pdf" route.
func (h *handler) handlePolicyVersionPDF(c *fiber.Ctx) error {
	no, err := policyVersionNo(c)
	if err != nil {
		return err
	}
	v, err := policy.Get(c.UserContext(), h.DB.Bun, no)
	if err != nil {
		return err
	}
	return h.SendPolicyPDF(c, v)
}
