package documents_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/provider"
	"maintenant/app/sla"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sampleContract is a renewing contract with an amendment, accents and euros everywhere, and
// clauses long enough to need several pages.
func sampleContract() documents.ContractData {
	id := uuid.MustParse("01900000-0000-7000-8000-000000000001")
	policy := uuid.MustParse("01900000-0000-7000-8000-000000000002")
	v1 := &contracts.Version{
		ContractID: id, No: 1, EffectiveFrom: day("2026-01-01"),
		Title:  "Maintenance du site et de la boutique en ligne",
		Object: "Maintenance préventive, corrective et évolutive du site vitrine de la boulangerie.",
		Services: []contracts.Service{
			{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr (WordPress, hébergé chez OVH)"},
		},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective},
		StartDate:        day("2026-01-01"), InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3,
		TerminationTerms: "Résiliation par lettre recommandée avec accusé de réception.",
		FeeCents:         9900, BillingPeriod: contracts.BillingMonthly, PaymentTermsDays: 30,
		SLAPolicyID: uuid.NullUUID{UUID: policy, Valid: true},
	}
	v2 := *v1
	v2.No, v2.EffectiveFrom = 2, day("2026-06-01")
	v2.Reason = "Ajout de la boutique en ligne (click & collect) et de la page Instagram."
	v2.Services = append(append([]contracts.Service(nil), v1.Services...),
		contracts.Service{Kind: contracts.ServiceEcommerce, Description: "boutique.boulangerie-martin.fr — commandes à retirer en magasin"},
		contracts.Service{Kind: contracts.ServiceSocialNetwork, Description: "Instagram @boulangerie.martin : publication hebdomadaire"})
	v2.MaintenanceKinds = append(v2.MaintenanceKinds, contracts.MaintenanceEvolutive)
	v2.FeeCents, v2.IncludedMinutes, v2.HourlyRateCents = 123456, 90, 6500
	v2.ProviderObligations = strings.Repeat("Le prestataire applique les mises à jour de sécurité sous 48 h, vérifie les sauvegardes chaque semaine et informe le client de tout incident. ", 6)
	v2.ClientObligations = "Le client donne accès aux outils d'administration, signale les pannes par l'espace client et règle les factures à échéance."
	v2.Confidentiality = "Les données personnelles des clients de la boulangerie sont traitées conformément au RGPD ; le prestataire agit en sous-traitant au sens de l'article 28."
	v2.SpecificConditions = "Interventions sur place le lundi, jour de fermeture de la boutique."
	v2.Exclusions = "Rédaction de contenus, photographies, achat de nom de domaine."
	c := &contracts.Contract{
		ID: id, Reference: "C-2026-001", Status: contracts.StatusActive, CurrentVersion: 2, Terms: &v2,
		ActivatedAt: bun.NullTime{Time: day("2025-12-15")},
	}
	return documents.ContractData{
		Contract: c, Versions: []*contracts.Version{v1, &v2},
		PlanChanged: []bool{false, true},
		Plan:        []string{"Mises à jour du site (boulangerie-martin.fr) : Chaque mois, le 1er mardi, à 06:30 · 45 min · À distance"},
		Policy: &contracts.SLAPolicy{
			ID: policy, Name: "Commerce — heures ouvrées", Description: "Pour les commerces ouverts du mardi au samedi.",
			Hours: map[string][]string{
				"monday": {"09:00-12:30", "13:30-18:00"}, "tuesday": {"09:00-12:30", "13:30-18:00"},
				"wednesday": {"09:00-12:30", "13:30-18:00"}, "thursday": {"09:00-12:30", "13:30-18:00"},
				"friday": {"09:00-12:30", "13:30-18:00"}, "saturday": {"09:00-12:00"},
			},
			FrenchHolidays: true, Closures: []time.Time{day("2026-12-24"), day("2026-12-31")},
			PenaltyBPPerHour: 150, PenaltyCapBP: 1000,
			Targets: map[sla.Priority]contracts.Targets{
				sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 240}, sla.High: {ReactionMinutes: 120, ResolutionMinutes: 480},
				sla.Normal: {ReactionMinutes: 240, ResolutionMinutes: 1440}, sla.Low: {ReactionMinutes: 480, ResolutionMinutes: 2880},
			},
		},
		Provider: &provider.Organisation{
			Name: "AsevoDigital", LegalForm: "SAS au capital de 10 000 € · RCS Lyon", SIREN: "812345676", VATNumber: "FR19812345676",
			AddressLine1: "18 rue de la République", PostalCode: "69002", City: "Lyon", Email: "contact@asevodigital.demo.test",
		},
		Client: &clients.Client{
			Name: "Boulangerie Martin — Pâtisserie", SIREN: "523456788", VATNumber: "FR31523456788",
			AddressLine1: "4 place de l'Église", PostalCode: "69004", City: "Lyon", Country: "FR",
		},
		Today:    day("2026-11-22"),
		Location: time.UTC,
	}
}

func translator(t *testing.T, lang i18n.Lang) (documents.Translate, func(int64) string) {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return func(id string, args ...any) string { return cat.T(lang, id, args...) },
		func(cents int64) string { return i18n.Money(lang, cents) }
}

// repoRoot is the folder holding go.mod, where artifacts/ lives.
func repoRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	t.Fatal("no go.mod above the test")
	return ""
}

// pdfText extracts the text of a PDF with poppler, pages separated by form feeds; the layout is
// ignored and spaces are normalised, so that a phrase broken over two lines still matches.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))
	return strings.Join(strings.Fields(s), " ")
}

func writePDF(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "contract.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestContractDocument(t *testing.T) {
	tr, money := translator(t, i18n.FR)
	b, err := documents.Contract(sampleContract(), tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	again, err := documents.Contract(sampleContract(), tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Error("the same contract rendered twice differs")
	}
	for _, tool := range []string{"pdftotext", "pdffonts", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) not installed", tool)
		}
	}
	path := writePDF(t, b)
	text := pdfText(t, path)
	for _, want := range []string{
		// Title, reference, parties.
		"Contrat de maintenance", "C-2026-001", "Maintenance du site et de la boutique en ligne",
		"Entre les soussignés", "Le prestataire", "AsevoDigital", "SAS au capital de 10 000 € · RCS Lyon",
		"Le client", "Boulangerie Martin — Pâtisserie", "4 place de l'Église", "69004 Lyon",
		"SIREN 523456788", "N° TVA FR31523456788", "SIREN 812345676",
		// Every article.
		"Article 1 — Objet du contrat", "Maintenance préventive, corrective et évolutive du site vitrine",
		"Article 2 — Prestations couvertes", "Site e-commerce", "boutique.boulangerie-martin.fr",
		"Réseau social", "Types de maintenance inclus", "Maintenance évolutive",
		"Plan de maintenance préventive", "Chaque mois, le 1er mardi, à 06:30",
		"Article 3 — Durée, reconduction et résiliation", "Date de début 01/01/2026",
		"12 mois (jusqu'au 31/12/2026)", "Par périodes de 12 mois", "Préavis de résiliation 3 mois",
		"Prochaine reconduction 01/01/2027", "Dernier jour pour résilier 30/09/2026",
		"Conditions de résiliation", "lettre recommandée",
		"Article 4 — Conditions financières", "1 234,56 € HT par mois", "Mensuelle", "30 jours",
		"1 h 30 par mois", "65,00 € HT de l'heure",
		"Article 5 — Niveau de service (SLA)", "Commerce — heures ouvrées", "Heures ouvrées",
		"Lundi 09:00 – 12:30, 13:30 – 18:00", "Samedi 09:00 – 12:00", "Dimanche Fermé",
		"fermé les jours fériés", "24/12/2026, 31/12/2026",
		"Délai de prise en charge", "Délai de résolution",
		"1,5 % de la redevance mensuelle par heure de retard entamée, plafonnée à 10 % par mois",
		"Article 6 — Obligations du prestataire", "mises à jour de sécurité",
		"Article 7 — Obligations du client", "Article 8 — Confidentialité et protection des données", "RGPD",
		"Article 9 — Conditions particulières", "Article 10 — Exclusions", "nom de domaine",
		"Article 11 — Historique et avenants", "Contrat d'origine", "Avenant n° 2", "01/06/2026",
		"Ajout de la boutique en ligne", "Redevance",
		"Signatures", "Pour le prestataire", "Pour le client", "Lu et approuvé", "Date :", "Nom et qualité du signataire",
		"Édité le 22/11/2026", "Page 1 / ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// The history names the plan among what the amendment changed (the plan's own article is the other).
	if n := strings.Count(text, "Plan de"); n < 2 {
		t.Errorf("the plan is named %d times, want the article and the history:\n%s", n, text[strings.Index(text, "Historique"):])
	}
	// pdftotext may glue "1 h" in narrow cells: look for the targets with optional spaces.
	for _, want := range []string{`Critique 1 ?h 4 ?h`, `Basse 8 ?h 48 ?h`} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("PDF text lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
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
		// name type encoding emb sub uni object ID: "emb" is the fifth field from the end.
		if f := strings.Fields(l); len(f) < 7 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %q", l)
		}
	}

	// Every page as an image, to look at.
	dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "contract-pdf-*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "80", path, filepath.Join(dir, "contract-pdf")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "contract-pdf-*.png"))
	if len(pages) < 2 {
		t.Errorf("%d pages rendered, want the contract over several pages", len(pages))
	}
}

// A contract without renewal, with notice given and no policy, read in English.
func TestContractDocumentFixedTermEnglish(t *testing.T) {
	d := sampleContract()
	v := *d.Contract.Terms
	v.RenewalMonths, v.NoticeMonths, v.IncludedMinutes, v.HourlyRateCents = 0, 0, 0, 0
	v.BillingPeriod = contracts.BillingQuarterly
	v.Exclusions = ""
	c := *d.Contract
	c.Terms = &v
	c.Status = contracts.StatusDraft
	c.NoticeGivenAt = bun.NullTime{Time: time.Date(2026, 10, 3, 14, 0, 0, 0, time.UTC)}
	c.NoticeGivenByLabel = "Julie Martin"
	c.EndsOn = bun.NullTime{Time: day("2026-12-31")}
	d.Contract, d.Policy = &c, nil
	tr, money := translator(t, i18n.EN)
	b, err := documents.Contract(d, tr, money)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	text := pdfText(t, writePDF(t, b))
	for _, want := range []string{
		"Maintenance contract", "Draft contract", "Between the undersigned",
		"for a term of 12 months. It ends on 31/12/2026, without renewal",
		"Termination notice received on 03/10/2026 (Julie Martin): the contract ends on 31/12/2026",
		"€1,234.56 excl. VAT per quarter", "Quarterly", "Not provided", "No service-level policy",
		"Article 10 — Exclusions Not specified.", "For the client", "Read and approved", "Page 1 of ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
	}
}
