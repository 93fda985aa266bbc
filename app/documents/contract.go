package documents

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/i18n"
	"maintenant/app/provider"
	"maintenant/app/sla"
)

// Translate returns the catalogue message id in the reader's language, with name/value arguments
// ("Count" chooses the plural form); the web layer passes its catalogue bound to the request, so
// documents never import the web.
type Translate func(id string, args ...any) string

// ContractData is what the contract document prints.
type ContractData struct {
	// Contract carries its reference, status, notice and current terms (Terms, required).
	Contract *contracts.Contract
	// Versions are every version of the terms, the original first (contracts.Versions): the
	// amendment history.
	Versions []*contracts.Version
	// Policy is the service-level policy of the current terms, nil when there is none.
	Policy   *contracts.SLAPolicy
	Provider *provider.Organisation
	Client   *clients.Client
	// Today is the provider's day (a civil date, contracts.Day): the document's date and the day the
	// deadlines are computed for.
	Today time.Time
	// Location is the provider's time zone, for instants such as when notice was given (nil: UTC).
	Location *time.Location
	// Plan is the preventive maintenance plan of the terms, one task per line written for the
	// reader (web.PlanTermsLines); empty when the contract has none.
	Plan []string
	// PlanChanged tells, by index in Versions, which versions changed the plan (an amendment of the
	// plan alone changes no other term).
	PlanChanged []bool
}

// Contract renders a maintenance contract as a PDF with every clause: the parties, the object, the
// services covered, the duration with its computed dates, the money, the service level, the
// obligations of each side, confidentiality, specific conditions and exclusions, the amendment
// history and the signature blocks. t gives every label in the reader's language and money formats
// amounts of cents; the same data gives the same bytes.
func Contract(d ContractData, t Translate, money func(cents int64) string) ([]byte, error) {
	ct, v := d.Contract, d.Contract.Terms
	if v == nil {
		return nil, fmt.Errorf("documents: contract %s: no terms", ct.Reference)
	}
	w := &contractWriter{t: t, money: money, data: d}
	org := d.Provider
	doc := New(Meta{
		Title: t("documents.contract.title"), Reference: ct.Reference, Date: contracts.Day(d.Today),
		DateLabel: t("documents.issued_on"), Provider: providerParty(org), Footer: w.footer(),
		PageLabel: t("documents.page"), SIRENLabel: t("documents.siren"), VATLabel: t("documents.vat"),
	})
	w.doc = doc
	pdf := doc.pdf
	pdf.SetSubject(t("documents.contract.title")+" "+ct.Reference+" · "+v.Title, true)

	// Title block.
	pdf.SetFont("dejavu", "B", 15)
	pdf.MultiCell(bodyWidth, 7, v.Title, "", "L", false)
	pdf.SetFont("dejavu", "", 9)
	pdf.SetTextColor(71, 85, 105)
	in := t("contracts.history.original")
	if v.IsAmendment() {
		in = t("contracts.history.amendment", "No", v.No)
	}
	pdf.MultiCell(bodyWidth, 4.5, t("documents.contract.subtitle", "Reference", ct.Reference,
		"Status", t(ct.Status.Label()), "Version", in, "Date", date(v.EffectiveFrom)), "", "L", false)
	if ct.Status == contracts.StatusDraft {
		pdf.SetTextColor(180, 83, 9)
		pdf.MultiCell(bodyWidth, 4.5, t("documents.contract.draft_notice"), "", "L", false)
	}
	pdf.SetTextColor(15, 23, 42)
	pdf.Ln(3)

	// Parties.
	w.heading(t("documents.contract.between"))
	doc.Parties(t("documents.contract.provider_role"), providerParty(org), t("documents.contract.client_role"), clientParty(d.Client))
	w.note(t("documents.contract.agreed"))

	w.article(t("contract.field.object"))
	w.text(v.Object)

	w.article(t("contract.field.services"))
	w.services()

	w.article(t("contracts.form.duration"))
	w.duration()

	w.article(t("contracts.form.money"))
	w.finances()

	w.article(t("contract.field.sla_policy"))
	w.serviceLevel()

	for _, clause := range []struct{ label, text string }{
		{"contract.field.provider_obligations", v.ProviderObligations},
		{"contract.field.client_obligations", v.ClientObligations},
		{"contract.field.confidentiality", v.Confidentiality},
		{"contract.field.specific_conditions", v.SpecificConditions},
		{"contract.field.exclusions", v.Exclusions},
	} {
		w.article(t(clause.label))
		w.text(clause.text)
	}

	w.article(t("contracts.show.history"))
	w.history()

	w.signatures()
	return doc.Bytes()
}

// contractWriter writes the contract's sections in order, numbering the articles.
type contractWriter struct {
	doc   *Doc
	t     Translate
	money func(int64) string
	data  ContractData
	n     int
}

// providerParty is the provider as a party of a document.
func providerParty(o *provider.Organisation) Party {
	p := Party{Name: o.Name, SIREN: o.SIREN, VATNumber: o.VATNumber, Email: o.Email, Phone: o.Phone}
	if o.LegalForm != "" {
		p.Lines = append(p.Lines, o.LegalForm)
	}
	p.Lines = append(p.Lines, o.AddressLines()...)
	return p
}

// clientParty is the client as a party of a document: its name, billing address, SIREN and VAT
// number.
func clientParty(c *clients.Client) Party {
	p := Party{Name: c.Name, SIREN: c.SIREN, VATNumber: c.VATNumber, Email: c.BillingEmail, Phone: c.Phone}
	for _, l := range []string{c.AddressLine1, c.AddressLine2, strings.TrimSpace(c.PostalCode + " " + c.City)} {
		if l != "" {
			p.Lines = append(p.Lines, l)
		}
	}
	if c.Country != "" && c.Country != "FR" {
		p.Lines = append(p.Lines, c.Country)
	}
	if p.SIREN == "" && len(c.SIRET) >= 9 {
		p.SIREN = c.SIRET[:9]
	}
	return p
}

// footer is the provider's legal mention at the bottom of every page.
func (w *contractWriter) footer() string {
	o := w.data.Provider
	parts := []string{o.Name}
	if o.LegalForm != "" {
		parts = append(parts, o.LegalForm)
	}
	if o.SIREN != "" {
		parts = append(parts, w.t("documents.siren")+" "+o.SIREN)
	}
	if o.VATNumber != "" {
		parts = append(parts, w.t("documents.vat")+" "+o.VATNumber)
	}
	if lines := o.AddressLines(); len(lines) > 0 {
		parts = append(parts, strings.Join(lines, ", "))
	}
	return strings.Join(parts, " · ")
}

// date writes a civil date the French way (the document's dates are the same in both languages).
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}

// article starts the next numbered article.
func (w *contractWriter) article(title string) {
	w.n++
	w.heading(w.t("documents.article", "N", w.n, "Title", title))
}

func (w *contractWriter) heading(text string) {
	w.doc.Heading(text)
}

// subheading writes a title inside an article, kept with at least a few lines of what follows.
func (w *contractWriter) subheading(text string) {
	p := w.doc.pdf
	if p.GetY() > 255 {
		p.AddPage()
	}
	p.Ln(1)
	p.SetFont("dejavu", "B", 9.5)
	p.MultiCell(bodyWidth, 5, text, "", "L", false)
	p.Ln(0.5)
}

// text writes a clause entered by people, or says it was not specified.
func (w *contractWriter) text(s string) {
	if strings.TrimSpace(s) == "" {
		w.note(w.t("contracts.show.not_specified"))
		return
	}
	w.doc.Paragraph(s)
}

// note writes a short sentence of the document itself, in a quieter grey.
func (w *contractWriter) note(s string) {
	p := w.doc.pdf
	p.SetFont("dejavu", "", 9)
	p.SetTextColor(51, 65, 85)
	p.MultiCell(bodyWidth, 4.6, s, "", "L", false)
	p.SetTextColor(15, 23, 42)
	p.Ln(1)
}

// bullets writes a list, one item per line.
func (w *contractWriter) bullets(items []string) {
	p := w.doc.pdf
	p.SetFont("dejavu", "", 9.5)
	for _, it := range items {
		y := p.GetY()
		if y > 268 {
			p.AddPage()
			y = p.GetY()
		}
		p.SetXY(margin+1, y)
		p.CellFormat(4, lineH, "•", "", 0, "L", false, 0, "")
		p.MultiCell(bodyWidth-5, lineH, it, "", "L", false)
	}
	p.Ln(1)
}

// table writes a table, starting a new page first when not even its header and a row would fit.
func (w *contractWriter) table(headers []string, widths []float64, aligns []string, rows [][]string) {
	if w.doc.pdf.GetY() > 245 {
		w.doc.pdf.AddPage()
	}
	w.doc.Table(headers, widths, aligns, rows)
}

func (w *contractWriter) services() {
	t, v := w.t, w.data.Contract.Terms
	rows := make([][]string, 0, len(v.Services))
	for _, s := range v.Services {
		rows = append(rows, []string{t(s.Kind.Label()), s.Description})
	}
	if len(rows) == 0 {
		w.note(t("contracts.show.none"))
	} else {
		w.table([]string{t("contract.field.service_kind"), t("contract.field.service_description")},
			[]float64{0.3, 0.7}, []string{"L", "L"}, rows)
	}
	w.subheading(t("contract.field.maintenance_kinds"))
	if len(v.MaintenanceKinds) == 0 {
		w.note(t("contracts.show.none"))
		return
	}
	var items []string
	for _, k := range v.MaintenanceKinds {
		items = append(items, t(k.Label())+t("contract.colon")+" "+t("contract.maintenance_explain."+string(k)))
	}
	w.bullets(items)
	w.note(t("documents.contract.maintenance_only"))
	if len(w.data.Plan) > 0 {
		w.subheading(t("schedule.plan.heading"))
		w.bullets(w.data.Plan)
	}
}

func (w *contractWriter) duration() {
	t, ct, v := w.t, w.data.Contract, w.data.Contract.Terms
	s := ct.Schedule(w.data.Today)
	months := func(n int) string { return t("contract.months", "Count", n) }
	switch {
	case v.RenewalMonths > 0 && v.NoticeMonths > 0:
		w.note(t("documents.contract.term_renewing", "Initial", months(v.InitialMonths), "Start", date(v.StartDate),
			"Renewal", months(v.RenewalMonths), "Notice", months(v.NoticeMonths)))
	case v.RenewalMonths > 0:
		w.note(t("documents.contract.term_renewing_no_notice", "Initial", months(v.InitialMonths), "Start", date(v.StartDate),
			"Renewal", months(v.RenewalMonths)))
	default:
		w.note(t("documents.contract.term_fixed", "Initial", months(v.InitialMonths), "Start", date(v.StartDate),
			"End", date(s.InitialEnd)))
	}
	rows := [][2]string{
		{t("contract.field.start_date"), date(v.StartDate)},
		{t("contract.field.initial_months"), months(v.InitialMonths) + " (" + t("contracts.show.until") + " " + date(s.InitialEnd) + ")"},
	}
	if v.RenewalMonths > 0 {
		rows = append(rows, [2]string{t("contract.field.renewal"), t("contract.renewal_every", "Count", v.RenewalMonths)})
	} else {
		rows = append(rows, [2]string{t("contract.field.renewal"), t("contract.renewal_none")})
	}
	notice := t("contract.notice_none")
	if v.NoticeMonths > 0 {
		notice = months(v.NoticeMonths)
	}
	rows = append(rows, [2]string{t("contract.field.notice_months"), notice})
	if !ct.Status.IsOver() {
		if !s.NextRenewal.IsZero() {
			rows = append(rows, [2]string{t("contract.deadline.renewal"), date(s.NextRenewal)})
		}
		if !s.NoticeDeadline.IsZero() {
			rows = append(rows, [2]string{t("contract.deadline.notice"), date(s.NoticeDeadline)})
		}
	}
	if !s.EndDate.IsZero() {
		rows = append(rows, [2]string{t("contract.deadline.end"), date(s.EndDate)})
	}
	w.doc.KeyValues(rows)
	if ct.NoticeGiven() {
		by := ct.NoticeGivenByLabel
		if by == "" {
			by = "—"
		}
		w.note(t("documents.contract.notice_given", "At", date(ct.NoticeGivenAt.Time.In(w.location())), "By", by,
			"EndsOn", date(ct.EndsOnDate())))
	}
	w.subheading(t("contract.field.termination_terms"))
	w.text(v.TerminationTerms)
}

// location is the provider's zone, for instants such as the notice's.
func (w *contractWriter) location() *time.Location {
	if w.data.Location != nil {
		return w.data.Location
	}
	return time.UTC
}

func (w *contractWriter) finances() {
	t, v := w.t, w.data.Contract.Terms
	payment := t("contract.payment_on_receipt")
	if v.PaymentTermsDays > 0 {
		payment = t("contract.payment_days", "Count", v.PaymentTermsDays)
	}
	included := t("contract.included_none")
	if v.IncludedMinutes > 0 {
		included = t("contract.included_per_month", "Hours", i18n.Duration(time.Duration(v.IncludedMinutes)*time.Minute))
	}
	rate := t("documents.contract.not_provided")
	if v.HourlyRateCents > 0 {
		rate = t("contract.rate_per_hour", "Amount", w.money(v.HourlyRateCents))
	}
	w.doc.KeyValues([][2]string{
		{t("contract.field.fee"), t("contract.fee_per."+string(v.BillingPeriod), "Amount", w.money(v.FeeCents))},
		{t("contract.field.billing_period"), t(v.BillingPeriod.Label())},
		{t("contract.field.payment_terms_days"), payment},
		{t("contract.field.included_hours"), included},
		{t("contract.field.hourly_rate"), rate},
	})
	note := t("documents.contract.money_ht")
	if v.IncludedMinutes > 0 && v.HourlyRateCents > 0 {
		note += " " + t("documents.contract.money_extra_time")
	}
	w.note(note)
}

func (w *contractWriter) serviceLevel() {
	t, pol := w.t, w.data.Policy
	if pol == nil {
		w.note(t("contracts.show.no_policy"))
		return
	}
	w.doc.KeyValues([][2]string{{t("documents.contract.policy"), pol.Name}})
	if strings.TrimSpace(pol.Description) != "" {
		w.doc.Paragraph(pol.Description)
	}

	w.subheading(t("contract.sla.hours"))
	var days [][2]string
	for _, day := range contracts.SLAWeekdays {
		hours := t("documents.contract.closed")
		if spans := pol.Hours[day]; len(spans) > 0 {
			hours = strings.Join(spans, ", ")
			if len(spans) == 1 && spans[0] == "00:00-24:00" {
				hours = t("documents.contract.all_day")
			}
			hours = strings.ReplaceAll(hours, "-", " – ")
		}
		days = append(days, [2]string{t("contract.weekday." + day), hours})
	}
	w.doc.KeyValues(days)
	switch {
	case pol.FrenchHolidays && pol.AlsaceMoselle:
		w.note(t("documents.contract.holidays_alsace"))
	case pol.FrenchHolidays:
		w.note(t("documents.contract.holidays_closed"))
	default:
		w.note(t("contract.sla.holidays_open"))
	}
	if len(pol.Closures) > 0 {
		var ds []string
		for _, c := range pol.Closures {
			ds = append(ds, date(c))
		}
		w.note(t("documents.contract.closures", "Days", strings.Join(ds, ", ")))
	}

	w.subheading(t("contract.sla.targets"))
	var rows [][]string
	for _, pr := range sla.Priorities() {
		tg, ok := pol.Targets[pr]
		if !ok {
			continue
		}
		rows = append(rows, []string{t("contract.priority." + pr.String()),
			i18n.Duration(tg.Reaction()), i18n.Duration(tg.Resolution())})
	}
	if len(rows) > 0 {
		w.table([]string{t("contract.sla.priority"), t("contract.sla.reaction"), t("contract.sla.resolution")},
			[]float64{0.3, 0.35, 0.35}, []string{"L", "L", "L"}, rows)
	}
	w.note(t("documents.contract.business_time"))

	w.subheading(t("contract.sla.penalty_heading"))
	switch {
	case pol.PenaltyBPPerHour == 0:
		w.note(t("contract.sla.no_penalty"))
	case pol.PenaltyCapBP == 0:
		w.doc.Paragraph(t("contract.sla.penalty_uncapped", "Rate", w.percent(pol.PenaltyBPPerHour)))
	default:
		w.doc.Paragraph(t("contract.sla.penalty", "Rate", w.percent(pol.PenaltyBPPerHour), "Cap", w.percent(pol.PenaltyCapBP)))
	}
}

// percent writes basis points as a percentage in the reader's language: 150 → "1,5 %".
func (w *contractWriter) percent(bp int) string {
	s := new(big.Rat).SetFrac64(int64(bp), 100).FloatString(2)
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	s = strings.Replace(s, ".", w.t("documents.decimal_mark"), 1)
	return w.t("documents.percent", "Value", s)
}

func (w *contractWriter) history() {
	t := w.t
	var rows [][]string
	var prev *contracts.Version
	for i, v := range w.data.Versions {
		name := t("contracts.history.original")
		if v.IsAmendment() {
			name = t("contracts.history.amendment", "No", v.No)
		}
		reason := v.Reason
		if !v.IsAmendment() {
			reason = t("documents.contract.original_reason")
		}
		var changed []string
		if prev != nil {
			for _, ch := range contracts.Diff(prev, v) {
				changed = append(changed, t(ch.Field))
			}
			if i < len(w.data.PlanChanged) && w.data.PlanChanged[i] {
				changed = append(changed, t("schedule.plan.heading"))
			}
		}
		rows = append(rows, []string{name, date(v.EffectiveFrom), reason, strings.Join(changed, ", ")})
		prev = v
	}
	if len(rows) == 0 {
		w.note(t("contracts.show.none"))
		return
	}
	w.table([]string{t("documents.contract.version"), t("contract.field.effective_from"), t("documents.contract.reason"),
		t("documents.contract.changes")}, []float64{0.19, 0.14, 0.32, 0.35}, []string{"L", "L", "L", "L"}, rows)
}

// signatures writes the closing words and one signature block per party: who signs for it, the
// date, and room for "Lu et approuvé" and the signature.
func (w *contractWriter) signatures() {
	t, p := w.t, w.doc.pdf
	const blockH = 52.0
	if p.GetY() > 297-22-blockH-18 {
		p.AddPage()
	}
	w.heading(t("documents.contract.signatures"))
	w.note(t("documents.contract.copies"))
	y := p.GetY() + 1
	colW := (bodyWidth - 8) / 2
	block := func(x float64, role, party string) {
		p.SetXY(x, y)
		p.SetFont("dejavu", "B", 9)
		p.CellFormat(colW, 5, role, "", 2, "L", false, 0, "")
		p.SetX(x)
		p.SetFont("dejavu", "", 9)
		p.CellFormat(colW, 5, party, "", 2, "L", false, 0, "")
		top := p.GetY() + 1
		p.SetDrawColor(148, 163, 184)
		p.Rect(x, top, colW, blockH-12, "D")
		p.SetFont("dejavu", "", 8.5)
		p.SetTextColor(51, 65, 85)
		for i, label := range []string{t("documents.contract.sign_name"), t("documents.contract.sign_date")} {
			p.SetXY(x+2, top+2+float64(i)*7)
			p.CellFormat(colW-4, 5, label, "", 0, "L", false, 0, "")
			lx := x + 2 + p.GetStringWidth(label) + 2
			p.SetDrawColor(203, 213, 225)
			p.Line(lx, top+6+float64(i)*7, x+colW-3, top+6+float64(i)*7)
		}
		p.SetXY(x+2, top+17)
		p.MultiCell(colW-4, 4.2, t("documents.contract.sign_mention"), "", "L", false)
		p.SetTextColor(15, 23, 42)
	}
	block(margin, t("documents.contract.sign_provider"), w.data.Provider.Name)
	block(margin+colW+8, t("documents.contract.sign_client"), w.data.Client.Name)
	p.SetXY(margin, y+blockH)
}
