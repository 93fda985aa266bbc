package backoffice

import (
	"context"
	"fmt"
	"math/big"
	"net/url"
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
	"maintenant/app/scheduling"
	"maintenant/app/sla"
	"maintenant/app/web"
)

const contractsPath = "/admin/contracts"

// contractServiceRows is the number of service rows the form offers at least.
const contractServiceRows = 5

// contractDate is a contract date for display (see web.CivilDate).
type contractDate = web.CivilDate

// contractDeadline is the next deadline of a contract, for the list.
type contractDeadline struct {
	Label string
	When  *contractDate
}

// contractListPage is the view model of the contract list.
type contractListPage struct {
	web.Page
	Status    string
	ClientID  string
	Search    string
	Sort      string
	Filtered  bool
	Statuses  []contracts.Status
	Clients   []contracts.ClientChoice
	Rows      []contractRow
	NextURL   string
	FirstURL  string
	RefSort   string
	DueSort   string
	CanManage bool
	NewURL    string
}

// contractRow is one line of the list.
type contractRow struct {
	C    *contracts.Contract
	Next *contractDeadline
}

// contractListQuery is the state of the list in its URL.
type contractListQuery struct {
	Status, Client, Search, Sort, After string
}

func (q contractListQuery) url() string {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Client != "" {
		v.Set("client", q.Client)
	}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	if q.Sort != "" && q.Sort != contracts.SortReference {
		v.Set("sort", q.Sort)
	}
	if q.After != "" {
		v.Set("after", q.After)
	}
	if len(v) == 0 {
		return contractsPath
	}
	return contractsPath + "?" + v.Encode()
}

// handleContractIndex handles the "GET /admin/contracts" route: contracts filtered by status,
// client and text, sorted by reference or by next deadline.
func (h *handler) handleContractIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q := contractListQuery{Search: strings.TrimSpace(c.Query("q")), After: c.Query("after")}
	if len([]rune(q.Search)) > 100 {
		q.Search = string([]rune(q.Search)[:100])
	}
	f := contracts.Filter{Search: q.Search, Today: h.Today(), After: q.After}
	if st, ok := contracts.ParseStatus(c.Query("status")); ok {
		f.Status, q.Status = st, string(st)
	}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, q.Client = id, id.String()
	}
	if c.Query("sort") == contracts.SortDeadline {
		f.Sort, q.Sort = contracts.SortDeadline, contracts.SortDeadline
	}
	page, err := contracts.List(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	choices, err := contracts.SelectedClient(ctx, h.DB.Bun, f.ClientID)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	p := &contractListPage{
		Page: h.NewPage(c, "contracts.title"), Status: q.Status, ClientID: q.Client, Search: q.Search, Sort: q.Sort,
		Filtered: q.Status != "" || q.Client != "" || q.Search != "",
		Statuses: contracts.Statuses(), Clients: choices, CanManage: u.IsManager(), NewURL: contractsPath + "/new",
	}
	if q.Client != "" {
		p.NewURL += "?client=" + q.Client
	}
	for _, ct := range page.Contracts {
		row := contractRow{C: ct}
		if next, ok := ct.Schedule(f.Today).Next(); ok && !ct.Status.IsOver() {
			row.Next = &contractDeadline{Label: next.Label(), When: h.CivilDate(next.On, f.Today)}
		}
		p.Rows = append(p.Rows, row)
	}
	sorted := q
	sorted.After = ""
	if page.Next != "" {
		next := q
		next.After = page.Next
		p.NextURL = next.url()
	}
	if q.After != "" {
		p.FirstURL = sorted.url()
	}
	sorted.Sort = contracts.SortReference
	p.RefSort = sorted.url()
	sorted.Sort = contracts.SortDeadline
	p.DueSort = sorted.url()
	return h.Render(c, fiber.StatusOK, "backoffice/contracts/index", p)
}

// contractFormPage is the view model of the contract form (new, draft edit, amendment).
type contractFormPage struct {
	web.Page
	C                *contracts.Contract // nil for a new contract
	Amend            bool
	Action           string
	Version          int
	Clients          []contracts.ClientChoice
	Policies         []*contracts.SLAPolicy
	ServiceKinds     []contracts.ServiceKind
	ServiceRows      []contractServiceRow
	MaintenanceKinds []contracts.MaintenanceKind
	BillingPeriods   []contracts.BillingPeriod
	Checked          map[contracts.MaintenanceKind]bool
	// Template is the template a new contract is made from, and Templates those offered (new
	// contracts only; contract_templates.go).
	Template  *contracts.Template
	Templates []*contracts.Template
}

// contractServiceRow is one service row of the form, as entered.
type contractServiceRow struct {
	Index       int
	Kind        string
	Description string
}

func (h *handler) newContractFormPage(c *fiber.Ctx, ct *contracts.Contract, form map[string]string) (*contractFormPage, error) {
	ctx := c.UserContext()
	include := uuid.Nil
	keepPolicy := uuid.Nil
	if ct != nil {
		include = ct.ClientID
		if ct.Terms != nil && ct.Terms.SLAPolicyID.Valid {
			keepPolicy = ct.Terms.SLAPolicyID.UUID
		}
	}
	choices, err := contracts.ClientChoices(ctx, h.DB.Bun, include)
	if err != nil {
		return nil, err
	}
	all, err := contracts.ListSLAPolicies(ctx, h.DB.Bun, true)
	if err != nil {
		return nil, err
	}
	var policies []*contracts.SLAPolicy
	for _, pol := range all {
		if !pol.Archived || pol.ID == keepPolicy || form["sla_policy_id"] == pol.ID.String() {
			policies = append(policies, pol)
		}
	}
	p := &contractFormPage{
		Page: h.NewPage(c, "contracts.new.title"), C: ct, Action: contractsPath,
		Clients: choices, Policies: policies, ServiceKinds: contracts.ServiceKinds(),
		MaintenanceKinds: contracts.MaintenanceKinds(), BillingPeriods: contracts.BillingPeriods(),
		Checked: map[contracts.MaintenanceKind]bool{},
	}
	if ct != nil {
		p.Action = contractsPath + "/" + ct.ID.String()
		p.Version = ct.Version
		p.Amend = ct.Status.IsRunning()
		p.Title = h.T(c, "contracts.edit.title", "Reference", ct.Reference)
		if p.Amend {
			p.Title = h.T(c, "contracts.amend.title", "Reference", ct.Reference)
		}
	}
	p.Form = form
	n := 0
	for i := 0; i < contracts.MaxServices; i++ {
		if form[fmt.Sprintf("service_kind_%d", i)] != "" || form[fmt.Sprintf("service_description_%d", i)] != "" {
			n = i + 1
		}
	}
	rows := max(contractServiceRows, min(n+2, contracts.MaxServices))
	for i := 0; i < rows; i++ {
		p.ServiceRows = append(p.ServiceRows, contractServiceRow{
			Index: i, Kind: form[fmt.Sprintf("service_kind_%d", i)], Description: form[fmt.Sprintf("service_description_%d", i)],
		})
	}
	for _, k := range contracts.MaintenanceKinds() {
		p.Checked[k] = form["maintenance_"+string(k)] == "on"
	}
	return p, nil
}

// contractFormValues writes terms as the form shows them.
func contractFormValues(ct *contracts.Contract, v *contracts.Version, lang i18n.Lang) map[string]string {
	m := map[string]string{
		"title": v.Title, "object": v.Object, "termination_terms": v.TerminationTerms,
		"start_date":           v.StartDate.Format(time.DateOnly),
		"initial_months":       strconv.Itoa(v.InitialMonths),
		"renewal_months":       strconv.Itoa(v.RenewalMonths),
		"notice_months":        strconv.Itoa(v.NoticeMonths),
		"fee":                  contractEurosInput(v.FeeCents, lang),
		"billing_period":       string(v.BillingPeriod),
		"payment_terms_days":   strconv.Itoa(v.PaymentTermsDays),
		"included_hours":       contractHoursInput(v.IncludedMinutes, lang),
		"hourly_rate":          contractEurosInput(v.HourlyRateCents, lang),
		"provider_obligations": v.ProviderObligations, "client_obligations": v.ClientObligations,
		"confidentiality": v.Confidentiality, "specific_conditions": v.SpecificConditions, "exclusions": v.Exclusions,
	}
	if ct != nil {
		m["client_id"] = ct.ClientID.String()
	}
	if v.SLAPolicyID.Valid {
		m["sla_policy_id"] = v.SLAPolicyID.UUID.String()
	}
	for i, s := range v.Services {
		m[fmt.Sprintf("service_kind_%d", i)] = string(s.Kind)
		m[fmt.Sprintf("service_description_%d", i)] = s.Description
	}
	for _, k := range v.MaintenanceKinds {
		m["maintenance_"+string(k)] = "on"
	}
	return m
}

// contractEurosInput writes cents as a form value: "1234,56" in French, "1234.56" in English.
func contractEurosInput(cents int64, lang i18n.Lang) string {
	s := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	if lang == i18n.FR {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// contractHoursInput writes minutes as hours for the form: "4", "1,5", "1,33".
func contractHoursInput(minutes int, lang i18n.Lang) string {
	s := strconv.FormatFloat(float64(minutes)/60, 'f', 2, 64)
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	if lang == i18n.FR {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// parseContractDecimal reads a non-negative decimal number with at most maxDecimals decimals, as
// people type it: "1 234,56", "1234.56", "1.234,56", "1,234.56", with or without "€" and "HT".
// It returns the number scaled by 10^maxDecimals, or a catalogue key: "negative" or "invalid".
func parseContractDecimal(s string, maxDecimals int) (int64, string) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	for _, cut := range []string{"€", "HT", "ht", "h", "H"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, cut))
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009', '\'':
			return -1
		case '\u2212', '\u2013': // minus sign, en dash
			return '-'
		}
		return r
	}, s)
	if strings.HasPrefix(s, "-") {
		if rest := strings.TrimLeft(s[1:], "0.,"); rest == "" && len(s) > 1 {
			return 0, "" // -0
		}
		return 0, "negative"
	}
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return 0, "invalid"
	}
	// The decimal separator is the last "," or "."; the other kind separates thousands. A lone
	// separator kind repeated ("1.234.567") separates thousands too.
	dec := strings.LastIndexAny(s, ",.")
	intPart, frac := s, ""
	if dec >= 0 {
		sep := s[dec]
		other := byte(',')
		if sep == ',' {
			other = '.'
		}
		grouped := s[:dec]
		thousands := other
		if strings.Count(s, string(sep)) > 1 {
			grouped, frac, thousands = s, "", sep
			if strings.IndexByte(s, other) >= 0 {
				return 0, "invalid"
			}
		} else {
			frac = s[dec+1:]
		}
		// Thousands separators must separate thousands: "1,234.5", not "1,2,3.4".
		groups := strings.Split(grouped, string(thousands))
		for i, g := range groups {
			if i > 0 && len(g) != 3 || i == 0 && len(groups) > 1 && (len(g) == 0 || len(g) > 3) {
				return 0, "invalid"
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" {
		intPart = "0"
	}
	if !contractDigits(intPart) || (frac != "" && !contractDigits(frac)) || len(frac) > maxDecimals || len(intPart) > 15 {
		return 0, "invalid"
	}
	frac += strings.Repeat("0", maxDecimals-len(frac))
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, "invalid"
	}
	return n, ""
}

func contractDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// contractForm is what the contract form submitted.
type contractForm struct {
	ClientID      uuid.UUID
	Terms         *contracts.Version
	Reason        string
	EffectiveFrom time.Time
	Version       int
	// Values are the raw inputs, to give the form back as the user left it.
	Values map[string]string
	// rows maps the i-th non-empty service to its form row.
	rows []int
}

// readContractForm parses the form; problems are the inputs that could not be read at all (the
// domain checks the rest).
func readContractForm(c *fiber.Ctx) (*contractForm, apperr.Fields) {
	f := &contractForm{Terms: &contracts.Version{}, Values: map[string]string{}}
	problems := apperr.Fields{}
	val := func(name string) string {
		v := c.FormValue(name)
		f.Values[name] = v
		return v
	}
	v := f.Terms
	if s := strings.TrimSpace(val("client_id")); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			problems.Add("client_id", "contract.error.client_unknown")
		}
		f.ClientID = id
	}
	v.Title = val("title")
	v.Object = val("object")
	for i := 0; i < contracts.MaxServices+1; i++ {
		kind := strings.TrimSpace(val(fmt.Sprintf("service_kind_%d", i)))
		desc := strings.TrimSpace(val(fmt.Sprintf("service_description_%d", i)))
		if kind == "" && desc == "" {
			continue
		}
		v.Services = append(v.Services, contracts.Service{Kind: contracts.ServiceKind(kind), Description: desc})
		f.rows = append(f.rows, i)
	}
	for _, k := range contracts.MaintenanceKinds() {
		if val("maintenance_"+string(k)) == "on" {
			v.MaintenanceKinds = append(v.MaintenanceKinds, k)
		}
	}
	if s := strings.TrimSpace(val("start_date")); s == "" {
		problems.Add("start_date", "error.required")
	} else if d, err := time.Parse(time.DateOnly, s); err != nil {
		problems.Add("start_date", "contract.error.date_invalid")
	} else {
		v.StartDate = d
	}
	integer := func(name string, dst *int) {
		s := strings.TrimSpace(val(name))
		if s == "" {
			problems.Add(name, "error.required")
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			problems.Add(name, "contract.error.number_invalid")
			return
		}
		*dst = n
	}
	integer("initial_months", &v.InitialMonths)
	integer("renewal_months", &v.RenewalMonths)
	integer("notice_months", &v.NoticeMonths)
	integer("payment_terms_days", &v.PaymentTermsDays)
	v.TerminationTerms = val("termination_terms")
	money := func(name string, required bool, dst *int64) {
		s := strings.TrimSpace(val(name))
		if s == "" {
			if required {
				problems.Add(name, "error.required")
			}
			return
		}
		n, problem := parseContractDecimal(s, 2)
		switch problem {
		case "negative":
			problems.Add(name, "contract.error.amount_negative")
		case "invalid":
			problems.Add(name, "contract.error.amount_invalid")
		default:
			*dst = n
		}
	}
	money("fee", true, &v.FeeCents)
	money("hourly_rate", false, &v.HourlyRateCents)
	v.BillingPeriod = contracts.BillingPeriod(val("billing_period"))
	if s := strings.TrimSpace(val("included_hours")); s != "" {
		hundredths, problem := parseContractDecimal(s, 2)
		switch problem {
		case "negative":
			problems.Add("included_hours", "contract.error.included_hours")
		case "invalid":
			problems.Add("included_hours", "contract.error.hours_invalid")
		default:
			if hundredths > 1_000_000 {
				problems.Add("included_hours", "contract.error.included_hours")
			} else {
				v.IncludedMinutes = int((hundredths*60 + 50) / 100)
			}
		}
	}
	if s := strings.TrimSpace(val("sla_policy_id")); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			problems.Add("sla_policy_id", "contract.error.policy_unknown")
		} else {
			v.SLAPolicyID = uuid.NullUUID{UUID: id, Valid: true}
		}
	}
	v.ProviderObligations = val("provider_obligations")
	v.ClientObligations = val("client_obligations")
	v.Confidentiality = val("confidentiality")
	v.SpecificConditions = val("specific_conditions")
	v.Exclusions = val("exclusions")
	f.Reason = val("reason")
	if s := strings.TrimSpace(val("effective_from")); s != "" {
		if d, err := time.Parse(time.DateOnly, s); err != nil {
			problems.Add("effective_from", "contract.error.date_invalid")
		} else {
			f.EffectiveFrom = d
		}
	}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	return f, problems
}

// formFields turns the domain's field names into the form's (services are numbered among the
// non-empty rows by the domain, by form row here).
func (f *contractForm) formFields(fields map[string]string, into apperr.Fields) {
	for k, msg := range fields {
		var i int
		var part string
		if n, _ := fmt.Sscanf(k, "services.%d.%s", &i, &part); n == 2 && i >= 0 && i < len(f.rows) {
			into.Add(fmt.Sprintf("service_%s_%d", part, f.rows[i]), msg)
			continue
		}
		into.Add(k, msg)
	}
}

// handleContractNew handles the "GET /admin/contracts/new" route; ?client=<id> chooses the client.
func (h *handler) handleContractNew(c *fiber.Ctx) error {
	today := h.Today()
	form := map[string]string{
		"start_date": today.Format(time.DateOnly), "initial_months": "12", "renewal_months": "12", "notice_months": "3",
		"billing_period": string(contracts.BillingMonthly), "payment_terms_days": "30", "included_hours": "0",
		"maintenance_preventive": "on", "maintenance_corrective": "on",
	}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		form["client_id"] = id.String()
	}
	tpl, err := h.prefillFromTemplate(c, form)
	if err != nil {
		return err
	}
	p, err := h.newContractFormPage(c, nil, form)
	if err != nil {
		return err
	}
	if err := h.offerTemplates(c, p, tpl); err != nil {
		return err
	}
	if len(p.Policies) == 1 {
		form["sla_policy_id"] = p.Policies[0].ID.String()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/contracts/form", p)
}

// handleContractCreate handles the "POST /admin/contracts" route: a new draft.
func (h *handler) handleContractCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, problems := readContractForm(c)
	ct := &contracts.Contract{ClientID: f.ClientID}
	tpl, err := h.formTemplate(c, f.Values, problems)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			if err := contracts.Create(ctx, tx, ct, f.Terms, web.CurrentUser(c).ID, h.Now().In(h.Config.Location)); err != nil {
				return err
			}
			details := map[string]any{"reference": ct.Reference, "title": f.Terms.Title}
			if tpl != nil {
				if err := h.applyTemplate(ctx, tx, c, ct, tpl); err != nil {
					return err
				}
				details["template"] = tpl.Name
			}
			return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
				Action: audit.ContractCreated, TargetType: "contract", TargetID: ct.ID.String(), ClientID: ct.ClientID,
				Details: details,
			})
		})
	} else {
		// Say everything at once: the domain's problems with the inputs that could be read too.
		if derr := contracts.CheckTerms(ctx, h.DB.Bun, f.Terms); derr != nil && apperr.KindOf(derr) != apperr.Invalid {
			return derr
		} else {
			f.formFields(apperr.FieldsOf(derr), problems)
		}
		err = problems.Err()
	}
	if apperr.KindOf(err) == apperr.Invalid {
		all := apperr.Fields{}
		f.formFields(apperr.FieldsOf(err), all)
		p, perr := h.newContractFormPage(c, nil, f.Values)
		if perr != nil {
			return perr
		}
		if perr := h.offerTemplates(c, p, tpl); perr != nil {
			return perr
		}
		p.Errors = all
		if e, ok := apperr.As(err); ok && len(all) == 0 {
			p.Message = e.Message
		}
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/contracts/form", p)
	}
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "contracts.flash.created", "Reference", ct.Reference))
	return h.Redirect(c, contractsPath+"/"+ct.ID.String())
}

// handleContractEdit handles the "GET /admin/contracts/:id/edit" route: the whole form for a draft,
// the same with a reason and an effective date for an amendment of a running contract.
func (h *handler) handleContractEdit(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ct, err := contracts.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	if ct.Status.IsOver() {
		return apperr.Conflictf("contract.error.not_editable")
	}
	form := contractFormValues(ct, ct.Terms, web.Lang(c))
	if ct.Status.IsRunning() {
		form["effective_from"] = h.Today().Format(time.DateOnly)
	}
	p, err := h.newContractFormPage(c, ct, form)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/contracts/form", p)
}

// handleContractUpdate handles the "POST /admin/contracts/:id" route: a draft is changed in place,
// a running contract gets an amendment. A form read before someone else's change gets 409 and the
// form back with the user's input.
func (h *handler) handleContractUpdate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	before, err := contracts.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	if before.Status.IsOver() {
		return apperr.Conflictf("contract.error.not_editable")
	}
	f, problems := readContractForm(c)
	amend := before.Status.IsRunning()
	if amend {
		f.ClientID = before.ClientID
		f.Values["client_id"] = before.ClientID.String()
	}
	if len(problems) == 0 {
		err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			var ev audit.Event
			if amend {
				if err := contracts.Amend(ctx, tx, id, f.Terms, f.Reason, f.EffectiveFrom, web.CurrentUser(c).ID, f.Version, h.Now()); err != nil {
					return err
				}
				ev = audit.Event{Action: audit.ContractAmended, Details: map[string]any{
					"reference": before.Reference, "version": f.Terms.No, "effective_from": f.Terms.EffectiveFrom.Format(time.DateOnly),
					"reason": f.Terms.Reason, "changes": contractChangedFields(before.Terms, f.Terms),
				}}
			} else {
				if err := contracts.UpdateDraft(ctx, tx, id, f.ClientID, f.Terms, f.Version, h.Now()); err != nil {
					return err
				}
				ev = audit.Event{Action: audit.ContractUpdated, Details: map[string]any{
					"reference": before.Reference, "changes": contractChangedFields(before.Terms, f.Terms),
				}}
				if f.ClientID != before.ClientID {
					ev.Details["client_before"] = before.ClientID.String()
				}
			}
			ev.TargetType, ev.TargetID, ev.ClientID = "contract", id.String(), f.ClientID
			return audit.Write(ctx, tx, h.Now(), web.Actor(c), ev)
		})
	} else {
		if derr := contracts.CheckTerms(ctx, h.DB.Bun, f.Terms); derr != nil && apperr.KindOf(derr) != apperr.Invalid {
			return derr
		} else {
			f.formFields(apperr.FieldsOf(derr), problems)
		}
		err = problems.Err()
	}
	if err == nil {
		key := "contracts.flash.updated"
		if amend {
			key = "contracts.flash.amended"
		}
		h.SetFlash(c, web.FlashSuccess, h.T(c, key, "Reference", before.Reference))
		return h.Redirect(c, contractsPath+"/"+id.String())
	}
	e, ok := apperr.As(err)
	if !ok || (e.Kind != apperr.Invalid && e.Kind != apperr.Conflict) {
		return err
	}
	// The form again, with the input, over the contract as it is now.
	cur, gerr := contracts.Get(ctx, h.DB.Bun, id)
	if gerr != nil {
		return gerr
	}
	if cur.Status.IsOver() {
		return err
	}
	status := fiber.StatusUnprocessableEntity
	p, perr := h.newContractFormPage(c, cur, f.Values)
	if perr != nil {
		return perr
	}
	if e.Kind == apperr.Conflict {
		status = fiber.StatusConflict
		p.Message = e.Message
		if p.Amend && !amend {
			// The draft was activated meanwhile: saving again makes an amendment.
			p.Message = contracts.ErrNotDraft
		}
	} else {
		all := apperr.Fields{}
		f.formFields(e.Fields, all)
		p.Errors = all
		if len(all) == 0 {
			p.Message = e.Message
		}
		p.Version = f.Version
	}
	return h.Render(c, status, "backoffice/contracts/form", p)
}

// contractChangedFields lists the catalogue keys of the terms that changed, for the audit log.
func contractChangedFields(a, b *contracts.Version) []string {
	var out []string
	for _, ch := range contracts.Diff(a, b) {
		out = append(out, strings.TrimPrefix(ch.Field, "contract.field."))
	}
	return out
}

// contractShowPage is the view model of a contract's page.
type contractShowPage struct {
	web.Page
	C         *contracts.Contract
	T         *contracts.Version
	CanManage bool
	// Deadlines.
	Start, InitialEnd, PeriodStart, PeriodEnd, NextRenewal, NoticeDeadline, EndDate *contractDate
	Period                                                                          int
	Ended                                                                           bool
	// The service level.
	Policy      *contracts.SLAPolicy
	PolicyRows  []contractPolicyRow
	PolicyHours []contractHoursRow
	Penalty     string
	// Actions and the notice.
	Actions       []contractAction
	NoticeGivenAt time.Time
	NoticePreview *contractNoticeView
	CanGiveNotice bool
	IncludedHours string
	// HoursUsed is the included hours used this month and the months before (none when the
	// contract includes no hours).
	HoursUsed      []web.HoursUsage
	History        []contractVersionView
	ActivatedAt    time.Time
	StatusChangeAt time.Time
	// Reviews are the periodic reviews with the client (contract_reviews.go).
	Reviews *contractReviewsView
}

// contractPolicyRow is one priority's targets.
type contractPolicyRow struct {
	Label      string
	Reaction   string
	Resolution string
}

// contractHoursRow is a run of weekdays with the same service hours.
type contractHoursRow struct {
	From, To string
	Hours    string
}

// contractAction is a status change offered as a button.
type contractAction struct {
	To      contracts.Status
	Label   string
	Confirm string
	Danger  bool
}

// contractNoticeView is what notice given today would do.
type contractNoticeView struct {
	EndsOn, Deadline, Renewal time.Time
	TooLate                   bool
	Reason                    string
}

// contractVersionView is one version in the history, with what changed from the previous one.
type contractVersionView struct {
	V             *contracts.Version
	EffectiveFrom time.Time
	Changes       []contractChangeView
}

// contractChangeView is a changed term written for people.
type contractChangeView struct {
	Field         string
	Before, After []string
	Long          bool
}

// contractShowData builds the contract page.
func (h *handler) contractShowData(c *fiber.Ctx, id uuid.UUID) (*contractShowPage, error) {
	ctx := c.UserContext()
	ct, err := contracts.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	lang := web.Lang(c)
	today := h.Today()
	v := ct.Terms
	p := &contractShowPage{Page: h.NewPage(c, "contracts.title"), C: ct, T: v, CanManage: web.CurrentUser(c).IsManager()}
	p.Title = ct.Reference + " · " + v.Title
	s := ct.Schedule(today)
	p.Start, p.InitialEnd = h.CivilDate(s.Start, today), h.CivilDate(s.InitialEnd, today)
	p.PeriodStart, p.PeriodEnd = h.CivilDate(s.PeriodStart, today), h.CivilDate(s.PeriodEnd, today)
	p.NextRenewal, p.NoticeDeadline = h.CivilDate(s.NextRenewal, today), h.CivilDate(s.NoticeDeadline, today)
	p.EndDate, p.Period, p.Ended = h.CivilDate(s.EndDate, today), s.Period, s.Ended()
	if !ct.ActivatedAt.IsZero() && !ct.ActivatedAt.Time.Equal(ct.StatusChangedAt) {
		p.ActivatedAt = ct.ActivatedAt.Time // said only when the status changed since
	}
	p.StatusChangeAt = ct.StatusChangedAt
	if ct.NoticeGiven() {
		p.NoticeGivenAt = ct.NoticeGivenAt.Time
	}
	p.IncludedHours = h.IncludedHoursText(c, v.IncludedMinutes)
	if p.HoursUsed, err = h.ContractHours(c, h.DB.Bun, ct); err != nil {
		return nil, err
	}

	if v.SLAPolicyID.Valid {
		pol, err := contracts.GetSLAPolicy(ctx, h.DB.Bun, v.SLAPolicyID.UUID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
		case err != nil:
			return nil, err
		default:
			p.Policy = pol
			for _, pr := range sla.Priorities() {
				t, ok := pol.Targets[pr]
				if !ok {
					continue
				}
				p.PolicyRows = append(p.PolicyRows, contractPolicyRow{
					Label:      "contract.priority." + pr.String(),
					Reaction:   i18n.Duration(time.Duration(t.ReactionMinutes) * time.Minute),
					Resolution: i18n.Duration(time.Duration(t.ResolutionMinutes) * time.Minute),
				})
			}
			for _, g := range pol.HoursGroups() {
				p.PolicyHours = append(p.PolicyHours, contractHoursRow{From: g.From, To: g.To, Hours: strings.Join(g.Hours, ", ")})
			}
			if pol.PenaltyBPPerHour > 0 {
				args := []any{"Rate", contractPercent(pol.PenaltyBPPerHour, lang)}
				key := "contract.sla.penalty_uncapped"
				if pol.PenaltyCapBP > 0 {
					key = "contract.sla.penalty"
					args = append(args, "Cap", contractPercent(pol.PenaltyCapBP, lang))
				}
				p.Penalty = h.T(c, key, args...)
			}
		}
	}

	if p.CanManage {
		for _, to := range ct.Status.Next() {
			if to == contracts.StatusExpired && !s.Ended() {
				continue // the end date has not passed: nothing expires yet
			}
			p.Actions = append(p.Actions, contractAction{
				To: to, Label: "contract.action." + string(ct.Status) + "." + string(to),
				Confirm: h.T(c, "contract.confirm."+string(ct.Status)+"."+string(to), "Reference", ct.Reference),
				Danger:  to == contracts.StatusTerminated,
			})
		}
		if ct.Status.IsRunning() && !ct.NoticeGiven() {
			n := v.Dates().NoticeEffect(today)
			p.CanGiveNotice = true
			p.NoticePreview = &contractNoticeView{
				EndsOn: h.Noon(n.EndsOn), Deadline: h.Noon(n.Deadline), Renewal: h.Noon(n.Renewal),
				TooLate: n.TooLate, Reason: n.Reason,
			}
		}
	}

	versions, err := contracts.Versions(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	policyNames := map[string]string{}
	all, err := contracts.ListSLAPolicies(ctx, h.DB.Bun, true)
	if err != nil {
		return nil, err
	}
	for _, pol := range all {
		policyNames[pol.ID.String()] = pol.Name
	}
	// The preventive plan is part of the terms; its changes are amendments too (app/scheduling).
	plans, err := contracts.Plans(ctx, h.DB.Bun, id, len(versions))
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
	if p.Reviews, err = h.contractReviews(c, ct); err != nil {
		return nil, err
	}
	return p, nil
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

// contractChange writes a change's values for people.
func (h *handler) contractChange(c *fiber.Ctx, ch contracts.Change, policyNames map[string]string) contractChangeView {
	return contractChangeView{Field: ch.Field, Before: h.ContractChangeValue(c, ch.Kind, ch.Before, policyNames),
		After: h.ContractChangeValue(c, ch.Kind, ch.After, policyNames), Long: ch.Kind == contracts.ChangeText}
}

// handleContractShow handles the "GET /admin/contracts/:id" route: the whole contract in plain
// words, its deadlines, the actions its status allows, and its amendments.
func (h *handler) handleContractShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	p, err := h.contractShowData(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/contracts/show", p)
}

// contractShowAgain renders the contract page with a problem: a refused transition (409) or a
// field to correct (422).
func (h *handler) contractShowAgain(c *fiber.Ctx, id uuid.UUID, err error, field string, form map[string]string) error {
	e, ok := apperr.As(err)
	if !ok || (e.Kind != apperr.Invalid && e.Kind != apperr.Conflict) {
		return err
	}
	p, perr := h.contractShowData(c, id)
	if perr != nil {
		return perr
	}
	p.Form = form
	status := fiber.StatusConflict
	if e.Kind == apperr.Invalid {
		status = fiber.StatusUnprocessableEntity
		p.Errors = map[string]string{}
		for k, msg := range e.Fields {
			if k == "reason" {
				k = field
			}
			p.Errors[k] = msg
		}
	} else {
		p.Message = e.Message
	}
	return h.Render(c, status, "backoffice/contracts/show", p)
}

// handleContractStatus handles the "POST /admin/contracts/:id/status" route: activate, suspend,
// resume, terminate or mark expired, with an optional reason.
func (h *handler) handleContractStatus(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	if _, err := contracts.Get(c.UserContext(), h.DB.Bun, id); err != nil {
		return err
	}
	to := contracts.Status(c.FormValue("to"))
	reason := c.FormValue("status_reason")
	version, _ := strconv.Atoi(c.FormValue("version"))
	var after *contracts.Contract
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		ct, from, err := contracts.Transition(ctx, tx, id, to, reason, version, h.Now())
		if err != nil {
			return err
		}
		after = ct
		if err := audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.ContractStatusChanged, TargetType: "contract", TargetID: id.String(), ClientID: ct.ClientID,
			Details: map[string]any{"reference": ct.Reference, "from": string(from), "to": string(to), "reason": ct.StatusReason},
		}); err != nil {
			return err
		}
		// The preventive plan follows at once: activated, its visits are planned; ended, its future
		// visits are cancelled (the hourly generation would do it too).
		_, err = scheduling.GenerateContract(ctx, tx, id, web.Actor(c), h.Now(), h.Config.Location, scheduling.DefaultHorizonDays)
		return err
	})
	if err != nil {
		return h.contractShowAgain(c, id, err, "status_reason", map[string]string{"status_reason": reason})
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "contracts.flash.status."+string(to), "Reference", after.Reference))
	return h.Redirect(c, contractsPath+"/"+id.String())
}

// handleContractNotice handles the "POST /admin/contracts/:id/notice" route: staff record a
// termination notice the client sent by letter or e-mail; the end date follows from the notice
// period.
func (h *handler) handleContractNotice(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	if _, err := contracts.Get(c.UserContext(), h.DB.Bun, id); err != nil {
		return err
	}
	reason := c.FormValue("notice_reason")
	form := map[string]string{"notice_reason": reason}
	if strings.TrimSpace(reason) == "" {
		return h.contractShowAgain(c, id, apperr.Fields{"notice_reason": "contract.error.notice_reason_required"}.Err(), "notice_reason", form)
	}
	u := web.CurrentUser(c)
	var after *contracts.Contract
	var n contracts.Notice
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		after, n, err = contracts.RecordNotice(ctx, tx, id, u.ID, u.Name, reason, h.Now(), h.Today())
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.ContractNoticeRecorded, TargetType: "contract", TargetID: id.String(), ClientID: after.ClientID,
			Details: map[string]any{"reference": after.Reference, "ends_on": n.EndsOn.Format(time.DateOnly), "too_late": n.TooLate},
		})
	})
	if err != nil {
		return h.contractShowAgain(c, id, err, "notice_reason", form)
	}
	key := "contracts.flash.notice"
	if n.TooLate {
		key = "contracts.flash.notice_late"
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, key, "Reference", after.Reference, "EndsOn", i18n.Date(web.Lang(c), n.EndsOn)))
	return h.Redirect(c, contractsPath+"/"+id.String())
}
