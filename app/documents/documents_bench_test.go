package documents_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/clients"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/provider"
)

// benchTranslator is translator for benchmarks: the French catalogue and money format.
func benchTranslator(b *testing.B) (documents.Translate, func(int64) string) {
	b.Helper()
	cat, err := i18n.New()
	if err != nil {
		b.Fatal(err)
	}
	return func(id string, args ...any) string { return cat.T(i18n.FR, id, args...) },
		func(cents int64) string { return i18n.Money(i18n.FR, cents) }
}

// BenchmarkInvoicePDF renders the four-line sample invoice (mandatory mentions, VAT by rate, a
// deduction, partly paid) as a PDF, as issuing and downloading it does.
func BenchmarkInvoicePDF(b *testing.B) {
	tr, money := benchTranslator(b)
	d := sampleInvoice(false)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		pdf, err := documents.Invoice(d, tr, money)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

// BenchmarkInterventionPDF renders a completed sheet (five time entries in every category, two
// machines, three materials, an addendum, no signature image) as a PDF, as completing it does.
func BenchmarkInterventionPDF(b *testing.B) {
	tr, money := benchTranslator(b)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 8, 20, 0, 0, paris)
	entry := func(cat interventions.Category, offset, minutes int, billable bool, who, note string) *interventions.TimeEntry {
		return &interventions.TimeEntry{Category: cat, StartedAt: at.Add(time.Duration(offset) * time.Minute), Minutes: minutes,
			Billable: billable, TechnicianName: who, Note: note}
	}
	d := documents.InterventionData{
		Sheet: &interventions.Sheet{
			Intervention: &interventions.Intervention{
				ID: uuid.MustParse("01900000-0000-7000-8000-0000000000b1"), Number: 42, Kind: interventions.KindCorrective,
				Place: interventions.PlaceOnSite, Status: interventions.StatusDone, Title: "Caisse enregistreuse bloquée",
				StartedAt: at, CompletedAt: at.Add(230 * time.Minute), UpdatedAt: at.Add(230 * time.Minute),
				Summary:     "La caisse ne démarrait plus : disque système remplacé et données restaurées.",
				Technicians: []interventions.Technician{{Name: "Léa Technicienne"}, {Name: "Marc Dépanneur"}},
			},
			TimeEntries: []*interventions.TimeEntry{
				entry(interventions.CategoryTravel, 0, 30, false, "Léa Technicienne", "Lyon → Villeurbanne"),
				entry(interventions.CategoryOnSite, 30, 20, false, "Léa Technicienne", "Point avec la gérante"),
				entry(interventions.CategoryWork, 50, 90, false, "Léa Technicienne", "Remplacement du disque"),
				entry(interventions.CategoryWork, 140, 45, true, "Marc Dépanneur", "Restauration de la sauvegarde"),
				entry(interventions.CategoryResearch, -900, 25, true, "Marc Dépanneur", "Référence de la tête d'impression"),
			},
			Actions: []*interventions.EquipmentAction{
				{Target: "Caisse enregistreuse (PC caisse)", Done: "Disque SSD remplacé, système réinstallé, données restaurées."},
				{Target: "Imprimante de tickets", Done: "Nettoyage, test d'impression.", Remaining: "Changer la tête d'impression."},
			},
			Materials: []*interventions.Material{
				{Description: "SSD 500 Go", QuantityMilli: 1000, UnitPriceCents: 6490, Billable: true},
				{Description: "Rouleaux de papier thermique", QuantityMilli: 2500, UnitPriceCents: 120},
				{Description: "Onduleur 650 VA", QuantityMilli: 1000, UnitPriceCents: 8900, FromQuote: true},
			},
			Addenda: []*interventions.Addendum{
				{AuthorLabel: "Léa Technicienne", Body: "Numéro de série du SSD : S4EVNX0R123456.", CreatedAt: at.Add(25 * time.Hour)},
			},
		},
		Provider: &provider.Organisation{Name: "AsevoDigital", LegalForm: "SAS au capital de 10 000 €", SIREN: "812345676",
			AddressLine1: "18 rue de la République", PostalCode: "69002", City: "Lyon"},
		Client:          &clients.Client{Name: "Boulangerie Martin", AddressLine1: "4 place de l'Église", PostalCode: "69004", City: "Lyon", Country: "FR"},
		TicketReference: "T-0007",
		Entry:           &interventions.RegisterEntry{TimeCostCents: 7000, MaterialsCents: 6490, TotalCostCents: 13490},
		Lang:            i18n.FR,
		Location:        paris,
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		pdf, err := documents.Intervention(d, tr, money)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
