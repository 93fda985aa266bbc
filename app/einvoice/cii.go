// Package einvoice turns an issued invoice or credit note into a French e-invoice: the UN/CEFACT
// CII D16B XML of the EN 16931 profile with what the French reform adds (SIREN of both parties under
// scheme 0002, electronic addresses under scheme 0225, the billing framework BT-23, the notes for
// late-payment penalties, the 40 € recovery indemnity and the absence of discount), and the
// Factur-X PDF/A-3 that carries it.
//
// Rules:
//  1. Only issued documents are e-invoices: the XML is built from the invoice's frozen snapshots
//     (seller, buyer, lines, totals), so the same invoice always gives the same bytes.
//  2. What EN 16931 or the French rules would reject is refused before anything is produced, with
//     a message saying what to fix (Problems): a party without a valid SIREN, a VAT number whose key
//     is wrong, a line whose VAT category cannot be told (0 % without the seller's exemption).
//  3. The amounts are the invoice's own (integer cents, VAT per rate on the sum of the lines), and
//     the library's EN 16931 business rules must pass before the XML is written.
package einvoice

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	cii "github.com/speedata/einvoice"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/legal"
)

// Identifiers written in every e-invoice.
const (
	// Guideline is BT-24, the EN 16931 profile of Factur-X.
	Guideline = "urn:cen.eu:en16931:2017"
	// Framework is BT-23, the French billing framework: S1, a plain invoice of services.
	Framework = "S1"
	// SchemeSIREN identifies a SIREN (ISO 6523 ICD 0002).
	SchemeSIREN = "0002"
	// SchemeAddress is the French electronic address scheme (the annuaire's, starting with the SIREN).
	SchemeAddress = "0225"
	// FileName is the name of the XML inside a Factur-X PDF.
	FileName = "factur-x.xml"
	// ExemptionReason is the mention of the franchise en base de TVA (BT-120).
	ExemptionReason = "TVA non applicable, art. 293 B du CGI"
	// ExemptionCode is its VATEX code (BT-121).
	ExemptionCode = "VATEX-FR-FRANCHISE"
)

// Document type codes (UNTDID 1001, BT-3).
const (
	TypeInvoice    = 380
	TypeCreditNote = 381
	TypeDeposit    = 386
)

// Catalogue keys of what blocks an e-invoice (rule 2).
const (
	ErrNotIssued     = "einvoice.error.not_issued"
	ErrSellerSIREN   = "einvoice.error.seller_siren"
	ErrSellerVAT     = "einvoice.error.seller_vat"
	ErrSellerAddress = "einvoice.error.seller_address"
	ErrBuyerSIREN    = "einvoice.error.buyer_siren"
	ErrBuyerVAT      = "einvoice.error.buyer_vat"
	ErrBuyerAddress  = "einvoice.error.buyer_address"
	ErrVATCategory   = "einvoice.error.vat_category"
	ErrCreditRef     = "einvoice.error.credit_reference"
	ErrSellerEAddr   = "einvoice.error.seller_einvoice_address"
	ErrBuyerEAddr    = "einvoice.error.buyer_einvoice_address"
	ErrRules         = "einvoice.error.rules"
)

// Document is what an e-invoice is built from.
type Document struct {
	// Invoice is issued and read whole (lines, seller and buyer snapshots).
	Invoice *billing.Invoice
	// CreditedIssueDate is the issue date of the invoice a credit note corrects (BT-26).
	CreditedIssueDate time.Time
	// Deposit tells an invoice that only bills quote deposits (type 386, prepayment invoice).
	Deposit bool
}

// TypeCode is the document's BT-3.
func (d *Document) TypeCode() int {
	switch {
	case d.Invoice.Kind == billing.KindCreditNote:
		return TypeCreditNote
	case d.Deposit:
		return TypeDeposit
	}
	return TypeInvoice
}

// Problems lists what keeps the document from being a valid e-invoice, as catalogue keys, in the
// order to fix them; none when it can be built (rule 2).
func (d *Document) Problems() []string {
	inv := d.Invoice
	if inv == nil || inv.IsDraft() || inv.Number == 0 || inv.Seller == nil || inv.Buyer == nil {
		return []string{ErrNotIssued}
	}
	var out []string
	s, b := inv.Seller, inv.Buyer
	if legal.CheckSIREN(s.SIREN) != "" {
		out = append(out, ErrSellerSIREN)
	}
	// EN 16931 asks the seller's VAT number even of an exempt seller (BR-E-02, BR-S-02).
	if s.VATNumber == "" || legal.CheckVAT(s.VATNumber) != "" {
		out = append(out, ErrSellerVAT)
	}
	if s.City == "" || len(s.AddressLines) == 0 {
		out = append(out, ErrSellerAddress)
	}
	if legal.CheckEInvoiceAddress(s.EInvoiceAddress, s.SIREN) != "" {
		out = append(out, ErrSellerEAddr)
	}
	if legal.CheckSIREN(buyerSIREN(b)) != "" {
		out = append(out, ErrBuyerSIREN)
	}
	if b.VATNumber != "" && legal.CheckVAT(b.VATNumber) != "" {
		out = append(out, ErrBuyerVAT)
	}
	if b.City == "" || len(b.AddressLines) == 0 {
		out = append(out, ErrBuyerAddress)
	}
	if legal.CheckEInvoiceAddress(b.EInvoiceAddress, buyerSIREN(b)) != "" {
		out = append(out, ErrBuyerEAddr)
	}
	for _, l := range inv.Lines {
		if _, ok := category(l.VATRateBP, s.VATExempt); !ok {
			out = append(out, ErrVATCategory)
			break
		}
	}
	if inv.Kind == billing.KindCreditNote && (inv.CreditsReference() == "" || d.CreditedIssueDate.IsZero()) {
		out = append(out, ErrCreditRef)
	}
	return out
}

// Check returns nil when the document can be an e-invoice, else a Conflict naming the first thing to
// fix (the web layer shows it with a 409).
func (d *Document) Check() error {
	if p := d.Problems(); len(p) > 0 {
		return apperr.Conflictf(p[0])
	}
	return nil
}

// buyerSIREN is the buyer's SIREN, or the first 9 digits of its SIRET.
func buyerSIREN(b *billing.Party) string {
	if b.SIREN == "" && len(b.SIRET) == 14 {
		return b.SIRET[:9]
	}
	return b.SIREN
}

// category is the VAT category (UNTDID 5305) of a rate: S for the standard and reduced French rates,
// E for every line of an exempt seller. A 0 % line of a seller charging VAT has no category we can
// justify (no exemption reason is known), so it is refused.
func category(rateBP int, exempt bool) (string, bool) {
	switch {
	case exempt:
		return "E", true
	case rateBP > 0 && rateBP < 10000:
		for _, r := range billing.VATRates {
			if r == rateBP && r > 0 {
				return "S", true
			}
		}
	}
	return "", false
}

// cents is an amount of integer cents as a decimal of currency units.
func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

// rate is a rate in basis points as a percentage (2000 → 20, 550 → 5.5).
func rate(bp int) decimal.Decimal { return decimal.New(int64(bp), -2) }

// unitCode maps the unit typed on a line to UN/ECE recommendation 20 (BT-130); C62 ("one") when
// nothing better fits.
func unitCode(unit string) string {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(unit), ".")) {
	case "h", "heure", "heures", "hour", "hours":
		return "HUR"
	case "min", "minute", "minutes":
		return "MIN"
	case "j", "jour", "jours", "day", "days":
		return "DAY"
	case "mois", "month", "months":
		return "MON"
	case "an", "ans", "année", "années", "year", "years":
		return "ANN"
	}
	return "C62"
}

// itemName is the first line of a description, at most 200 characters (BT-153).
func itemName(desc string) string {
	name, _, _ := strings.Cut(desc, "\n")
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:199]) + "…"
	}
	return name
}

// address is a snapshot's postal address (BG-5, BG-8).
func address(p *billing.Party) *cii.PostalAddress {
	a := &cii.PostalAddress{PostcodeCode: p.PostalCode, City: p.City, CountryID: p.Country}
	if a.CountryID == "" {
		a.CountryID = "FR"
	}
	for i, l := range p.AddressLines {
		switch i {
		case 0:
			a.Line1 = l
		case 1:
			a.Line2 = l
		default:
			a.Line3 = strings.TrimSpace(a.Line3 + " " + l)
		}
	}
	return a
}

// party is a snapshot as a CII trade party: SIREN under 0002, VAT number, address, the electronic
// address under 0225 (the party's, else its SIREN, as the French directory addresses a company by
// default) and the contact.
func party(p *billing.Party, siren string) cii.Party {
	out := cii.Party{
		Name:                            p.Name,
		SpecifiedLegalOrganization:      &cii.SpecifiedLegalOrganization{ID: siren, Scheme: SchemeSIREN},
		PostalAddress:                   address(p),
		URIUniversalCommunication:       cmp.Or(p.EInvoiceAddress, siren),
		URIUniversalCommunicationScheme: SchemeAddress,
		VATaxRegistration:               p.VATNumber,
	}
	if p.Email != "" || p.Phone != "" {
		out.DefinedTradeContact = []cii.DefinedTradeContact{{EMail: p.Email, PhoneNumber: p.Phone}}
	}
	return out
}

// percentText writes a rate in basis points the French way (1215 → "12,15").
func percentText(bp int) string {
	s := rate(bp).String()
	return strings.Replace(s, ".", ",", 1)
}

// Build maps the document onto the CII model and checks it against the EN 16931 business rules of
// the library (rule 3). A document with Problems is refused with the first of them.
func (d *Document) Build() (*cii.Invoice, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	inv := d.Invoice
	s, b := inv.Seller, inv.Buyer
	currency := inv.Currency
	if currency == "" {
		currency = "EUR"
	}
	out := &cii.Invoice{
		SchemaType: cii.CII,
		GuidelineSpecifiedDocumentContextParameter: Guideline,
		BPSpecifiedDocumentContextParameter:        Framework,
		InvoiceNumber:                              inv.Reference(),
		InvoiceTypeCode:                            cii.CodeDocument(d.TypeCode()),
		InvoiceDate:                                inv.IssueDate,
		InvoiceCurrencyCode:                        currency,
		Seller:                                     party(s, s.SIREN),
		Buyer:                                      party(b, buyerSIREN(b)),
		ContractReferencedDocument:                 inv.ContractReference,
		BillingSpecifiedPeriodStart:                inv.ServiceFrom,
		BillingSpecifiedPeriodEnd:                  inv.ServiceTo,
	}
	if !inv.ServiceFrom.IsZero() && inv.ServiceTo.IsZero() {
		out.BillingSpecifiedPeriodEnd = inv.ServiceFrom
	}
	// BT-72, the date the service was rendered: the end of its period, else the issue date (an empty
	// delivery group is a warning of the Factur-X rules).
	out.OccurrenceDateTime = inv.IssueDate
	if !out.BillingSpecifiedPeriodEnd.IsZero() {
		out.OccurrenceDateTime = out.BillingSpecifiedPeriodEnd
	}
	if inv.Title != "" {
		out.Notes = append(out.Notes, cii.Note{Text: inv.Title})
	}
	if inv.Notes != "" {
		out.Notes = append(out.Notes, cii.Note{Text: inv.Notes, SubjectCode: "AAI"})
	}
	if s.VATExempt {
		out.Notes = append(out.Notes, cii.Note{Text: ExemptionReason, SubjectCode: "TXD"})
	}
	out.Notes = append(out.Notes,
		cii.Note{Text: fmt.Sprintf("En cas de retard de paiement, pénalités au taux annuel de %s %% exigibles dès le lendemain de la date d'échéance.", percentText(s.LatePenaltyBP)), SubjectCode: "PMD"},
		cii.Note{Text: "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (art. L441-10 et D441-5 du Code de commerce).", SubjectCode: "PMT"},
		cii.Note{Text: "Pas d'escompte pour paiement anticipé.", SubjectCode: "AAB"},
	)

	for _, l := range inv.Lines {
		cat, _ := category(l.VATRateBP, s.VATExempt)
		pct := rate(l.VATRateBP)
		if s.VATExempt {
			pct = decimal.Zero
		}
		qty := decimal.New(int64(l.Quantity), -3)
		// The net price excludes the line's discount: cents × (10000 − discount) / 10000, exact.
		price := decimal.New(l.UnitPriceCents*int64(10000-l.DiscountBP), -6)
		if price.IsNegative() {
			// EN 16931 refuses a negative price (BR-27): a deduction is a negative quantity.
			price, qty = price.Neg(), qty.Neg()
		}
		line := cii.InvoiceLine{
			LineID:                   fmt.Sprint(l.Position + 1),
			ItemName:                 itemName(l.Description),
			NetPrice:                 price,
			BilledQuantity:           qty,
			BilledQuantityUnit:       unitCode(l.Unit),
			TaxTypeCode:              "VAT",
			TaxCategoryCode:          cat,
			TaxRateApplicablePercent: pct,
			Total:                    cents(l.LineHTCents),
		}
		if line.ItemName != l.Description {
			line.Description = l.Description
		}
		out.InvoiceLines = append(out.InvoiceLines, line)
	}

	t := inv.Totals()
	for _, v := range t.VAT {
		cat, _ := category(v.RateBP, s.VATExempt)
		tax := cii.TradeTax{
			CalculatedAmount: cents(v.VATCents), BasisAmount: cents(v.BaseCents),
			TypeCode: "VAT", CategoryCode: cat, Percent: rate(v.RateBP),
		}
		if s.VATExempt {
			tax.Percent, tax.ExemptionReason, tax.ExemptionReasonCode = decimal.Zero, ExemptionReason, ExemptionCode
		}
		out.TradeTaxes = append(out.TradeTaxes, tax)
	}
	out.LineTotal, out.TaxBasisTotal = cents(t.HTCents), cents(t.HTCents)
	out.TaxTotal, out.TaxTotalCurrency = cents(t.VATCents), currency
	out.GrandTotal, out.DuePayableAmount = cents(t.TTCCents), cents(t.TTCCents)

	// Payment: the due date and terms (BT-9, BT-20), the transfer to the seller's IBAN (BT-84).
	terms := cii.SpecifiedTradePaymentTerms{}
	if inv.Kind == billing.KindCreditNote {
		terms.Description = "Avoir sur la facture " + inv.CreditsReference() + "."
		out.InvoiceReferencedDocument = []cii.ReferencedDocument{{ID: inv.CreditsReference(), Date: d.CreditedIssueDate}}
	} else {
		due := inv.DueDate
		if due.IsZero() {
			due = inv.IssueDate.AddDate(0, 0, inv.PaymentTermsDays)
		}
		terms.DueDate = due
		terms.Description = fmt.Sprintf("Paiement à %d jours, au plus tard le %s.", inv.PaymentTermsDays, due.Format("02/01/2006"))
		if inv.PaymentTermsDays == 0 {
			terms.Description = "Paiement à réception, au plus tard le " + due.Format("02/01/2006") + "."
		}
		if inv.PaymentTerms != "" {
			terms.Description += " " + inv.PaymentTerms
		}
		out.PaymentReference = inv.Reference()
	}
	out.SpecifiedTradePaymentTerms = []cii.SpecifiedTradePaymentTerms{terms}
	if s.IBAN != "" {
		out.PaymentMeans = []cii.PaymentMeans{{
			TypeCode: 58, Information: "Virement SEPA",
			PayeePartyCreditorFinancialAccountIBAN: s.IBAN, PayeeSpecifiedCreditorFinancialInstitutionBIC: s.BIC,
		}}
	} else {
		out.PaymentMeans = []cii.PaymentMeans{{TypeCode: 1, Information: "Moyen de paiement convenu avec le vendeur"}}
	}

	if err := out.Validate(); err != nil {
		return nil, &apperr.Error{Kind: apperr.Conflict, Message: ErrRules, Err: err}
	}
	return out, nil
}

// XML builds the document (see Build) and writes it as CII XML.
func (d *Document) XML() ([]byte, error) {
	inv, err := d.Build()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := inv.Write(&buf); err != nil {
		return nil, fmt.Errorf("einvoice: write: %w", err)
	}
	return buf.Bytes(), nil
}

// Violations lists the EN 16931 rules the library found broken in err (from Build), for logs and
// tests: "BR-CO-10: …".
func Violations(err error) []string {
	var ve *cii.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations() {
		out = append(out, v.Rule.Code+": "+v.Text)
	}
	return out
}

// Problem is the first thing keeping an issued invoice read whole from being an e-invoice, as a
// catalogue key, or "" when its Factur-X can be built; a draft has no e-invoice yet (ErrNotIssued).
// It needs no database: a credit note's credited invoice is known to exist once it is issued.
func Problem(inv *billing.Invoice) string {
	d := &Document{Invoice: inv}
	if inv != nil && inv.Kind == billing.KindCreditNote {
		d.CreditedIssueDate = inv.IssueDate
	}
	if p := d.Problems(); len(p) > 0 {
		return p[0]
	}
	return ""
}
