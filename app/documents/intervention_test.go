package documents_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/clients"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/provider"
)

// drawnSignature is a transparent canvas with a dark stroke, as the signature pad sends it.
func drawnSignature(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 600, 200))
	for x := 40; x < 560; x++ {
		y := 100 + (x%120-60)*(x%120-60)/60 - 30
		for dy := -2; dy <= 2; dy++ {
			if yy := y + dy; yy >= 0 && yy < 200 {
				img.Set(x, yy, color.NRGBA{R: 15, G: 23, B: 42, A: 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sampleSheet is a completed corrective intervention with time in every category, two machines,
// material of each billing, a summary and internal notes, a signature on site and an addendum.
func sampleSheet(t *testing.T) documents.InterventionData {
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
	id := uuid.MustParse("01900000-0000-7000-8000-0000000000a1")
	i := &interventions.Intervention{
		ID: id, Number: 42, Kind: interventions.KindCorrective, Place: interventions.PlaceOnSite,
		Status: interventions.StatusDone, Title: "Caisse enregistreuse bloquée et imprimante de tickets",
		ContractID: uuid.NullUUID{UUID: uuid.New(), Valid: true}, ContractReference: "C-2026-001",
		EstimatedMinutes: 0, StartedAt: at("2026-11-20 08:50"), CompletedAt: at("2026-11-20 12:10"),
		UpdatedAt: at("2026-11-20 12:10"),
		Summary: "La caisse ne démarrait plus : disque système remplacé et données restaurées.\n" +
			"L'imprimante de tickets est nettoyée ; la tête d'impression est à changer à la prochaine visite.",
		InternalNotes: "NOTE INTERNE : client pressé, ne pas facturer le trajet la prochaine fois.",
		Technicians:   []interventions.Technician{{Name: "Léa Technicienne"}, {Name: "Marc Dépanneur"}},
	}
	entry := func(cat interventions.Category, start string, m int, billable bool, who, note string) *interventions.TimeEntry {
		return &interventions.TimeEntry{Category: cat, StartedAt: at(start), Minutes: m, Billable: billable, TechnicianName: who, Note: note}
	}
	return documents.InterventionData{
		Sheet: &interventions.Sheet{
			Intervention: i,
			TimeEntries: []*interventions.TimeEntry{
				entry(interventions.CategoryTravel, "2026-11-20 08:20", 30, false, "Léa Technicienne", "Lyon → Villeurbanne"),
				entry(interventions.CategoryOnSite, "2026-11-20 08:50", 20, false, "Léa Technicienne", "Point avec la gérante"),
				entry(interventions.CategoryWork, "2026-11-20 09:10", 90, false, "Léa Technicienne", "Remplacement du disque"),
				entry(interventions.CategoryWork, "2026-11-20 10:40", 45, true, "Marc Dépanneur", "Restauration de la sauvegarde"),
				entry(interventions.CategoryResearch, "2026-11-19 16:00", 25, true, "Marc Dépanneur", "Référence de la tête d'impression"),
			},
			Actions: []*interventions.EquipmentAction{
				{Target: "Caisse enregistreuse (PC caisse)", Done: "Disque SSD remplacé, système réinstallé, données de la veille restaurées.", Remaining: ""},
				{Target: "Imprimante de tickets Epson TM-T20", Done: "Nettoyage, test d'impression.", Remaining: "Changer la tête d'impression (commande en cours)."},
			},
			Materials: []*interventions.Material{
				{Description: "SSD 500 Go", QuantityMilli: 1000, UnitPriceCents: 6490, Billable: true},
				{Description: "Rouleaux de papier thermique", QuantityMilli: 2500, UnitPriceCents: 120, Billable: false},
				{Description: "Onduleur 650 VA", QuantityMilli: 1000, UnitPriceCents: 8900, FromQuote: true},
			},
			Signature: &interventions.Signature{
				SignerName: "Sophie Martin", Image: drawnSignature(t), ImageType: "image/png",
				SignedAt: at("2026-11-20 12:05"), SignedFrom: interventions.SignedOnSite,
			},
			Addenda: []*interventions.Addendum{
				{AuthorLabel: "Léa Technicienne", Body: "Le numéro de série du SSD est S4EVNX0R123456.", CreatedAt: at("2026-11-21 09:30")},
			},
		},
		Provider: &provider.Organisation{
			Name: "AsevoDigital", LegalForm: "SAS au capital de 10 000 € · RCS Lyon", SIREN: "812345676", VATNumber: "FR19812345676",
			AddressLine1: "18 rue de la République", PostalCode: "69002", City: "Lyon", Email: "contact@asevodigital.demo.test",
		},
		Client: &clients.Client{
			Name: "Boulangerie Martin — Pâtisserie", SIREN: "523456788",
			AddressLine1: "4 place de l'Église", PostalCode: "69004", City: "Lyon", Country: "FR",
		},
		TicketReference: "T-0007",
		Entry:           &interventions.RegisterEntry{TimeCostCents: 7000, MaterialsCents: 6490, TotalCostCents: 13490},
		Lang:            i18n.FR,
		Location:        paris,
	}
}

func TestInterventionDocument(t *testing.T) {
	tr, money := translator(t, i18n.FR)
	d := sampleSheet(t)
	b, err := documents.Intervention(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	again, err := documents.Intervention(sampleSheet(t), tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Error("the same sheet rendered twice differs")
	}
	for _, tool := range []string{"pdftotext", "pdfimages", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) not installed", tool)
		}
	}
	path := writePDF(t, b)
	text := pdfText(t, path)
	for _, want := range []string{
		"Fiche d'intervention", "I-0042", "Caisse enregistreuse bloquée",
		"Intervention n° I-0042 · Corrective · Sur site · statut : Terminée",
		"Le prestataire", "AsevoDigital", "Le client", "Boulangerie Martin — Pâtisserie",
		"Contrat C-2026-001", "Signalement T-0007", "Technicien(s) Léa Technicienne, Marc Dépanneur",
		"Durée estimée >999", "Commencée le 20/11/2026 08:50", "Terminée le 20/11/2026 12:10",
		"Temps passé", "Travail effectif — 2 h 15", "Trajet — 30 min", "Sur place avec le client — 20 min", "Recherche — 25 min",
		"20/11/2026 09:10", "Remplacement du disque", "Couvert par le contrat", "Facturable",
		"Totaux par catégorie", "Total 1 h 10 2 h 20 3 h 30",
		"Travaux par équipement ou service", "Caisse enregistreuse (PC caisse)", "Fait Disque SSD remplacé",
		"Reste à faire Rien", "Reste à faire Changer la tête d'impression",
		"Matériel remis au client", "SSD 500 Go", "64,90 €", "2,5", "3,00 €", "Non facturé", "Facturé sur devis",
		"Matériel facturé avec cette fiche : 64,90 € HT",
		"Compte rendu", "disque système remplacé", "tête d'impression est à changer",
		"Coût de l'intervention (HT)", "Temps facturé 70,00 €", "Total HT 134,90 €",
		"Signature du client", "Signataire Sophie Martin", "Signé le 20/11/2026 12:05", "Signé sur place",
		"Avenants", "Avenant du 21/11/2026 09:30 — Léa Technicienne", "S4EVNX0R123456",
		"Édité le 20/11/2026", "Page 1 / ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "NOTE INTERNE") {
		t.Error("the internal notes are printed on the client's sheet")
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
	}
	imgs, err := exec.Command("pdfimages", "-list", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Split(strings.TrimSpace(string(imgs)), "\n")) - 2; n != 1 {
		t.Errorf("%d images in the sheet, want the drawn signature:\n%s", n, imgs)
	}

	dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "intervention-pdf-*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "70", path, filepath.Join(dir, "intervention-pdf")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}

// An open sheet to be signed later from the portal, read in English, with a signature image that
// does not decode on another sheet: both still render.
func TestInterventionDocumentOpenEnglish(t *testing.T) {
	tr, money := translator(t, i18n.EN)
	d := sampleSheet(t)
	s := *d.Sheet
	i := *s.Intervention
	i.Status, i.CompletedAt, i.SignLater, i.EstimatedMinutes = interventions.StatusInProgress, time.Time{}, true, 150
	s.Intervention, s.Signature, s.Addenda, s.Materials = &i, nil, nil, nil
	d.Sheet, d.Entry, d.TicketReference, d.Lang = &s, nil, "", i18n.EN
	b, err := documents.Intervention(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	text := pdfText(t, writePDF(t, b))
	for _, want := range []string{
		"Intervention sheet", "status: In progress", "Sheet in progress", "Estimated duration 2 h 30",
		"Started on 20/11/2026 8:50 am", "No material handed over.", "Signature to come from the client portal.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, absent := range []string{"Cost of the intervention", "Addenda", "Ticket"} {
		if strings.Contains(text, absent) {
			t.Errorf("PDF text has %q", absent)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
	}

	s.SignLater = false
	s.Signature = &interventions.Signature{SignerName: "Sophie Martin", Image: []byte("\x89PNG\r\n\x1a\nnot really"),
		SignedAt: i.StartedAt, SignedFrom: interventions.SignedPortal}
	b, err = documents.Intervention(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, writePDF(t, b))
	for _, want := range []string{"Signed from the portal", "The signature image cannot be read."} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}
