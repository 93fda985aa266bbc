package documents

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/provider"
)

// QuoteData is what the quote document prints.
type QuoteData struct {
	// Quote is read whole (with its lines).
	Quote    *billing.Quote
	Provider *provider.Organisation
	Client   *clients.Client
	// Acceptance is the evidence of an accepted quote, printed in the acceptance block; nil before.
	Acceptance *billing.Acceptance
	// Location is the provider's time zone, for the instant of the acceptance (nil: UTC).
	Location *time.Location
}

// Quote renders a quote as a PDF with the mentions a French quote carries: both parties' identities
// and SIREN, the date and the validity, the work described, every line with its unit price, discount
// and VAT rate, the totals excluding VAT, per VAT rate and including VAT, the deposit and payment
// terms, and that the quote itself is free. Once accepted it carries the acceptance block (who, the
// name typed, when, from where, the SHA-256 of the content and of the PDF accepted). Nothing in it
// depends on the day it is printed: the same quote gives the same bytes, so the PDF shown before an
// acceptance can be hashed as evidence.
func Quote(d QuoteData, t Translate, money func(cents int64) string) ([]byte, error) {
	q := d.Quote
	ref := q.Reference()
	issued := q.SentAt
	if ref == "" {
		ref, issued = t("documents.quote.draft_ref"), q.CreatedAt
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	doc := New(Meta{
		Title: t("documents.quote.title"), Reference: ref, Date: issued.In(loc),
		DateLabel: t("documents.issued_on"), Provider: providerParty(d.Provider), Footer: quoteFooter(d.Provider, t),
		PageLabel: t("documents.page"), SIRENLabel: t("documents.siren"), VATLabel: t("documents.vat"),
	})
	pdf := doc.pdf
	pdf.SetSubject(t("documents.quote.title")+" "+ref+" · "+q.Title, true)

	pdf.SetFont("dejavu", "B", 15)
	pdf.MultiCell(bodyWidth, 7, q.Title, "", "L", false)
	pdf.SetFont("dejavu", "", 9)
	pdf.SetTextColor(71, 85, 105)
	sub := t("documents.quote.subtitle", "Reference", ref, "Date", date(issued.In(loc)), "Until", date(q.ValidUntil))
	if q.Revision > 1 {
		sub += " · " + t("quotes.revision", "Revision", q.Revision)
	}
	pdf.MultiCell(bodyWidth, 4.5, sub, "", "L", false)
	if q.Status == billing.StatusDraft {
		pdf.SetTextColor(180, 83, 9)
		pdf.MultiCell(bodyWidth, 4.5, t("documents.quote.draft_notice"), "", "L", false)
	}
	pdf.SetTextColor(15, 23, 42)
	pdf.Ln(3)

	doc.Parties(t("documents.quote.provider_role"), providerParty(d.Provider), t("documents.quote.client_role"), clientParty(d.Client))
	rows := [][2]string{
		{t("documents.quote.date"), date(issued.In(loc))},
		{t("documents.quote.valid_until"), t("documents.quote.valid_until_value", "Date", date(q.ValidUntil))},
	}
	if !q.EstimatedStart.IsZero() {
		rows = append(rows, [2]string{t("documents.quote.start"), date(q.EstimatedStart)})
	}
	if q.ContractReference != "" {
		rows = append(rows, [2]string{t("documents.quote.contract"), q.ContractReference})
	}
	if q.TicketNumber > 0 {
		rows = append(rows, [2]string{t("documents.quote.ticket"), "T-" + pad4(q.TicketNumber)})
	}
	doc.KeyValues(rows)

	doc.Heading(t("quotes.work_h"))
	if q.Description != "" {
		doc.Paragraph(q.Description)
	}
	var lines [][]string
	for _, l := range q.Lines {
		qty := strings.Replace(l.Quantity.String(), ".", ",", 1)
		if l.Unit != "" {
			qty += " " + l.Unit
		}
		disc := "—"
		if l.DiscountBP > 0 {
			disc = "−" + percent(l.DiscountBP)
		}
		lines = append(lines, []string{l.Description, qty, money(l.UnitPriceCents), disc, percent(l.VATRateBP), money(l.LineHTCents)})
	}
	doc.Table(
		[]string{t("quotes.col.description"), t("quotes.col.quantity"), t("quotes.col.unit_price"), t("quotes.col.discount"), t("quotes.col.vat"), t("quotes.col.total_ht")},
		[]float64{0.35, 0.13, 0.18, 0.09, 0.09, 0.16},
		[]string{"L", "R", "R", "R", "R", "R"}, lines)

	totals := q.Totals()
	sum := [][2]string{{t("quotes.total.ht"), money(totals.HTCents)}}
	for _, v := range totals.VAT {
		sum = append(sum, [2]string{t("quotes.total.vat_rate", "Rate", percent(v.RateBP)) + " (" + t("quotes.total.base", "Base", money(v.BaseCents)) + ")", money(v.VATCents)})
	}
	sum = append(sum, [2]string{t("quotes.total.ttc"), money(totals.TTCCents)})
	if q.DepositBP > 0 {
		sum = append(sum, [2]string{t("quotes.total.deposit", "Percent", percent(q.DepositBP)), money(q.DepositCents())})
	}
	doc.totals(sum, len(totals.VAT)+1)

	doc.Heading(t("quotes.terms_h"))
	terms := []string{t("quotes.terms.validity", "Date", date(q.ValidUntil))}
	if q.DepositBP > 0 {
		terms = append(terms, t("quotes.terms.deposit", "Percent", percent(q.DepositBP), "Amount", money(q.DepositCents())))
	}
	terms = append(terms, t("portal.quotes.terms.extra"), t("quotes.terms.free"))
	doc.Paragraph("• " + strings.Join(terms, "\n• "))
	if q.PaymentTerms != "" {
		doc.Paragraph(q.PaymentTerms)
	}

	if a := d.Acceptance; a != nil {
		if pdf.GetY() > doc.h-110 { // the acceptance block stays on one page
			pdf.AddPage()
		}
		doc.Heading(t("documents.quote.accepted_h"))
		doc.Paragraph(t("documents.quote.accepted_text", "Name", a.SignerName, "Reference", ref, "At", a.AcceptedAt.In(loc).Format("02/01/2006 15:04")))
		ev := [][2]string{
			{t("quotes.evidence.name"), a.SignerName},
			{t("quotes.evidence.account"), a.UserEmail},
			{t("quotes.evidence.at"), a.AcceptedAt.In(loc).Format("02/01/2006 15:04:05 MST")},
			{t("quotes.evidence.ip"), a.IP},
			{t("quotes.evidence.user_agent"), a.UserAgent},
			{t("quotes.evidence.content_hash"), hex.EncodeToString(a.ContentSHA256)},
		}
		if len(a.PDFSHA256) > 0 {
			ev = append(ev, [2]string{t("documents.quote.pdf_hash"), hex.EncodeToString(a.PDFSHA256)})
		}
		doc.KeyValues(ev)
	} else if q.Status == billing.StatusSent {
		doc.Heading(t("documents.quote.how_h"))
		doc.Paragraph(t("documents.quote.how"))
	}
	return doc.Bytes()
}

// totals writes label/amount rows aligned on the right, the last strong rows (after the VAT) in bold.
func (d *Doc) totals(rows [][2]string, boldFrom int) {
	p := d.pdf
	if p.GetY() > d.h-60 {
		p.AddPage()
	}
	for i, r := range rows {
		style := ""
		if i == boldFrom {
			style = "B"
			p.SetDrawColor(148, 163, 184)
			p.Line(margin+d.bodyW()*0.45, p.GetY(), d.w-margin, p.GetY())
		}
		p.SetFont("dejavu", style, 9.5)
		p.SetX(margin + d.bodyW()*0.40)
		p.CellFormat(d.bodyW()*0.42, 5.5, r[0], "", 0, "R", false, 0, "")
		p.CellFormat(d.bodyW()*0.18, 5.5, r[1], "", 1, "R", false, 0, "")
	}
	p.Ln(2)
}

// quoteFooter is the legal mentions at the bottom of every page: the provider's identity.
func quoteFooter(o *provider.Organisation, t Translate) string {
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

// percent writes basis points as a French percentage: 550 → "5,5 %".
func percent(bp int) string {
	return strings.Replace(strconv.FormatFloat(float64(bp)/100, 'f', -1, 64), ".", ",", 1) + "\u00a0%"
}

func pad4(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
