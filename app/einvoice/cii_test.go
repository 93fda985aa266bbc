package einvoice_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/einvoice"
	"maintenant/app/interventions"
)

var update = flag.Bool("update", false, "rewrite the golden XML files in testdata")

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func seller() *billing.Party {
	return &billing.Party{
		Name: "AsevoDigital", LegalForm: "SAS au capital de 10 000 €", SIREN: "812345676", VATNumber: "FR19812345676",
		AddressLines: []string{"18 rue de la République"}, PostalCode: "69002", City: "Lyon", Country: "FR",
		Email: "contact@asevodigital.demo.test", Phone: "04 78 00 00 00",
		IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP", LatePenaltyBP: 1215,
	}
}

func buyer() *billing.Party {
	return &billing.Party{
		Name: "Boulangerie Martin", SIREN: "523456788", VATNumber: "FR31523456788",
		AddressLines: []string{"4 place du Marché"}, PostalCode: "69003", City: "Lyon", Country: "FR",
		Email: "compta@boulangerie.demo.test",
	}
}

func line(pos int, desc string, qtyMilli int64, unit string, priceCents int64, vatBP int) *billing.InvoiceLine {
	return &billing.InvoiceLine{ID: uuid.New(), Position: pos, Description: desc, Quantity: interventions.Quantity(qtyMilli),
		Unit: unit, UnitPriceCents: priceCents, VATRateBP: vatBP}
}

// invoice is an issued invoice of the samples, its totals computed as billing computes them.
func invoice(n int, title string, lines ...*billing.InvoiceLine) *billing.Invoice {
	inv := &billing.Invoice{
		ID: uuid.New(), Kind: billing.KindInvoice, Year: 2026, Number: n, Status: billing.InvoiceIssued, Title: title,
		IssueDate: day("2026-11-02"), DueDate: day("2026-12-02"), PaymentTermsDays: 30, Currency: "EUR",
		ServiceFrom: day("2026-11-01"), ServiceTo: day("2026-11-30"),
		Seller: seller(), Buyer: buyer(), Lines: lines,
	}
	t := inv.Totals()
	inv.TotalHTCents, inv.TotalVATCents, inv.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	return inv
}

// samples are the representative documents whose XML is kept in testdata.
func samples() map[string]*einvoice.Document {
	one := invoice(1, "Maintenance mensuelle novembre 2026",
		line(0, "Forfait maintenance site et postes — novembre 2026", 1000, "mois", 18000, 2000),
		line(1, "Intervention hors forfait\nMise à jour du serveur de fichiers", 1500, "h", 6500, 2000))
	one.ContractReference = "C-2026-001"

	two := invoice(2, "Matériel et formation",
		line(0, "Câble réseau RJ45 5 m", 3000, "", 899, 2000),
		line(1, "Ouvrage technique « Réseaux pour les TPE »", 1000, "", 3200, 550),
		line(2, "Pénalité SLA octobre 2026 (temps de rétablissement dépassé)", 1000, "", -1000, 2000))
	two.Lines[0].DiscountBP = 1000
	two.Buyer.EInvoiceAddress = "523456788_COMPTA"
	t := two.Totals()
	two.TotalHTCents, two.TotalVATCents, two.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents

	exempt := invoice(3, "Maintenance micro-entreprise", line(0, "Forfait maintenance", 1000, "mois", 9000, 2000))
	exempt.Seller.VATExempt = true
	t = exempt.Totals()
	exempt.TotalHTCents, exempt.TotalVATCents, exempt.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents

	credit := invoice(1, "Geste commercial sur la facture F-2026-0001", line(0, "Geste commercial", 1000, "", 3000, 2000))
	credit.Kind, credit.CreditsYear, credit.CreditsNumber = billing.KindCreditNote, 2026, 1
	credit.DueDate, credit.ServiceFrom, credit.ServiceTo = time.Time{}, time.Time{}, time.Time{}

	deposit := invoice(4, "Acompte sur le devis D-2026-0003", line(0, "Acompte de 30 % sur le devis D-2026-0003 « Refonte du site »", 1000, "", 135000, 2000))
	deposit.ServiceFrom, deposit.ServiceTo = time.Time{}, time.Time{}

	return map[string]*einvoice.Document{
		"one_rate":    {Invoice: one},
		"two_rates":   {Invoice: two},
		"exemption":   {Invoice: exempt},
		"credit_note": {Invoice: credit, CreditedIssueDate: day("2026-10-02")},
		"deposit":     {Invoice: deposit, Deposit: true},
	}
}

// TestGoldenXML builds the representative documents, checks them against the library's EN 16931
// rules (Build) and compares them with the files kept in testdata (go test -update rewrites them).
func TestGoldenXML(t *testing.T) {
	for name, d := range samples() {
		t.Run(name, func(t *testing.T) {
			xml, err := d.XML()
			if err != nil {
				t.Fatalf("XML: %v %v", err, einvoice.Violations(err))
			}
			path := filepath.Join("testdata", name+".xml")
			if *update {
				if err := os.WriteFile(path, xml, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("golden file: %v (run go test -update)", err)
			}
			if !bytes.Equal(xml, want) {
				t.Errorf("%s differs from the golden file; got:\n%s", name, xml)
			}
			again, _ := d.XML()
			if !bytes.Equal(xml, again) {
				t.Error("the same document gives other bytes")
			}
		})
	}
	xml, _ := samples()["credit_note"].XML()
	for _, want := range []string{"<ram:TypeCode>381</ram:TypeCode>", "<ram:IssuerAssignedID>F-2026-0001</ram:IssuerAssignedID>"} {
		if !strings.Contains(string(xml), want) {
			t.Errorf("credit note lacks %s", want)
		}
	}
	xml, _ = samples()["deposit"].XML()
	if !strings.Contains(string(xml), "<ram:TypeCode>386</ram:TypeCode>") {
		t.Error("deposit invoice is not of type 386")
	}
	xml, _ = samples()["exemption"].XML()
	for _, want := range []string{"<ram:CategoryCode>E</ram:CategoryCode>", "<ram:ExemptionReason>" + einvoice.ExemptionReason} {
		if !strings.Contains(string(xml), want) {
			t.Errorf("exempt invoice lacks %s", want)
		}
	}
	xml, _ = samples()["two_rates"].XML()
	if !strings.Contains(string(xml), `<ram:URIID schemeID="0225">523456788_COMPTA</ram:URIID>`) {
		t.Error("the buyer's own electronic address is not used")
	}
	xml, _ = samples()["one_rate"].XML()
	for _, want := range []string{
		`<ram:ID schemeID="0002">812345676</ram:ID>`, `<ram:ID schemeID="0002">523456788</ram:ID>`,
		`<ram:URIID schemeID="0225">812345676</ram:URIID>`, `<ram:URIID schemeID="0225">523456788</ram:URIID>`,
		`<ram:ID schemeID="VA">FR19812345676</ram:ID>`, "<ram:ID>S1</ram:ID>",
		"<ram:SubjectCode>PMT</ram:SubjectCode>", "<ram:SubjectCode>PMD</ram:SubjectCode>", "<ram:SubjectCode>AAB</ram:SubjectCode>",
		"<ram:IBANID>FR7630006000011234567890189</ram:IBANID>", "<udt:DateTimeString format=\"102\">20261202</udt:DateTimeString>",
	} {
		if !strings.Contains(string(xml), want) {
			t.Errorf("invoice lacks %s", want)
		}
	}
}

// TestProblems: what the French rules would reject is refused with what to fix.
func TestProblems(t *testing.T) {
	cases := []struct {
		name string
		edit func(d *einvoice.Document)
		want string
	}{
		{"buyer without SIREN", func(d *einvoice.Document) { d.Invoice.Buyer.SIREN = "" }, einvoice.ErrBuyerSIREN},
		{"buyer VAT key wrong", func(d *einvoice.Document) { d.Invoice.Buyer.VATNumber = "FR32523456788" }, einvoice.ErrBuyerVAT},
		{"seller SIREN checksum", func(d *einvoice.Document) { d.Invoice.Seller.SIREN = "812345677" }, einvoice.ErrSellerSIREN},
		{"0 % without exemption", func(d *einvoice.Document) { d.Invoice.Lines[0].VATRateBP = 0 }, einvoice.ErrVATCategory},
		{"unknown rate", func(d *einvoice.Document) { d.Invoice.Lines[1].VATRateBP = 1960 }, einvoice.ErrVATCategory},
		{"draft", func(d *einvoice.Document) { d.Invoice.Status, d.Invoice.Number = billing.InvoiceDraft, 0 }, einvoice.ErrNotIssued},
		{"buyer without address", func(d *einvoice.Document) { d.Invoice.Buyer.AddressLines = nil }, einvoice.ErrBuyerAddress},
		{"buyer e-address of another SIREN", func(d *einvoice.Document) { d.Invoice.Buyer.EInvoiceAddress = "812345676_X" }, einvoice.ErrBuyerEAddr},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := samples()["one_rate"]
			c.edit(d)
			if p := d.Problems(); !slices.Contains(p, c.want) {
				t.Fatalf("problems %v, want %s", p, c.want)
			}
			_, err := d.XML()
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict {
				t.Fatalf("XML gave %v, want a conflict", err)
			}
		})
	}
	d := samples()["credit_note"]
	d.CreditedIssueDate = time.Time{}
	if p := d.Problems(); !slices.Contains(p, einvoice.ErrCreditRef) {
		t.Errorf("credit note without the credited invoice's date: %v", p)
	}
	// The library's arithmetic rules catch totals that do not add up (BR-CO-15).
	d = samples()["one_rate"]
	b, err := d.Build()
	if err != nil {
		t.Fatal(err)
	}
	b.GrandTotal = b.GrandTotal.Add(b.GrandTotal)
	if err := b.Validate(); err == nil {
		t.Error("the library accepts a grand total that is not HT + VAT")
	}
}
