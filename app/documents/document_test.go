package documents

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleMeta() Meta {
	return Meta{
		Title: "Contrat de maintenance", Reference: "C-2026-001",
		Date: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), DateLabel: "Date : %s",
		Provider: Party{Name: "AsevoDigital", Lines: []string{"12 rue des Lilas", "69003 Lyon"}, SIREN: "732829320", VATNumber: "FR44732829320"},
		Footer:   "AsevoDigital · SAS au capital de 10 000 € · Lyon", PageLabel: "Page %d / %s",
		SIRENLabel: "SIREN", VATLabel: "TVA",
	}
}

func TestDocumentIsDeterministicAndCarriesAccents(t *testing.T) {
	render := func() []byte {
		d := New(sampleMeta())
		d.Heading("Objet du contrat — maintenance préventive, curative et évolutive")
		d.Paragraph("Ligne 1 : à échéance\nLigne 2 : 1 234,56 € HT")
		d.KeyValues([][2]string{{"Redevance", "1 234,56 € HT"}, {"Préavis", ""}})
		d.Table([]string{"Service", "Description"}, []float64{0.3, 0.7}, []string{"L", "L"}, [][]string{{"Site web", strings.Repeat("Mises à jour ", 30)}})
		d.Signatures("Fait en deux exemplaires.", "Pour le prestataire", "Pour le client")
		b, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := render(), render()
	if !bytes.Equal(a, b) {
		t.Error("the same document rendered twice differs")
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, a, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"AsevoDigital", "C-2026-001", "préventive, curative et évolutive", "1 234,56 € HT", "Page 1 / 1", "Pour le client"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	fonts, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(fonts)), "\n")
	if len(lines) < 3 {
		t.Fatalf("no fonts listed:\n%s", fonts)
	}
	for _, l := range lines[2:] {
		// name type encoding emb sub uni object ID: emb is the 4th field from the end but three.
		f := strings.Fields(l)
		if len(f) < 7 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %q", l)
		}
	}
}
