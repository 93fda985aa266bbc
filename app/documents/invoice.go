package documents

import (
	"strings"

	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/provider"
)

// InvoiceData is what the invoice document prints.
type InvoiceData struct {
	// Invoice is read whole (with its lines). Once issued, its parties are its own snapshots.
	Invoice *billing.Invoice
	// Provider and Client stand for the parties of a draft (not snapshotted yet).
	Provider *provider.Organisation
	Client   *clients.Client
}

// snapshotParty is a party of an issued invoice as a document party.
func snapshotParty(p *billing.Party) Party {
	out := Party{Name: p.Name, SIREN: p.SIREN, VATNumber: p.VATNumber, Email: p.Email, Phone: p.Phone}
	if p.LegalForm != "" {
		out.Lines = append(out.Lines, p.LegalForm)
	}
	out.Lines = append(out.Lines, p.AddressLines...)
	if l := strings.TrimSpace(p.PostalCode + " " + p.City); l != "" {
		out.Lines = append(out.Lines, l)
	}
	if p.Country != "" && p.Country != "FR" {
		out.Lines = append(out.Lines, p.Country)
	}
	if out.SIREN == "" && len(p.SIRET) >= 9 {
		out.SIREN = p.SIRET[:9]
	}
	return out
}

// Invoice renders an invoice or a credit note as a PDF with the mentions French law asks of an
// invoice: both parties' identities with SIREN and VAT numbers, the number and issue date, the date
// or period of the service, every line with its quantity, unit price excluding VAT and VAT rate, the
// totals excluding VAT, per VAT rate and including VAT, the due date and payment terms, the
// late-payment penalty rate and the 40 € fixed recovery indemnity, no discount for early payment,
// the VAT exemption mention when the provider is exempt, and the bank details. An issued invoice
// prints only what it froze at issue, so the same invoice always gives the same bytes.
func Invoice(d InvoiceData, t Translate, money func(cents int64) string) ([]byte, error) {
	inv := d.Invoice
	seller, buyer := inv.Seller, inv.Buyer
	if seller == nil {
		seller = billing.SellerOf(d.Provider)
	}
	if buyer == nil {
		buyer = billing.BuyerOf(d.Client)
	}
	title := t("documents.invoice.title")
	if inv.Kind == billing.KindCreditNote {
		title = t("documents.invoice.credit_title")
	}
	ref, issued := inv.Reference(), inv.IssueDate
	if ref == "" {
		ref, issued = t("documents.invoice.draft_ref"), inv.CreatedAt
	}
	footer := []string{seller.Name}
	if seller.LegalForm != "" {
		footer = append(footer, seller.LegalForm)
	}
	if seller.SIREN != "" {
		footer = append(footer, t("documents.siren")+" "+seller.SIREN)
	}
	if seller.VATNumber != "" {
		footer = append(footer, t("documents.vat")+" "+seller.VATNumber)
	}
	if seller.Footer != "" {
		footer = append(footer, strings.ReplaceAll(seller.Footer, "\n", " · "))
	}
	doc := New(Meta{
		Title: title, Reference: ref, Date: issued, DateLabel: t("documents.issued_on"), Provider: snapshotParty(seller),
		Footer: strings.Join(footer, " · "), PageLabel: t("documents.page"), SIRENLabel: t("documents.siren"), VATLabel: t("documents.vat"),
	})
	pdf := doc.pdf
	pdf.SetSubject(title+" "+ref+" · "+inv.Title, true)

	pdf.SetFont("dejavu", "B", 15)
	pdf.MultiCell(bodyWidth, 7, title+" "+ref, "", "L", false)
	pdf.SetFont("dejavu", "", 10)
	pdf.MultiCell(bodyWidth, 5, inv.Title, "", "L", false)
	if inv.IsDraft() {
		pdf.SetTextColor(180, 83, 9)
		pdf.MultiCell(bodyWidth, 4.5, t("documents.invoice.draft_notice"), "", "L", false)
		pdf.SetTextColor(15, 23, 42)
	}
	pdf.Ln(3)
	doc.Parties(t("documents.invoice.seller"), snapshotParty(seller), t("documents.invoice.buyer"), snapshotParty(buyer))

	rows := [][2]string{{t("documents.invoice.number"), ref}, {t("documents.invoice.issue_date"), date(issued)}}
	switch {
	case !inv.ServiceFrom.IsZero() && !inv.ServiceTo.IsZero() && !inv.ServiceFrom.Equal(inv.ServiceTo):
		rows = append(rows, [2]string{t("documents.invoice.service_period"), t("documents.invoice.from_to", "From", date(inv.ServiceFrom), "To", date(inv.ServiceTo))})
	case !inv.ServiceFrom.IsZero():
		rows = append(rows, [2]string{t("documents.invoice.service_date"), date(inv.ServiceFrom)})
	}
	if inv.Kind == billing.KindCreditNote {
		rows = append(rows, [2]string{t("documents.invoice.credits"), inv.CreditsReference()})
	} else if !inv.DueDate.IsZero() {
		rows = append(rows, [2]string{t("documents.invoice.due_date"), date(inv.DueDate)})
	}
	if inv.ContractReference != "" {
		rows = append(rows, [2]string{t("documents.invoice.contract"), inv.ContractReference})
	}
	doc.KeyValues(rows)

	var lines [][]string
	for _, l := range inv.Lines {
		qty := strings.Replace(l.Quantity.String(), ".", ",", 1)
		if l.Unit != "" {
			qty += " " + l.Unit
		}
		desc := l.Description
		if l.DiscountBP > 0 {
			desc += " (" + t("quotes.col.discount") + " −" + percent(l.DiscountBP) + ")"
		}
		lines = append(lines, []string{desc, qty, money(l.UnitPriceCents), percent(l.VATRateBP), money(l.LineHTCents)})
	}
	doc.Table(
		[]string{t("quotes.col.description"), t("quotes.col.quantity"), t("quotes.col.unit_price"), t("quotes.col.vat"), t("quotes.col.total_ht")},
		[]float64{0.44, 0.14, 0.17, 0.09, 0.16},
		[]string{"L", "R", "R", "R", "R"}, lines)

	totals := inv.Totals()
	sum := [][2]string{{t("quotes.total.ht"), money(totals.HTCents)}}
	for _, v := range totals.VAT {
		sum = append(sum, [2]string{t("quotes.total.vat_rate", "Rate", percent(v.RateBP)) + " (" + t("quotes.total.base", "Base", money(v.BaseCents)) + ")", money(v.VATCents)})
	}
	sum = append(sum, [2]string{t("quotes.total.ttc"), money(totals.TTCCents)})
	if inv.Kind == billing.KindInvoice && !inv.IsDraft() && (inv.PaidCents > 0 || inv.CreditedCents > 0) {
		if inv.CreditedCents > 0 {
			sum = append(sum, [2]string{t("documents.invoice.credited"), money(-inv.CreditedCents)})
		}
		if inv.PaidCents > 0 {
			sum = append(sum, [2]string{t("documents.invoice.paid"), money(-inv.PaidCents)})
		}
		sum = append(sum, [2]string{t("documents.invoice.due"), money(inv.DueCents())})
	}
	doc.totals(sum, len(totals.VAT)+1)
	if seller.VATExempt {
		doc.Paragraph(t("documents.invoice.vat_exempt"))
	}

	doc.Heading(t("documents.invoice.terms_h"))
	var terms []string
	if inv.Kind == billing.KindCreditNote {
		terms = append(terms, t("documents.invoice.credit_terms", "Reference", inv.CreditsReference()))
	} else {
		due := inv.DueDate
		if due.IsZero() {
			due = issued.AddDate(0, 0, inv.PaymentTermsDays)
		}
		terms = append(terms,
			t("documents.invoice.due_terms", "Date", date(due), "Days", inv.PaymentTermsDays),
			t("documents.invoice.penalty", "Rate", percent(seller.LatePenaltyBP)),
			t("documents.invoice.indemnity"),
			t("documents.invoice.no_discount"))
	}
	doc.Paragraph("• " + strings.Join(terms, "\n• "))
	if inv.PaymentTerms != "" {
		doc.Paragraph(inv.PaymentTerms)
	}
	if inv.Kind == billing.KindInvoice && seller.IBAN != "" {
		bank := [][2]string{{t("documents.invoice.iban"), groupIBAN(seller.IBAN)}}
		if seller.BIC != "" {
			bank = append(bank, [2]string{t("documents.invoice.bic"), seller.BIC})
		}
		bank = append(bank, [2]string{t("documents.invoice.transfer_ref"), ref})
		doc.Heading(t("documents.invoice.bank_h"))
		doc.KeyValues(bank)
	}
	if inv.Notes != "" {
		doc.Paragraph(inv.Notes)
	}
	return doc.Bytes()
}

// groupIBAN writes an IBAN in groups of four, as people read it.
func groupIBAN(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
