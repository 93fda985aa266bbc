package documents_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/billing"
	"maintenant/app/documents"
	"maintenant/app/i18n"
)

// sampleInvoice is an issued invoice of the Boulangerie: a month's fee, time beyond the included
// hours, a material at another VAT rate and an SLA penalty deducted; partly paid.
func sampleInvoice(exempt bool) documents.InvoiceData {
	inv := &billing.Invoice{
		ID: uuid.MustParse("01900000-0000-7000-8000-000000000020"), Kind: billing.KindInvoice, Year: 2026, Number: 42,
		Status: billing.InvoicePartiallyPaid, Title: "Maintenance de décembre 2026",
		IssueDate: day("2026-12-02"), ServiceFrom: day("2026-12-01"), ServiceTo: day("2026-12-31"), DueDate: day("2027-01-01"),
		PaymentTermsDays: 30, ContractReference: "C-2026-001",
		Seller: &billing.Party{Name: "AsevoDigital", LegalForm: "SAS au capital de 10 000 €", SIREN: "812345676", VATNumber: "FR19812345676",
			AddressLines: []string{"18 rue de la République"}, PostalCode: "69002", City: "Lyon", Country: "FR",
			IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP", VATExempt: exempt, LatePenaltyBP: 1215, Footer: "RCS Lyon 812 345 676"},
		Buyer: &billing.Party{Name: "Boulangerie Martin", SIREN: "523456788", VATNumber: "FR83523456788",
			AddressLines: []string{"4 place du Marché"}, PostalCode: "69004", City: "Lyon", Country: "FR"},
		Lines: []*billing.InvoiceLine{
			{Description: "Redevance du contrat C-2026-001, du 01/12/2026 au 31/12/2026", Quantity: 1000, Unit: "période", UnitPriceCents: 120_00, VATRateBP: 2000},
			{Description: "Temps d'intervention hors forfait, I-0007", Quantity: 1000, Unit: "forfait", UnitPriceCents: 90_00, VATRateBP: 2000},
			{Description: "Livre sur la sauvegarde", Quantity: 2000, Unit: "u", UnitPriceCents: 15_00, VATRateBP: 550},
			{Description: "Pénalités de niveau de service, novembre 2026", Quantity: 1000, Unit: "forfait", UnitPriceCents: -12_00, VATRateBP: 2000},
		},
	}
	if exempt {
		for _, l := range inv.Lines {
			l.VATRateBP = 0
		}
	}
	t := inv.Totals()
	inv.TotalHTCents, inv.TotalVATCents, inv.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	inv.PaidCents = 100_00
	return documents.InvoiceData{Invoice: inv}
}

func TestInvoiceDocumentMandatoryMentions(t *testing.T) {
	tr, money := translator(t, i18n.FR)
	b, err := documents.Invoice(sampleInvoice(false), tr, money)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := documents.Invoice(sampleInvoice(false), tr, money)
	if !bytes.Equal(b, again) {
		t.Error("the same invoice gives different bytes")
	}
	path := writePDF(t, b)
	text := pdfText(t, path)
	for _, want := range []string{
		"Facture F-2026-0042", "AsevoDigital", "SIREN 812345676", "N° TVA FR19812345676", "Boulangerie Martin", "SIREN 523456788", "FR83523456788",
		"Date d'émission 02/12/2026", "du 01/12/2026 au 31/12/2026", "Date d'échéance 01/01/2027", "C-2026-001",
		"Prix unitaire HT", "-12,00 €", "5,5 %",
		// 120 + 90 − 12 = 198,00 at 20 % (39,60); 30,00 at 5,5 % (1,65)
		"Total HT 228,00 €", "TVA 20 % (sur 198,00 €) 39,60 €", "TVA 5,5 % (sur 30,00 €) 1,65 €", "Total TTC 269,25 €",
		"Déjà payé -100,00 €", "Reste à payer 169,25 €",
		"au plus tard le 01/01/2027", "taux annuel de 12,15 %", "40 €", "L441-10", "Pas d'escompte",
		"FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP", "RCS Lyon",
	} {
		if !bytes.Contains([]byte(text), []byte(want)) {
			t.Errorf("PDF lacks %q\n%s", want, text)
		}
	}
	if bytes.Contains([]byte(text), []byte("293 B")) {
		t.Error("a provider liable to VAT prints the exemption mention")
	}
	dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "80", path, filepath.Join(dir, "invoice-pdf")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}

	// Exempt: no VAT, the mention.
	b, err = documents.Invoice(sampleInvoice(true), tr, money)
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, writePDF(t, b))
	for _, want := range []string{"TVA non applicable, art. 293 B du CGI", "Total TTC 228,00 €"} {
		if !bytes.Contains([]byte(text), []byte(want)) {
			t.Errorf("exempt PDF lacks %q\n%s", want, text)
		}
	}
}

func TestCreditNoteDocument(t *testing.T) {
	tr, money := translator(t, i18n.EN)
	d := sampleInvoice(false)
	d.Invoice.Kind, d.Invoice.Number, d.Invoice.CreditsYear, d.Invoice.CreditsNumber = billing.KindCreditNote, 3, 2026, 42
	d.Invoice.Status, d.Invoice.PaidCents = billing.InvoiceIssued, 0
	d.Invoice.DueDate = time.Time{}
	b, err := documents.Invoice(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, writePDF(t, b))
	for _, want := range []string{"Credit note A-2026-0003", "Credit note on invoice F-2026-0042", "deducted from invoice F-2026-0042"} {
		if !bytes.Contains([]byte(text), []byte(want)) {
			t.Errorf("credit note PDF lacks %q\n%s", want, text)
		}
	}
}
