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
	"maintenant/app/clients"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/provider"
)

// sampleQuote is a sent quote of the Boulangerie with lines at two VAT rates and a discount.
func sampleQuote() documents.QuoteData {
	q := &billing.Quote{
		ID: uuid.MustParse("01900000-0000-7000-8000-000000000010"), Year: 2026, Number: 7, Revision: 2,
		Title: "Refonte exceptionnelle de la page d'accueil", Description: "Nouvelle mise en page, photos de la vitrine, textes revus avec vous.",
		ValidUntil: day("2026-12-31"), EstimatedStart: day("2027-01-11"), DepositBP: 3000, Status: billing.StatusSent,
		SentAt: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), ContractReference: "C-2026-001", TicketNumber: 42,
		PaymentTerms: "Solde à réception de la facture, par virement, sous 30 jours.",
		Lines: []*billing.Line{
			{Description: "Maquette de la nouvelle page d'accueil", Quantity: 1000, Unit: "forfait", UnitPriceCents: 450_00, VATRateBP: 2000},
			{Description: "Intégration et tests sur téléphone", Quantity: 6500, Unit: "h", UnitPriceCents: 65_00, VATRateBP: 2000, DiscountBP: 1000},
			{Description: "Livre photo de la vitrine", Quantity: 1000, UnitPriceCents: 30_00, VATRateBP: 550},
		},
	}
	t := billing.ComputeTotals(q.Lines)
	q.TotalHTCents, q.TotalVATCents, q.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	return documents.QuoteData{
		Quote: q,
		Provider: &provider.Organisation{
			Name: "AsevoDigital", LegalForm: "SAS au capital de 10 000 € · RCS Lyon", SIREN: "812345676", VATNumber: "FR19812345676",
			AddressLine1: "18 rue de la République", PostalCode: "69002", City: "Lyon",
		},
		Client:   &clients.Client{Name: "Boulangerie Martin", SIREN: "523456788", AddressLine1: "4 place du Marché", PostalCode: "69004", City: "Lyon", Country: "FR"},
		Location: time.UTC,
	}
}

func TestQuoteDocument(t *testing.T) {
	tr, money := translator(t, i18n.FR)
	d := sampleQuote()
	b, err := documents.Quote(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := documents.Quote(sampleQuote(), tr, money)
	if !bytes.Equal(b, again) {
		t.Error("the same quote gives different bytes: its hash is no evidence")
	}
	text := pdfText(t, writePDF(t, b))
	for _, want := range []string{
		"Devis", "D-2026-0007-R2", "AsevoDigital", "SIREN 812345676", "Boulangerie Martin", "SIREN 523456788",
		"jusqu'au 31/12/2026 inclus", "Maquette de la nouvelle", "−10 %", "5,5 %",
		"Total HT 860,25 €", "TVA 20 % (sur 830,25 €) 166,05 €", "TVA 5,5 % (sur 30,00 €) 1,65 €", "Total TTC 1 027,95 €",
		"Acompte à la commande (30 %) 308,39 €", "Devis gratuit", "T-0042", "C-2026-001", "espace client",
	} {
		if !bytes.Contains([]byte(text), []byte(want)) {
			t.Errorf("PDF lacks %q\n%s", want, text)
		}
	}
	if bytes.Contains([]byte(text), []byte("Bon pour accord")) {
		t.Error("an undecided quote carries an acceptance block")
	}

	// Accepted: the acceptance block with its evidence.
	d = sampleQuote()
	d.Quote.Status = billing.StatusAccepted
	d.Acceptance = &billing.Acceptance{
		SignerName: "Julie Martin", UserEmail: "client@boulangerie.demo.test", AcceptedAt: time.Date(2026, 12, 2, 14, 5, 9, 0, time.UTC),
		IP: "203.0.113.7", UserAgent: "Mozilla/5.0 Firefox/140", ContentSHA256: bytes.Repeat([]byte{0xab}, 32), PDFSHA256: bytes.Repeat([]byte{0xcd}, 32),
	}
	b, err = documents.Quote(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, b)
	text = pdfText(t, path)
	for _, want := range []string{"Bon pour accord", "Julie Martin a lu et accepté le devis D-2026-0007-R2 le 02/12/2026 14:05", "203.0.113.7",
		"client@boulangerie.demo.test", "abababab", "cdcdcdcd"} {
		if !bytes.Contains([]byte(text), []byte(want)) {
			t.Errorf("accepted PDF lacks %q\n%s", want, text)
		}
	}
	dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "80", path, filepath.Join(dir, "quote-pdf-accepted")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}

func TestQuoteDocumentDraftEnglish(t *testing.T) {
	tr, money := translator(t, i18n.EN)
	d := sampleQuote()
	d.Quote.Status, d.Quote.Number, d.Quote.Year, d.Quote.SentAt = billing.StatusDraft, 0, 0, time.Time{}
	d.Quote.CreatedAt = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	b, err := documents.Quote(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, writePDF(t, b))
	for _, want := range []string{"Quote", "Draft", "not an offer", "Total incl. VAT €1,027.95", "This quote is free of charge"} {
		if !bytes.Contains([]byte(text), []byte(want)) {
			t.Errorf("draft PDF lacks %q\n%s", want, text)
		}
	}
}
