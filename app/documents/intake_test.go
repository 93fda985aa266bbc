package documents_test

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/google/uuid"

	"maintenant/app/clients"
	"maintenant/app/documents"
	"maintenant/app/equipment"
	"maintenant/app/i18n"
	"maintenant/app/provider"
)

func sampleIntake(t *testing.T, returned bool) documents.IntakeData {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	in := &equipment.Intake{
		ID: uuid.MustParse("01900000-0000-7000-8000-0000000000b1"), Number: 7, BroughtBy: "Maître Claire Durand",
		BroughtAt: at("2026-11-20 09:15"), Reason: "L'ordinateur ne démarre plus après une mise à jour.",
		Condition: "Coque rayée, touche Échap manquante", Accessories: "Chargeur, sacoche", Label: "A17",
		BackupState: equipment.BackupDone, BackupLocation: "NAS atelier /sauvegardes/durand/2026-03-14", BackupByName: "Karim Benali",
		BackupAt: at("2026-11-20 09:40"), CheckedInByName: "Karim Benali", EquipmentName: "2026-03-14", EquipmentKind: equipment.KindLaptop,
		EquipmentMakeModel: "Dell Latitude 5440", EquipmentSerial: "5CD123XYZ", InterventionNumber: 31,
		Loans: []*equipment.Loan{{EquipmentName: "PRÊT-01", EquipmentMakeModel: "Lenovo ThinkPad T14", LentAt: at("2026-11-20 09:50")}},
	}
	if returned {
		in.Loans[0].ReturnedAt = at("2026-11-22 17:00")
		in.ReturnedAt, in.ReturnedTo, in.ReturnedByName, in.AccessoriesBack = at("2026-11-22 17:05"), "Maître Claire Durand", "Karim Benali", true
	}
	return documents.IntakeData{
		Intake: in, Lang: i18n.FR, Location: paris,
		Provider: &provider.Organisation{Name: "AsevoDigital", SIREN: "812345676", AddressLine1: "18 rue de la République", PostalCode: "69002", City: "Lyon"},
		Client:   &clients.Client{Name: "Cabinet Durand Avocats", AddressLine1: "12 quai Saint-Antoine", PostalCode: "69002", City: "Lyon"},
	}
}

func TestIntakeReceipt(t *testing.T) {
	tr, _ := translator(t, i18n.FR)
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) not installed", tool)
		}
	}
	for _, c := range []struct {
		name     string
		returned bool
		want     []string
	}{
		{"checkin", false, []string{"Bon de dépôt atelier", "A-0007", "Dépôt à l'atelier : 2026-03-14", "Cabinet Durand Avocats",
			"Dell Latitude 5440", "5CD123XYZ", "Étiquette A17", "Apportée par Maître Claire Durand", "Déposée le 20/11/2026 09:15",
			"ne démarre plus", "Chargeur, sacoche", "I-0031", "sauvegardé avant toute intervention (NAS atelier /sauvegardes/durand/2026-03-14), par Karim Benali le 20/11/2026 09:40",
			"PRÊT-01", "Encore prêté", "pas encore restituée", "Signatures au dépôt"}},
		{"return", true, []string{"Dépôt clos", "Rendue à Maître Claire Durand", "Rendue le 22/11/2026 17:05", "Rendus et vérifiés",
			"22/11/2026 17:00", "Signatures à la restitution"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := documents.Intake(sampleIntake(t, c.returned), tr)
			if err != nil {
				t.Fatal(err)
			}
			path := writePDF(t, b)
			text := pdfText(t, path)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("receipt lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("text:\n%s", text)
			}
			dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", path, filepath.Join(dir, "intake-receipt-"+c.name)).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
		})
	}
}

// The QR code printed on a label is the code of the item's URL, module for module.
func TestLabelSheet(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfimages", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) not installed", tool)
		}
	}
	var labels []documents.Label
	for n := range 26 {
		labels = append(labels, documents.Label{Name: "2026-03-14" + string(rune('A'+n)), Client: "Cabinet Durand Avocats",
			Kind: "Ordinateur portable", Serial: "S/N 5CD12" + string(rune('A'+n)),
			URL: "http://maintenant.test/admin/equipment/01900000-0000-7000-8000-0000000000" + string(rune('a'+n%6)) + "1"})
	}
	b, err := documents.Labels(labels, "Étiquettes")
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, b)
	text := pdfText(t, path)
	for _, w := range []string{"2026-03-14A", "2026-03-14Z", "Cabinet Durand Avocats", "S/N 5CD12A"} {
		if !strings.Contains(text, w) {
			t.Errorf("labels lack %q", w)
		}
	}
	if out, err := exec.Command("pdfinfo", path).Output(); err != nil || !regexp.MustCompile(`Pages:\s+2\n`).Match(out) {
		t.Errorf("26 labels should take two pages of 24: %s %v", out, err)
	}
	dir := t.TempDir()
	if out, err := exec.Command("pdfimages", "-png", "-f", "1", "-l", "1", path, filepath.Join(dir, "qr")).CombinedOutput(); err != nil {
		t.Fatalf("pdfimages: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "qr-000.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	code, err := qr.Encode(labels[0].URL, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	modules := code.Bounds().Dx()
	const quiet, px = 32, 8
	if got := img.Bounds().Dx(); got != modules*px+2*quiet {
		t.Fatalf("QR image %d px wide, want %d", got, modules*px+2*quiet)
	}
	for y := range modules {
		for x := range modules {
			r, _, _, _ := img.At(quiet+x*px+px/2, quiet+y*px+px/2).RGBA()
			cr, _, _, _ := code.At(x, y).RGBA()
			if (r < 0x8000) != (cr < 0x8000) {
				t.Fatalf("module (%d,%d) differs from the code of %s", x, y, labels[0].URL)
			}
		}
	}
	shots := filepath.Join(repoRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", path, filepath.Join(shots, "label-sheet")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}
