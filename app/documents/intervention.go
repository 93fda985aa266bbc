package documents

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // signatures drawn on a phone may come as JPEG
	"image/png"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"maintenant/app/clients"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/provider"
)

// InterventionData is what the intervention sheet prints.
type InterventionData struct {
	// Sheet is the intervention with every part of its sheet (interventions.GetSheet).
	Sheet    *interventions.Sheet
	Provider *provider.Organisation
	Client   *clients.Client
	// TicketReference is the reference of the fault report the intervention answers ("" when none).
	TicketReference string
	// Entry is the register entry of the completion with the sheet's cost (nil while the sheet is
	// open).
	Entry *interventions.RegisterEntry
	// Lang formats the instants (the hour is written differently in English).
	Lang i18n.Lang
	// Location is the provider's time zone, for the instants (nil: UTC).
	Location *time.Location
}

// maxSignaturePixels bounds the drawn signature decoded for the document (a canvas is far smaller).
const maxSignaturePixels = 4000 * 4000

// Intervention renders an intervention sheet as a PDF: the parties, the header of the intervention,
// the time by category with its totals, what was done and what remains on each equipment item or
// service, the material handed over, the summary for the client (never the internal notes), the
// cost once completed, the client's signature or where it is expected, and the addenda. t gives
// every label in the reader's language and money formats amounts of cents; the same data gives the
// same bytes.
func Intervention(d InterventionData, t Translate, money func(cents int64) string) ([]byte, error) {
	s := d.Sheet
	if s == nil || s.Intervention == nil {
		return nil, fmt.Errorf("documents: intervention: no sheet")
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	w := &sheetWriter{t: t, money: money, data: d, loc: loc}
	issued := s.CompletedAt
	if issued.IsZero() {
		issued = s.UpdatedAt
	}
	doc := New(Meta{
		Title: t("documents.sheet.title"), Reference: s.Reference(), Date: issued.In(loc),
		DateLabel: t("documents.issued_on"), Provider: providerParty(d.Provider), Footer: legalFooter(d.Provider, t),
		PageLabel: t("documents.page"), SIRENLabel: t("documents.siren"), VATLabel: t("documents.vat"),
	})
	w.doc = doc
	pdf := doc.pdf
	pdf.SetSubject(t("documents.sheet.title")+" "+s.Reference()+" · "+s.Title, true)

	pdf.SetFont("dejavu", "B", 15)
	pdf.MultiCell(bodyWidth, 7, s.Title, "", "L", false)
	pdf.SetFont("dejavu", "", 9)
	pdf.SetTextColor(71, 85, 105)
	pdf.MultiCell(bodyWidth, 4.5, t("documents.sheet.subtitle", "Reference", s.Reference(), "Kind", t(s.Kind.Label()),
		"Place", t(s.Place.Label()), "Status", t(s.Status.Label())), "", "L", false)
	pdf.SetTextColor(15, 23, 42)
	if !s.Status.IsFinal() {
		pdf.SetTextColor(180, 83, 9)
		pdf.MultiCell(bodyWidth, 4.5, t("documents.sheet.open_notice"), "", "L", false)
		pdf.SetTextColor(15, 23, 42)
	}
	pdf.Ln(3)

	doc.Parties(t("documents.contract.provider_role"), providerParty(d.Provider), t("documents.contract.client_role"), clientParty(d.Client))

	w.header()
	w.times()
	w.actions()
	w.materials()
	w.heading(t("documents.sheet.summary"))
	w.text(s.Summary, t("documents.sheet.no_summary"))
	w.cost()
	w.signature()
	w.addenda()
	return doc.Bytes()
}

// sheetWriter writes the sections of an intervention sheet in order.
type sheetWriter struct {
	doc   *Doc
	t     Translate
	money func(int64) string
	data  InterventionData
	loc   *time.Location
}

// legalFooter is the provider's legal mention at the bottom of every page.
func legalFooter(o *provider.Organisation, t Translate) string {
	parts := []string{o.Name}
	if o.LegalForm != "" {
		parts = append(parts, o.LegalForm)
	}
	if o.SIREN != "" {
		parts = append(parts, t("documents.siren")+" "+o.SIREN)
	}
	if o.VATNumber != "" {
		parts = append(parts, t("documents.vat")+" "+o.VATNumber)
	}
	if lines := o.AddressLines(); len(lines) > 0 {
		parts = append(parts, strings.Join(lines, ", "))
	}
	return strings.Join(parts, " · ")
}

// instant writes a moment in the provider's zone ("22/11/2026 14:05"), "" when unset.
func (w *sheetWriter) instant(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return i18n.DateTime(w.data.Lang, at.In(w.loc))
}

// minutes writes a duration of work ("1 h 30"), "—" for none.
func minutes(m int) string {
	if m == 0 {
		return "—"
	}
	return i18n.Duration(time.Duration(m) * time.Minute)
}

func (w *sheetWriter) heading(text string) { w.doc.Heading(text) }

// subheading writes a title inside a section, kept with a few lines of what follows (a table
// starts a new page below 245 mm: the title goes with it).
func (w *sheetWriter) subheading(text string) {
	p := w.doc.pdf
	if p.GetY() > 238 {
		p.AddPage()
	}
	p.Ln(1)
	p.SetFont("dejavu", "B", 9.5)
	p.MultiCell(bodyWidth, 5, text, "", "L", false)
	p.Ln(0.5)
}

// note writes a short sentence of the document itself, in a quieter grey.
func (w *sheetWriter) note(s string) {
	p := w.doc.pdf
	p.SetFont("dejavu", "", 9)
	p.SetTextColor(71, 85, 105)
	p.MultiCell(bodyWidth, 4.6, s, "", "L", false)
	p.SetTextColor(15, 23, 42)
	p.Ln(1)
}

// text writes what people typed, or the note empty when there is nothing.
func (w *sheetWriter) text(s, empty string) {
	if strings.TrimSpace(s) == "" {
		w.note(empty)
		return
	}
	w.doc.Paragraph(s)
}

// table writes a table, starting a new page first when not even its header and a row would fit.
func (w *sheetWriter) table(headers []string, widths []float64, aligns []string, rows [][]string) {
	if w.doc.pdf.GetY() > 245 {
		w.doc.pdf.AddPage()
	}
	w.doc.Table(headers, widths, aligns, rows)
}

// header writes the facts of the intervention: dates, technicians, contract and ticket.
func (w *sheetWriter) header() {
	t, s := w.t, w.data.Sheet
	w.heading(t("documents.sheet.intervention"))
	var techs []string
	for _, tc := range s.Technicians {
		techs = append(techs, tc.Name)
	}
	estimate := t("interventions.estimate.unknown")
	if s.Estimated() {
		estimate = minutes(s.EstimatedMinutes)
	}
	contract := s.ContractReference
	if !s.ContractID.Valid {
		contract = t("documents.sheet.no_contract")
	}
	rows := [][2]string{
		{t("documents.sheet.kind"), t(s.Kind.Label())},
		{t("documents.sheet.place"), t(s.Place.Label())},
		{t("documents.sheet.status"), t(s.Status.Label())},
		{t("documents.sheet.contract"), contract},
	}
	if w.data.TicketReference != "" {
		rows = append(rows, [2]string{t("documents.sheet.ticket"), w.data.TicketReference})
	}
	rows = append(rows, [2]string{t("documents.sheet.technicians"), strings.Join(techs, ", ")},
		[2]string{t("documents.sheet.estimate"), estimate})
	if !s.ScheduledAt.IsZero() {
		rows = append(rows, [2]string{t("documents.sheet.scheduled_at"), w.instant(s.ScheduledAt)})
	}
	if !s.StartedAt.IsZero() {
		rows = append(rows, [2]string{t("documents.sheet.started_at"), w.instant(s.StartedAt)})
	}
	if !s.CompletedAt.IsZero() {
		rows = append(rows, [2]string{t("documents.sheet.completed_at"), w.instant(s.CompletedAt)})
	}
	if s.Status == interventions.StatusCancelled && s.CancelReason != "" {
		rows = append(rows, [2]string{t("documents.sheet.cancel_reason"), s.CancelReason})
	}
	w.doc.KeyValues(rows)
}

// times writes the time entries grouped by category, each group with its total, then the totals.
func (w *sheetWriter) times() {
	t, s := w.t, w.data.Sheet
	w.heading(t("documents.sheet.time"))
	if len(s.TimeEntries) == 0 {
		w.note(t("documents.sheet.no_time"))
		return
	}
	type totals struct{ billable, covered int }
	sums := map[interventions.Category]*totals{}
	var all totals
	for _, cat := range interventions.Categories() {
		var rows [][]string
		sum := &totals{}
		for _, e := range s.TimeEntries {
			if e.Category != cat {
				continue
			}
			billing := t("documents.sheet.covered")
			if e.Billable {
				billing = t("documents.sheet.billable")
				sum.billable += e.Minutes
			} else {
				sum.covered += e.Minutes
			}
			rows = append(rows, []string{w.instant(e.StartedAt), e.TechnicianName, minutes(e.Minutes), billing, e.Note})
		}
		if len(rows) == 0 {
			continue
		}
		sums[cat] = sum
		all.billable += sum.billable
		all.covered += sum.covered
		w.subheading(t("documents.sheet.category_total", "Category", t(cat.Label()), "Total", minutes(sum.billable+sum.covered)))
		w.table([]string{t("documents.sheet.col.start"), t("documents.sheet.col.technician"), t("documents.sheet.col.duration"),
			t("documents.sheet.col.billing"), t("documents.sheet.col.note")},
			[]float64{0.18, 0.18, 0.1, 0.25, 0.29}, []string{"L", "L", "R", "L", "L"}, rows)
	}
	w.subheading(t("documents.sheet.time_totals"))
	var rows [][]string
	for _, cat := range interventions.Categories() {
		sum := sums[cat]
		if sum == nil {
			continue
		}
		rows = append(rows, []string{t(cat.Label()), minutes(sum.billable), minutes(sum.covered), minutes(sum.billable + sum.covered)})
	}
	rows = append(rows, []string{t("documents.sheet.total"), minutes(all.billable), minutes(all.covered), minutes(all.billable + all.covered)})
	w.table([]string{t("documents.sheet.col.category"), t("documents.sheet.billable"), t("documents.sheet.col.covered"), t("documents.sheet.total")},
		[]float64{0.4, 0.2, 0.2, 0.2}, []string{"L", "R", "R", "R"}, rows)
	w.note(t("documents.sheet.covered_explain"))
}

// actions writes what was done and what remains on each equipment item or service.
func (w *sheetWriter) actions() {
	t, s := w.t, w.data.Sheet
	w.heading(t("documents.sheet.actions"))
	if len(s.Actions) == 0 {
		w.note(t("documents.sheet.no_actions"))
		return
	}
	for _, a := range s.Actions {
		w.subheading(a.Target)
		remaining := a.Remaining
		if strings.TrimSpace(remaining) == "" {
			remaining = t("documents.sheet.nothing_remaining")
		}
		w.doc.KeyValues([][2]string{{t("documents.sheet.done"), a.Done}, {t("documents.sheet.remaining"), remaining}})
	}
}

// materials writes the material handed over, with what is billed.
func (w *sheetWriter) materials() {
	t, s := w.t, w.data.Sheet
	w.heading(t("documents.sheet.materials"))
	if len(s.Materials) == 0 {
		w.note(t("documents.sheet.no_materials"))
		return
	}
	var rows [][]string
	var billed int64
	for _, m := range s.Materials {
		billing := t("documents.sheet.material_included")
		switch {
		case m.FromQuote:
			billing = t("documents.sheet.material_quote")
		case m.Billable:
			billing = t("documents.sheet.billable")
		}
		qty := m.QuantityMilli.String()
		qty = strings.Replace(qty, ".", t("documents.decimal_mark"), 1)
		rows = append(rows, []string{m.Description, qty, w.money(m.UnitPriceCents), w.money(m.LineCents()), billing})
		billed += m.BilledCents()
	}
	w.table([]string{t("documents.sheet.col.material"), t("documents.sheet.col.quantity"), t("documents.sheet.col.unit_price"),
		t("documents.sheet.col.line"), t("documents.sheet.col.billing")},
		[]float64{0.38, 0.1, 0.17, 0.17, 0.18}, []string{"L", "R", "R", "R", "L"}, rows)
	w.note(t("documents.sheet.materials_billed", "Amount", w.money(billed)))
}

// cost writes what the completed sheet costs, as the register records it.
func (w *sheetWriter) cost() {
	t, e := w.t, w.data.Entry
	if e == nil {
		return
	}
	w.heading(t("documents.sheet.cost"))
	w.doc.KeyValues([][2]string{
		{t("documents.sheet.cost_time"), w.money(e.TimeCostCents)},
		{t("documents.sheet.cost_materials"), w.money(e.MaterialsCents)},
		{t("documents.sheet.cost_total"), w.money(e.TotalCostCents)},
	})
	w.note(t("documents.sheet.cost_explain"))
}

// signature writes the client's signature with its evidence, or where it is expected.
func (w *sheetWriter) signature() {
	t, s, p := w.t, w.data.Sheet, w.doc.pdf
	const boxW, boxH = 80.0, 32.0
	if p.GetY() > 297-22-boxH-30 {
		p.AddPage()
	}
	w.heading(t("documents.sheet.signature"))
	sg := s.Signature
	if sg == nil {
		msg := t("documents.sheet.to_sign")
		if s.SignLater {
			msg = t("documents.sheet.sign_later")
		}
		w.note(msg)
		if s.Status != interventions.StatusCancelled {
			y := p.GetY() + 1
			p.SetDrawColor(148, 163, 184)
			p.Rect(margin, y, boxW, boxH, "D")
			p.SetFont("dejavu", "", 8)
			p.SetTextColor(100, 116, 139)
			p.SetXY(margin+2, y+2)
			p.CellFormat(boxW-4, 4, t("documents.sheet.sign_box"), "", 0, "L", false, 0, "")
			p.SetTextColor(15, 23, 42)
			p.SetXY(margin, y+boxH+3)
		}
		return
	}
	from := t("documents.sheet.signed_onsite")
	if sg.SignedFrom == interventions.SignedPortal {
		from = t("documents.sheet.signed_portal")
	}
	w.doc.KeyValues([][2]string{
		{t("documents.sheet.signer"), sg.SignerName},
		{t("documents.sheet.signed_at"), w.instant(sg.SignedAt)},
		{t("documents.sheet.signed_from"), from},
	})
	y := p.GetY() + 1
	p.SetDrawColor(203, 213, 225)
	p.Rect(margin, y, boxW, boxH, "D")
	if img, ok := signatureImage(sg.Image); ok {
		name := "signature-" + s.ID.String()
		info := p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(img))
		if info != nil && p.Ok() {
			// Fit the drawing in the box, keeping its proportions.
			iw, ih := info.Extent()
			scale := min((boxW-4)/iw, (boxH-4)/ih)
			dw, dh := iw*scale, ih*scale
			p.ImageOptions(name, margin+(boxW-dw)/2, y+(boxH-dh)/2, dw, dh, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		}
	} else {
		p.SetXY(margin+2, y+2)
		p.SetFont("dejavu", "", 8)
		p.SetTextColor(100, 116, 139)
		p.CellFormat(boxW-4, 4, t("documents.sheet.signature_unreadable"), "", 0, "L", false, 0, "")
		p.SetTextColor(15, 23, 42)
	}
	p.SetXY(margin, y+boxH+3)
}

// signatureImage decodes a drawn signature (PNG or JPEG) and writes it again as an opaque PNG on
// white, which the PDF library reads whatever the original's encoding (interlacing, alpha,
// palette). ok is false for an image that does not decode or is absurdly large.
func signatureImage(b []byte) ([]byte, bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxSignaturePixels {
		return nil, false
	}
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, false
	}
	bounds := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, bounds.Dx(), bounds.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), src, bounds.Min, draw.Over)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return nil, false
	}
	return out.Bytes(), true
}

// addenda writes the corrections and complements written after completion.
func (w *sheetWriter) addenda() {
	t, s := w.t, w.data.Sheet
	if len(s.Addenda) == 0 {
		return
	}
	w.heading(t("documents.sheet.addenda"))
	for _, a := range s.Addenda {
		author := a.AuthorLabel
		if author == "" {
			author = "—"
		}
		w.subheading(t("documents.sheet.addendum_by", "At", w.instant(a.CreatedAt), "Author", author))
		w.doc.Paragraph(a.Body)
	}
}
