package einvoice_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"maintenant/app/documents"
	"maintenant/app/einvoice"
	"maintenant/app/einvoice/einvoicetest"
	"maintenant/app/i18n"
)

func invoicePDF(t *testing.T, d *einvoice.Document) []byte {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := documents.Invoice(documents.InvoiceData{Invoice: d.Invoice},
		func(id string, a ...any) string { return cat.T(i18n.FR, id, a...) },
		func(c int64) string { return i18n.Money(i18n.FR, c) })
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFacturXContainer wraps each sample's PDF with its XML and checks the container point by
// point with qpdf and poppler; page 1 is rendered into artifacts/einvoice to be looked at.
func TestFacturXContainer(t *testing.T) {
	for name, d := range samples() {
		t.Run(name, func(t *testing.T) {
			xml, err := d.XML()
			if err != nil {
				t.Fatal(err)
			}
			plain := invoicePDF(t, d)
			meta := einvoice.Meta{Title: "Facture " + d.Invoice.Reference(), Author: d.Invoice.Seller.Name,
				Subject: "Facture " + d.Invoice.Reference() + " · " + d.Invoice.Title + " & <co>", Date: d.Invoice.IssueDate}
			pdf, err := einvoice.FacturX(plain, xml, meta)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := einvoice.FacturX(plain, xml, meta)
			if !bytes.Equal(pdf, again) {
				t.Error("the same invoice gives other bytes")
			}
			einvoicetest.CheckFacturX(t, pdf, xml)
			if name != "one_rate" && name != "credit_note" {
				return
			}
			if _, err := exec.LookPath("pdftoppm"); err != nil {
				t.Skip("pdftoppm is not installed (poppler-utils)")
			}
			dir := filepath.Join(einvoicetest.RepoRoot(), "artifacts", "einvoice")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "f.pdf")
			if err := os.WriteFile(src, pdf, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", src, filepath.Join(dir, name)).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v %s", err, out)
			}
			if st, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || st.Size() < 10_000 {
				t.Errorf("page 1 did not render: %v", err)
			}
		})
	}
	if _, err := einvoice.FacturX([]byte("%PDF-1.4\nnot a pdf"), nil, einvoice.Meta{}); err == nil {
		t.Error("a file that is not fpdf's was wrapped")
	}
}
