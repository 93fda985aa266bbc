package documents_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/provider"
)

// sampleRegister is 40 entries of two clients, newest first, one an addendum, one with actions long
// enough to be cut, enough to need several pages.
func sampleRegister() documents.RegisterData {
	var es []*interventions.RegisterEntry
	kinds := interventions.Kinds()
	for n := 40; n >= 1; n-- {
		e := &interventions.RegisterEntry{
			Seq: n, OccurredOn: day("2026-10-01").AddDate(0, 0, n/2), Kind: kinds[n%len(kinds)],
			ClientName: "Boulangerie Martin", ContractReference: "C-2026-001", ContractID: uuid.NullUUID{UUID: uuid.Nil, Valid: true},
			SheetReference: fmt.Sprintf("I-%04d", n), Subject: "Caisse enregistreuse ; imprimante de tickets",
			Actions:     fmt.Sprintf("Caisse : disque remplacé et système restauré (entrée %d).\nImprimante : nettoyage.", n),
			MinutesWork: 30 + n, MinutesTravel: 20, MaterialsCents: int64(n) * 1000, TimeCostCents: 6500,
			TotalCostCents: 6500 + int64(n)*1000, Technicians: "Léa Technicienne",
		}
		if n%2 == 0 {
			e.ClientName, e.ContractID, e.ContractReference = "Cabinet Durand Avocats", uuid.NullUUID{}, ""
			e.MinutesOnSite, e.MinutesResearch = 15, 10
		}
		es = append(es, e)
	}
	es[3].AddendumID = uuid.NullUUID{UUID: uuid.Nil, Valid: true}
	es[3].Actions, es[3].MinutesWork, es[3].MinutesTravel, es[3].MaterialsCents, es[3].TimeCostCents, es[3].TotalCostCents =
		"ADDENDUM : le numéro de série du disque est S4EV.", 0, 0, 0, 0, 0
	es[5].Actions = strings.Repeat("Contrôle complet du poste, mises à jour, nettoyage des filtres et vérification des sauvegardes. ", 30) + "FIN-INVISIBLE"
	return documents.RegisterData{
		Provider: &provider.Organisation{
			Name: "AsevoDigital", LegalForm: "SAS au capital de 10 000 € · RCS Lyon", SIREN: "812345676",
			AddressLine1: "18 rue de la République", PostalCode: "69002", City: "Lyon",
		},
		Scope:      "Tous les clients",
		Filter:     [][2]string{{"Type", "Corrective"}, {"Période", "du 01/10/2026 au 31/10/2026"}},
		ShowClient: true, Entries: es,
		Totals: interventions.RegisterTotals{Entries: 1234, MinutesWork: 2000, MinutesTravel: 800, MinutesOnSite: 300,
			MinutesResearch: 200, MaterialsCents: 820000, TimeCostCents: 260000, TotalCostCents: 1080000},
		Truncated: true,
		Today:     day("2026-11-22"),
	}
}

// pdfRawText extracts the text of a PDF in the order it was written (cell after cell), spaces
// normalised.
func pdfRawText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))
	return strings.Join(strings.Fields(s), " ")
}

func TestRegisterDocument(t *testing.T) {
	tr, money := translator(t, i18n.FR)
	b, err := documents.Register(sampleRegister(), tr, money)
	if err != nil {
		t.Fatal(err)
	}
	again, err := documents.Register(sampleRegister(), tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Equal(b, again) {
		t.Fatal("not a PDF, or not the same bytes twice")
	}
	for _, tool := range []string{"pdftotext", "pdfinfo", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) not installed", tool)
		}
	}
	path := writePDF(t, b)
	text := pdfRawText(t, path)
	for _, want := range []string{
		"Registre de maintenance — Tous les clients", "Filtre — Type : Corrective · Période : du 01/10/2026 au 31/10/2026",
		"Entrées", "1234", "Temps total", "10 800,00 €", "33 h 20",
		"les 40 entrées les plus récentes sur les 1234 du filtre",
		"N°", "Fiche", "Client", "Contrat", "Équipement ou service", "Actions effectuées", "Temps par catégorie",
		"Matériel HT", "Coût HT", "Technicien",
		"40 21/10/2026 I-0040 Cabinet Durand Avocats Hors contrat Préventive Caisse enregistreuse imprimante de tickets",
		"Travail 1 h 10 Trajet 20 min Sur place 15 min Recherche 10 min Total 1 h 55 400,00 € 465,00 € Léa Technicienne",
		"C-2026-001", "Boulangerie Martin", "Travail 59 min Trajet 20 min Total 1 h 19",
		"disque remplacé et système restauré (entrée 1)", "I-0037 Avenant", "ADDENDUM : le numéro de série",
		"Édité le 22/11/2026", "Registre en ajout seul",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "FIN-INVISIBLE") {
		t.Error("a very long action is printed whole")
	}
	// The headings are repeated on every page.
	pages := strings.Split(pdfText(t, path), "\f")
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "841.89 x 595.28 pts (A4)") {
		t.Errorf("not A4 landscape:\n%s", info)
	}
	if strings.Count(text, "Actions effectuées") < 2 {
		t.Errorf("the column headings are not repeated (%d pages)", len(pages))
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
	}

	dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "register-pdf-*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "70", path, filepath.Join(dir, "register-pdf")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}

// One client's register in English, nothing filtered, no entry.
func TestRegisterDocumentEmptyEnglish(t *testing.T) {
	tr, money := translator(t, i18n.EN)
	d := sampleRegister()
	d.Scope, d.Filter, d.ShowClient, d.Entries, d.Totals, d.Truncated = "Boulangerie Martin", nil, false, nil, interventions.RegisterTotals{}, false
	b, err := documents.Register(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	text := pdfRawText(t, writePDF(t, b))
	for _, want := range []string{"Maintenance register — Boulangerie Martin", "The whole register, no filter.", "Entries", "€0.00", "No entry matches this filter."} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "most recent entries") {
		t.Error("an untruncated register says it is truncated")
	}
}
