package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/seed"
	"maintenant/app/sla"
	"maintenant/app/testutil"
)

// The tests run on 22/11/2026 (testutil.DefaultNow). A contract started on 01/03/2026 for 12 months,
// renewed by 12 months with 3 months' notice, runs until 28/02/2027; notice is due by 28/11/2026, in
// 6 days. Started on 01/01/2026, notice was due by 30/09/2026: too late, it would end on 31/12/2027.

type portalApp struct {
	app         *testutil.App
	boulangerie uuid.UUID
	cabinet     uuid.UUID
	policy      uuid.UUID
}

func newPortalApp(t *testing.T) *portalApp {
	t.Helper()
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	a := &portalApp{app: app, boulangerie: clientID(t, app, "Boulangerie Martin"), cabinet: clientID(t, app, "Cabinet Durand Avocats")}
	a.policy = a.slaPolicy(t, "Standard bureau")
	return a
}

func clientID(t *testing.T, app *testutil.App, name string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM clients WHERE name = ?", name).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, app *testutil.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := app.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// slaPolicy writes a service level: Monday to Friday 09:00-12:30 and 13:30-18:00, closed on public
// holidays and on 24/12/2026, 1 h / 4 h for critical requests, 1,5 % per started hour capped at 10 %.
func (a *portalApp) slaPolicy(t *testing.T, name string) uuid.UUID {
	t.Helper()
	office := []string{"09:00-12:30", "13:30-18:00"}
	p := &contracts.SLAPolicy{
		Name:  name,
		Hours: map[string][]string{"monday": office, "tuesday": office, "wednesday": office, "thursday": office, "friday": office},
		Closures: []time.Time{
			time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		},
		FrenchHolidays: true, PenaltyBPPerHour: 150, PenaltyCapBP: 1000,
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 240},
			sla.High:     {ReactionMinutes: 120, ResolutionMinutes: 480},
			sla.Normal:   {ReactionMinutes: 240, ResolutionMinutes: 960},
			sla.Low:      {ReactionMinutes: 480, ResolutionMinutes: 2400},
		},
	}
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, p, a.app.Clock.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// terms returns the Boulangerie's usual terms, changed by edit.
func (a *portalApp) terms(edit func(v *contracts.Version)) *contracts.Version {
	v := &contracts.Version{
		Title:  "Maintenance du site et de la boutique",
		Object: "Maintenance préventive et corrective du site vitrine et de la boutique en ligne.",
		Services: []contracts.Service{
			{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr"},
			{Kind: contracts.ServiceEcommerce, Description: "boutique.boulangerie-martin.fr"},
			{Kind: contracts.ServiceSocialNetwork, Description: "Page Instagram"},
		},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective},
		StartDate:        time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		InitialMonths:    12, RenewalMonths: 12, NoticeMonths: 3,
		TerminationTerms: "Par lettre recommandée ou depuis l'espace client.",
		FeeCents:         123456, BillingPeriod: contracts.BillingMonthly, PaymentTermsDays: 30,
		IncludedMinutes: 90, HourlyRateCents: 6500,
		SLAPolicyID:         uuid.NullUUID{UUID: a.policy, Valid: true},
		ProviderObligations: "Intervenir dans les délais.\nSauvegarder le site chaque nuit.",
		ClientObligations:   "Donner accès à l'hébergement.",
		Confidentiality:     "Données traitées selon le RGPD.",
		Exclusions:          "La refonte graphique du site.",
	}
	if edit != nil {
		edit(v)
	}
	return v
}

// contract creates a contract for a client and brings it to a status (draft, active or terminated).
func (a *portalApp) contract(t *testing.T, client uuid.UUID, status contracts.Status, edit func(v *contracts.Version)) *contracts.Contract {
	t.Helper()
	now := a.app.Clock.Now()
	var ct *contracts.Contract
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		ct = &contracts.Contract{ClientID: client}
		if err := contracts.Create(ctx, tx, ct, a.terms(edit), uuid.Nil, now); err != nil {
			return err
		}
		steps := map[contracts.Status][]contracts.Status{
			contracts.StatusActive:     {contracts.StatusActive},
			contracts.StatusSuspended:  {contracts.StatusActive, contracts.StatusSuspended},
			contracts.StatusTerminated: {contracts.StatusActive, contracts.StatusTerminated},
		}[status]
		for _, to := range steps {
			next, _, err := contracts.Transition(ctx, tx, ct.ID, to, "", ct.Version, now)
			if err != nil {
				return err
			}
			ct = next
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// member creates a member (not admin) user of a client who can log in with the demo password.
func (a *portalApp) member(t *testing.T, client uuid.UUID, email, name string) {
	t.Helper()
	hash, err := accounts.HashPassword(seed.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := &accounts.User{Kind: accounts.Client, Email: email, Name: name, Role: accounts.Member, Language: "fr", Active: true,
		ClientID: uuid.NullUUID{UUID: client, Valid: true}, PasswordHash: hash}
	u.PasswordChangedAt.Time = a.app.Clock.Now()
	if err := accounts.CreateUser(context.Background(), a.app.DB.Bun, u, a.app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// staff creates a staff user (for the mails to managers).
func (a *portalApp) staff(t *testing.T, email, name string, role accounts.Role, active bool) {
	t.Helper()
	u := &accounts.User{Kind: accounts.Staff, Email: email, Name: name, Role: role, Language: "en", Active: active}
	if err := accounts.CreateUser(context.Background(), a.app.DB.Bun, u, a.app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func contractPath(ct *contracts.Contract) string { return "/portal/contracts/" + ct.ID.String() }

// squash collapses runs of ASCII white space (not the no-break spaces of amounts and dates).
func squash(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

var spaces = regexp.MustCompile(`[ \t\r\n]+`)

func wantText(t *testing.T, what, text string, want ...string) {
	t.Helper()
	text = squash(text)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestPortalContractList(t *testing.T) {
	a := newPortalApp(t)
	active := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	a.contract(t, a.boulangerie, contracts.StatusDraft, func(v *contracts.Version) { v.Title = "Refonte en préparation" })
	a.contract(t, a.boulangerie, contracts.StatusTerminated, func(v *contracts.Version) {
		v.Title, v.StartDate = "Ancien hébergement", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	})
	a.contract(t, a.boulangerie, contracts.StatusActive, func(v *contracts.Version) {
		v.Title, v.StartDate = "Réseaux sociaux", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	})
	a.contract(t, a.cabinet, contracts.StatusActive, func(v *contracts.Version) { v.Title = "Parc informatique du cabinet" })

	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get("/portal/contracts")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if n := doc.Find("main article").Length(); n != 4 {
		t.Errorf("%d contracts listed, want the Boulangerie's 4", n)
	}
	text := res.Text(t)
	if strings.Contains(text, "Parc informatique du cabinet") {
		t.Error("the list shows another client's contract")
	}
	// Running contracts come first.
	if first := squash(doc.Find("main article").First().Text()); !strings.Contains(first, "Actif") {
		t.Errorf("first card is not a running contract: %q", first)
	}
	card := squash(doc.Find(`main article:has(a[href="` + contractPath(active) + `"])`).Text())
	for _, want := range []string{"Maintenance du site et de la boutique", active.Reference, "Actif", "Site internet", "boulangerie-martin.fr",
		"Site e-commerce", "Réseau social", "Période en cours", "du 01/03/2026 au 28/02/2027", "Prochaine reconduction", "01/03/2027",
		"Dernier jour pour résilier", "28/11/2026", "dans 6 jours"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q: %s", want, card)
		}
	}
	wantText(t, "list", text, "Brouillon", "En préparation : ces conditions peuvent encore changer.", "Résilié", "Terminé le",
		// Too late for the coming renewal: the next useful deadline is given, with why.
		"30/09/2027", "Pour une fin au 31/12/2027. Trop tard pour l'échéance du 01/01/2027 : le dernier jour était le 30/09/2026")
	if _, ok := doc.Find(`nav a[href="/portal/contracts"][aria-current="page"]`).Attr("href"); !ok {
		t.Error("the navigation does not mark Contrats as current")
	}
}

func TestPortalContractListEmpty(t *testing.T) {
	a := newPortalApp(t)
	a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	c := a.app.LoginAs(t, testutil.CabinetUser)
	res := c.Get("/portal/contracts")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: %d", res.StatusCode)
	}
	wantText(t, "empty list", res.Text(t), "Aucun contrat pour l'instant", "Vous n'avez pas encore de contrat de maintenance avec AsevoDigital")
	if res.Doc(t).Find("main article").Length() != 0 {
		t.Error("the Cabinet sees a contract")
	}
}

func TestPortalContractDetail(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, func(v *contracts.Version) {
		v.SpecificConditions = "<script>alert(1)</script>"
	})
	// An amendment: a higher fee and off-site backups, from 01/12/2026.
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		v := a.terms(func(v *contracts.Version) {
			v.SpecificConditions = "<script>alert(1)</script>"
			v.FeeCents = 150000
			v.Services = append(v.Services, contracts.Service{Kind: contracts.ServiceBackups, Description: "Sauvegarde hors site"})
		})
		return contracts.Amend(ctx, tx, ct.ID, v, "Ajout des sauvegardes hors site", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			uuid.Nil, ct.Version, a.app.Clock.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get(contractPath(ct))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("detail: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	text := res.Text(t)
	wantText(t, "detail", text,
		"Maintenance du site et de la boutique", "Contrat "+ct.Reference, "Actif",
		// Covered and not.
		"Ce qui est couvert", "Site internet", "boulangerie-martin.fr", "Sauvegardes", "Sauvegarde hors site",
		"Maintenance préventive", "vérifications régulières pour éviter les pannes", "Maintenance corrective",
		"Ce qui n'est pas couvert", "La refonte graphique du site.", "rien n'est fait sans votre accord",
		// When to reach us.
		"Quand nous joindre", "Lundi – Vendredi", "09:00–12:30 et 13:30–18:00", "Samedi – Dimanche", "Fermé",
		"Fermé les jours fériés.", "Fermetures exceptionnelles à venir : 24/12/2026.",
		// How fast, in plain words.
		"Nos délais d'intervention", "niveau de service (SLA), « Standard bureau »",
		"Site en panne", "(priorité critique)", "Prise en charge sous 1 h ouvrée, résolution sous 4 h ouvrées",
		"Fonction importante en panne", "Prise en charge sous 2 h ouvrées, résolution sous 8 h ouvrées",
		"Question ou petite demande", "résolution sous 40 h ouvrées", "Heures ouvrées : les délais ne comptent que pendant nos horaires",
		// The penalty, in words and in euros (1 500 € a month: 22,50 € per hour, 150 € at most).
		"Si nous sommes en retard", "1,5\u00a0% de la redevance mensuelle par heure de retard entamée, plafonnée à 10\u00a0% par mois",
		"22,50\u00a0€ HT par heure de retard", "150,00\u00a0€ HT au plus par mois",
		// Money.
		"Ce que vous payez", "1\u202f500,00\u00a0€ HT par mois", "Chaque mois", "30 jours après la facture", "1 h 30 par mois",
		"65,00\u00a0€ HT de l'heure",
		// Duration, renewal, termination, with the computed dates.
		"Durée, reconduction et résiliation", "01/03/2026", "12 mois", "jusqu'au 28/02/2027", "Par périodes de 12 mois",
		"continue automatiquement", "prévenez-nous au moins 3 mois avant", "Par lettre recommandée ou depuis l'espace client.",
		"Dates à retenir", "du 01/03/2026 au 28/02/2027", "Prochaine reconduction", "01/03/2027", "Dernier jour pour résilier", "28/11/2026",
		// Each side's obligations, confidentiality.
		"Nos engagements", "Sauvegarder le site chaque nuit.", "Vos engagements", "Donner accès à l'hébergement.",
		"Confidentialité et protection des données", "Données traitées selon le RGPD.",
		// The amendment: when, why, what changed.
		"Les conditions ci-dessous, modifiées par avenant, s'appliquent à partir du 01/12/2026.",
		"Historique et avenants", "Avenant n° 2", "En vigueur à partir du 01/12/2026", "Ajout des sauvegardes hors site",
		"Ajouté", "Sauvegardes\u00a0: Sauvegarde hors site",
		"Redevance", "1\u202f234,56\u00a0€ HT", "Contrat d'origine", "En vigueur à partir du 01/03/2026",
		// The termination block.
		"Résilier ce contrat", "Votre contrat prendra fin le 28/02/2027.",
	)
	pdf := doc.Find(`main a[href="` + contractPath(ct) + `.pdf"]`)
	if pdf.Length() != 1 {
		t.Error("no link to the PDF")
	} else if v, _ := pdf.Attr("hx-boost"); v != "false" {
		t.Errorf("the PDF link is boosted (hx-boost=%q)", v)
	}
	if strings.Contains(res.Body, "<script>alert(1)") || !strings.Contains(res.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("user text is not shown inert")
	}
	// The notice form: what happens, an optional reason, a required checkbox, a confirmation dialog.
	form := doc.Find(`form[action="` + contractPath(ct) + `/notice"]`)
	if form.Length() != 1 {
		t.Fatal("no notice form for the client admin")
	}
	if _, ok := form.Find(`input[type="checkbox"][name="confirm"]`).Attr("required"); !ok {
		t.Error("the confirmation checkbox is not required")
	}
	if v, _ := form.Find("button").Attr("data-confirm"); !strings.Contains(v, "Il prendra fin le 28/02/2027") {
		t.Errorf("the button's confirmation says %q", v)
	}
	if v, _ := form.Find(`input[name="ends_on"]`).Attr("value"); v != "2027-02-28" {
		t.Errorf("ends_on sent back as %q", v)
	}
	if m := rawKey.FindString(text); m != "" {
		t.Errorf("the page shows a raw message id: %q", m)
	}

	// The same page in English.
	c.Post("/language", url.Values{"lang": {"en"}})
	en := c.Get(contractPath(ct)).Text(t)
	wantText(t, "English detail", en, "What is covered", "When to reach us", "Monday – Friday", "How fast we respond",
		"Website down", "Taken in hand within 1 h of business time, fixed within 4 h of business time", "What you pay",
		"Your contract will end on 28/02/2027.")
	if m := rawKey.FindString(en); m != "" {
		t.Errorf("the English page shows a raw message id: %q", m)
	}
}

// TestPortalContractCrossClient asks for the Boulangerie's contract as the Cabinet's admin on every
// /portal/contracts route: each answers 404 exactly like a missing contract, and nothing is recorded.
func TestPortalContractCrossClient(t *testing.T) {
	a := newPortalApp(t)
	theirs := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	mine := a.contract(t, a.cabinet, contracts.StatusActive, nil)
	c := a.app.LoginAs(t, testutil.CabinetUser)
	missing := "/portal/contracts/" + uuid.Must(uuid.NewV7()).String()
	notFound := squash(c.Get(missing).Doc(t).Find("main").Text())

	for _, tt := range []struct {
		name, method, path string
	}{
		{"detail", http.MethodGet, contractPath(theirs)},
		{"pdf", http.MethodGet, contractPath(theirs) + ".pdf"},
		{"notice", http.MethodPost, contractPath(theirs) + "/notice"},
		{"missing detail", http.MethodGet, missing},
		{"missing pdf", http.MethodGet, missing + ".pdf"},
		{"missing notice", http.MethodPost, missing + "/notice"},
		{"malformed id", http.MethodGet, "/portal/contracts/not-a-uuid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var res *testutil.Response
			if tt.method == http.MethodPost {
				res = c.Post(tt.path, url.Values{"confirm": {"yes"}, "reason": {"Intrusion"}})
			} else {
				res = c.Get(tt.path)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.StatusCode)
			}
			if got := squash(res.Doc(t).Find("main").Text()); got != notFound {
				t.Errorf("the 404 differs from a missing contract's:\n%s\n%s", got, notFound)
			}
			if strings.Contains(res.Body, theirs.Reference) || strings.Contains(res.Body, "boulangerie-martin.fr") {
				t.Error("the 404 leaks the contract")
			}
		})
	}
	if n := count(t, a.app, "SELECT count(*) FROM contracts WHERE notice_given_at IS NOT NULL"); n != 0 {
		t.Errorf("%d notices recorded", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'contract.notice_recorded'"); n != 0 {
		t.Errorf("%d notices audited", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages"); n != 0 {
		t.Errorf("%d mails sent", n)
	}
	// The Cabinet still reaches its own contract, and the Boulangerie the other.
	if res := c.Get(contractPath(mine)); res.StatusCode != http.StatusOK {
		t.Errorf("own contract: %d", res.StatusCode)
	}
	b := a.app.LoginAs(t, testutil.BoulangerieUser)
	if res := b.Get(contractPath(mine)); res.StatusCode != http.StatusNotFound {
		t.Errorf("Boulangerie on the Cabinet's contract: %d, want 404", res.StatusCode)
	}
	if res := b.Get(contractPath(theirs)); res.StatusCode != http.StatusOK {
		t.Errorf("Boulangerie on its own contract: %d", res.StatusCode)
	}
}

func TestPortalContractNoticeMember(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	a.member(t, a.boulangerie, "vendeuse@boulangerie.demo.test", "Léa Petit")
	m := a.app.LoginAs(t, "vendeuse@boulangerie.demo.test")
	res := m.Get(contractPath(ct))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("member detail: %d", res.StatusCode)
	}
	if res.Doc(t).Find(`form[action$="/notice"]`).Length() != 0 {
		t.Error("a member is offered the notice form")
	}
	wantText(t, "member's page", res.Text(t), "Résilier ce contrat", "Seul un administrateur de votre compte peut demander la résiliation : Julie Martin.")
	if res := m.Post(contractPath(ct)+"/notice", url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("member's notice: %d, want 403", res.StatusCode)
	}
	if n := count(t, a.app, "SELECT count(*) FROM contracts WHERE notice_given_at IS NOT NULL"); n != 0 {
		t.Error("a member's notice was recorded")
	}
	if n := count(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND target_id = ?", ct.ID.String()); n != 1 {
		t.Errorf("the refused notice is audited %d times, want 1", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages"); n != 0 {
		t.Errorf("%d mails sent for a refused notice", n)
	}
}

func TestPortalContractNoticeInTime(t *testing.T) {
	a := newPortalApp(t)
	a.staff(t, "second.manager@demo.test", "Hugo Marchand", accounts.Manager, true)
	a.staff(t, "former.manager@demo.test", "Ancien Responsable", accounts.Manager, false)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	path := contractPath(ct)
	wantText(t, "notice form", c.Get(path).Text(t), "Voici ce qui se passera si vous envoyez votre demande aujourd'hui",
		"Votre contrat prendra fin le 28/02/2027.", "vous êtes dans les délais (dernier jour pour résilier : 28/11/2026)")

	// Not confirmed: the form again, the reason kept, nothing recorded.
	res := c.Post(path+"/notice", url.Values{"reason": {"Nous fermons la boutique en ligne."}, "ends_on": {"2027-02-28"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unconfirmed notice: %d, want 422", res.StatusCode)
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-confirm-error").Text(); !strings.Contains(msg, "Cochez cette case pour confirmer la résiliation.") {
		t.Errorf("error under the checkbox: %q", msg)
	}
	if v := doc.Find(`textarea[name="reason"]`).Text(); v != "Nous fermons la boutique en ligne." {
		t.Errorf("reason came back as %q", v)
	}
	if _, open := doc.Find(`details:has(form[action$="/notice"])`).Attr("open"); !open {
		t.Error("the notice form is folded after a 422")
	}
	if n := count(t, a.app, "SELECT count(*) FROM contracts WHERE notice_given_at IS NOT NULL"); n != 0 {
		t.Fatal("an unconfirmed notice was recorded")
	}

	// Confirmed.
	res = c.Post(path+"/notice", url.Values{"reason": {"Nous fermons la boutique en ligne."}, "confirm": {"yes"}, "ends_on": {"2027-02-28"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("notice: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if n := count(t, a.app, "SELECT count(*) FROM contracts WHERE id = ? AND ends_on = '2027-02-28' AND notice_given_by = (SELECT id FROM users WHERE email = ?)",
		ct.ID, testutil.BoulangerieUser); n != 1 {
		t.Error("ends_on or the author not stored")
	}
	if n := count(t, a.app, `SELECT count(*) FROM audit_log WHERE action = 'contract.notice_recorded' AND target_id = ?
		AND client_id = ? AND actor_id = (SELECT id FROM users WHERE email = ?) AND details->>'ends_on' = '2027-02-28'`,
		ct.ID.String(), a.boulangerie, testutil.BoulangerieUser); n != 1 {
		t.Error("the notice is not audited with the client user as actor")
	}
	// A mail to each active manager, in their language, and a confirmation to the admin.
	type msg struct {
		To      string `bun:"to_address"`
		Subject string `bun:"subject"`
		Text    string `bun:"text_body"`
		Dedupe  string `bun:"dedupe_key"`
	}
	var msgs []msg
	if err := a.app.DB.Bun.NewRaw("SELECT to_address, subject, text_body, dedupe_key FROM outbox_messages ORDER BY to_address").
		Scan(context.Background(), &msgs); err != nil {
		t.Fatal(err)
	}
	got := map[string]msg{}
	for _, m := range msgs {
		got[m.To] = m
	}
	if len(msgs) != 3 {
		t.Errorf("%d mails, want 3 (two managers, the admin)", len(msgs))
	}
	if _, ok := got["former.manager@demo.test"]; ok {
		t.Error("an inactive manager was mailed")
	}
	mgr := got[testutil.Manager]
	if mgr.Subject != "Résiliation demandée : contrat "+ct.Reference+" (Boulangerie Martin)" {
		t.Errorf("manager subject %q", mgr.Subject)
	}
	wantText(t, "manager mail", mgr.Text, "Julie Martin (Boulangerie Martin) a demandé depuis l'espace client la résiliation du contrat "+ct.Reference,
		"Le contrat prendra fin le 28/02/2027.", "Nous fermons la boutique en ligne.", "http://maintenant.test/admin/contracts/"+ct.ID.String())
	if !strings.HasPrefix(mgr.Dedupe, "contract-notice:"+ct.ID.String()) {
		t.Errorf("manager mail dedupe key %q", mgr.Dedupe)
	}
	if en := got["second.manager@demo.test"]; en.Subject != "Termination requested: contract "+ct.Reference+" (Boulangerie Martin)" {
		t.Errorf("second manager (English) subject %q", en.Subject)
	}
	ack := got[testutil.BoulangerieUser]
	if ack.Subject != "Votre demande de résiliation du contrat "+ct.Reference {
		t.Errorf("ack subject %q", ack.Subject)
	}
	wantText(t, "ack mail", ack.Text, "Nous avons bien reçu votre demande de résiliation du contrat "+ct.Reference,
		"Votre contrat prendra fin le 28/02/2027.", "http://maintenant.test"+path)
	if strings.Contains(ack.Text, "reconduit une dernière fois") {
		t.Error("the ack says too late for an in-time notice")
	}

	// Both sides show the notice.
	page := c.Get(path)
	wantText(t, "portal after notice", page.Text(t), "Votre demande de résiliation du contrat "+ct.Reference+" est enregistrée : il prendra fin le 28/02/2027.",
		"Résiliation demandée", "Enregistrée le 22/11/2026 10:00 par Julie Martin.", "Le contrat prend fin le 28/02/2027",
		"Nous fermons la boutique en ligne.", "Date de fin")
	if page.Doc(t).Find(`form[action$="/notice"]`).Length() != 0 {
		t.Error("the notice form is still offered")
	}
	wantText(t, "portal list after notice", c.Get("/portal/contracts").Text(t), "Résiliation demandée : le contrat prend fin le 28/02/2027.")
	wantText(t, "portal home after notice", c.Get("/portal").Text(t), "Date de fin", "28/02/2027")
	m := a.app.LoginAs(t, testutil.Manager)
	wantText(t, "backoffice after notice", m.Get("/admin/contracts/"+ct.ID.String()).Text(t),
		"Préavis enregistré le 22/11/2026 10:00 par Julie Martin.", "Nous fermons la boutique en ligne.", "28/02/2027")

	// A second notice: 409, the page says why, nothing more recorded or sent.
	res = c.Post(path+"/notice", url.Values{"confirm": {"yes"}, "ends_on": {"2027-02-28"}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("second notice: %d, want 409", res.StatusCode)
	}
	wantText(t, "second notice", res.Text(t), "La résiliation de ce contrat a déjà été demandée")
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages"); n != 3 {
		t.Errorf("%d mails after a second notice, want 3", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'contract.notice_recorded'"); n != 1 {
		t.Errorf("%d notices audited, want 1", n)
	}
}

func TestPortalContractNoticeTooLate(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, func(v *contracts.Version) {
		v.StartDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	})
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	path := contractPath(ct)
	page := c.Get(path)
	wantText(t, "too-late preview", page.Text(t), "Votre contrat prendra fin le 31/12/2027.",
		"Il est trop tard pour l'arrêter le 31/12/2026 : avec un préavis de 3 mois, il fallait résilier au plus tard le 30/09/2026.",
		"Le contrat sera donc reconduit une dernière fois le 01/01/2027 et prendra fin le 31/12/2027.")
	ends, _ := page.Doc(t).Find(`input[name="ends_on"]`).Attr("value")
	res := c.Post(path+"/notice", url.Values{"confirm": {"yes"}, "ends_on": {ends}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("late notice: %d\n%s", res.StatusCode, res.Body)
	}
	if n := count(t, a.app, "SELECT count(*) FROM contracts WHERE ends_on = '2027-12-31'"); n != 1 {
		t.Error("the later end date is not stored")
	}
	wantText(t, "after a late notice", c.Get(path).Text(t), "il prendra fin le 31/12/2027", "Le contrat prend fin le 31/12/2027")
	var ack string
	if err := a.app.DB.Bun.NewRaw("SELECT text_body FROM outbox_messages WHERE to_address = ?", testutil.BoulangerieUser).Scan(context.Background(), &ack); err != nil {
		t.Fatal(err)
	}
	wantText(t, "late ack", ack, "Votre contrat prendra fin le 31/12/2027.", "le contrat est reconduit une dernière fois le 01/01/2027")
}

func TestPortalContractNoticeRefused(t *testing.T) {
	a := newPortalApp(t)
	draft := a.contract(t, a.boulangerie, contracts.StatusDraft, nil)
	over := a.contract(t, a.boulangerie, contracts.StatusTerminated, nil)
	active := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	for _, ct := range []*contracts.Contract{draft, over} {
		if c.Get(contractPath(ct)).Doc(t).Find(`form[action$="/notice"]`).Length() != 0 {
			t.Errorf("%s (%s) offers the notice form", ct.Reference, ct.Status)
		}
		res := c.Post(contractPath(ct)+"/notice", url.Values{"confirm": {"yes"}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("notice on a %s contract: %d, want 409", ct.Status, res.StatusCode)
		}
		wantText(t, "refused notice", res.Text(t), "Ce contrat n'est pas en cours : il n'y a rien à résilier.")
	}
	// The dates changed between the page and the click (a day passed, or an amendment): 409 with the
	// new end date, nothing recorded.
	res := c.Post(contractPath(active)+"/notice", url.Values{"confirm": {"yes"}, "ends_on": {"2027-01-31"}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("stale end date: %d, want 409", res.StatusCode)
	}
	wantText(t, "stale end date", res.Text(t), "Les dates ont changé depuis l'affichage de la page", "Votre contrat prendra fin le 28/02/2027.")
	// A reason too long: 422 under the field.
	res = c.Post(contractPath(active)+"/notice", url.Values{"confirm": {"yes"}, "reason": {strings.Repeat("a", contracts.MaxReason+1)}})
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-reason-error").Length() != 1 {
		t.Errorf("too long a reason: %d", res.StatusCode)
	}
	if n := count(t, a.app, "SELECT count(*) FROM contracts WHERE notice_given_at IS NOT NULL"); n != 0 {
		t.Errorf("%d notices recorded", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages"); n != 0 {
		t.Errorf("%d mails sent", n)
	}
}

func TestPortalHomeContracts(t *testing.T) {
	a := newPortalApp(t)
	a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	a.contract(t, a.boulangerie, contracts.StatusDraft, func(v *contracts.Version) { v.Title = "Refonte en préparation" })
	a.contract(t, a.cabinet, contracts.StatusActive, func(v *contracts.Version) { v.Title = "Parc informatique du cabinet" })
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get("/portal")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	card := squash(doc.Find(`section:has(#contracts-h)`).Text())
	for _, want := range []string{"Vos contrats", "Maintenance du site et de la boutique", "Actif", "Dernier jour pour résilier", "28/11/2026", "dans 6 jours", "Voir tous vos contrats"} {
		if !strings.Contains(card, want) {
			t.Errorf("home card lacks %q: %s", want, card)
		}
	}
	for _, unwanted := range []string{"Refonte en préparation", "Parc informatique du cabinet"} {
		if strings.Contains(card, unwanted) {
			t.Errorf("home card shows %q", unwanted)
		}
	}
	wantText(t, "home", doc.Text(), "Votre espace de maintenance")
	if doc.Find(`nav a[href="/portal/contracts"]`).Length() == 0 {
		t.Error("no Contrats link in the navigation")
	}
	// The Cabinet's home shows its own contract only.
	cab := squash(a.app.LoginAs(t, testutil.CabinetUser).Get("/portal").Doc(t).Find(`section:has(#contracts-h)`).Text())
	if !strings.Contains(cab, "Parc informatique du cabinet") || strings.Contains(cab, "Maintenance du site") {
		t.Errorf("the Cabinet's home card: %s", cab)
	}
}

var rawKey = regexp.MustCompile(`(?:^|\s)((?:portal\.)?contracts?\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)`)

// TestPortalContractsInBrowser walks the portal's contracts as the Boulangerie's admin in Chromium:
// the home, the list, a contract's page, the notice sent through the form (dialog accepted), and the
// page after it. Every page passes axe, does not scroll sideways at 390 px, shows no raw message id
// and logs no console error; each is photographed at desktop and phone widths
// (artifacts/screenshots/portal-contracts-*.png).
func TestPortalContractsInBrowser(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		v := a.terms(func(v *contracts.Version) {
			v.Services = append(v.Services, contracts.Service{Kind: contracts.ServiceBackups, Description: "Sauvegarde hors site chiffrée"})
			v.FeeCents = 150000
		})
		return contracts.Amend(ctx, tx, ct.ID, v, "Ajout des sauvegardes hors site", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			uuid.Nil, ct.Version, a.app.Clock.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	social := a.contract(t, a.boulangerie, contracts.StatusActive, func(v *contracts.Version) {
		v.Title, v.StartDate = "Animation des réseaux sociaux", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		v.Services = []contracts.Service{{Kind: contracts.ServiceSocialNetwork, Description: "Instagram et Facebook"}}
		v.BillingPeriod, v.FeeCents = contracts.BillingQuarterly, 45000
	})
	a.contract(t, a.boulangerie, contracts.StatusTerminated, func(v *contracts.Version) {
		v.Title, v.StartDate, v.RenewalMonths = "Ancien hébergement", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 0
	})

	if _, err := a.app.DB.Bun.ExecContext(context.Background(),
		"UPDATE organisation SET phone = '04 78 00 00 00', email = 'contact@asevodigital.demo.test'"); err != nil {
		t.Fatal(err)
	}
	base := a.app.Listen(t)
	b := testutil.Browser(t)
	inspect := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			testutil.SetViewport(t, b, v)
			if m := rawKey.FindString(testutil.BodyText(t, b)); m != "" {
				t.Errorf("%s shows a raw message id: %q", name, m)
			}
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, "portal-contracts-"+name+"-"+v.Name)
		}
		testutil.SetViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}

	testutil.Run(t, b, chromedp.Navigate(base+"/login"))
	testutil.WaitPath(t, b, "/login")
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.BoulangerieUser),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	testutil.WaitPath(t, b, "/portal")
	inspect("01-home")

	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`nav ul.hidden a[href="/portal/contracts"]`)))
	testutil.WaitPath(t, b, "/portal/contracts")
	inspect("02-list")

	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main h2 a[href="`+contractPath(ct)+`"]`)))
	testutil.WaitPath(t, b, contractPath(ct))
	inspect("03-detail")

	// The notice: unfold the form, tick, confirm the dialog.
	testutil.Run(t, b,
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/notice"]) > summary`)),
		chromedp.SendKeys(chromedp.CSS("#f-reason"), "Nous fermons la boutique en ligne."),
		chromedp.Click(chromedp.CSS("#f-confirm")),
	)
	inspect("04-notice-form")
	testutil.Run(t, b,
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`form[action$="/notice"] button`)),
	)
	testutil.WaitFor(t, b, `document.body.innerText.includes("Résiliation demandée")`)
	wantText(t, "page after the notice", testutil.BodyText(t, b), "est enregistrée : il prendra fin le 28/02/2027", "Enregistrée le 22/11/2026 10:00 par Julie Martin.")
	inspect("05-notice-confirmed")

	// A member sees who may terminate, and no form; here too late for the coming renewal.
	a.member(t, a.boulangerie, "vendeuse@boulangerie.demo.test", "Léa Petit")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`header details:has(form[action="/logout"]) > summary`)))
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	testutil.WaitPath(t, b, "/login")
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-email"), "vendeuse@boulangerie.demo.test"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	testutil.WaitPath(t, b, "/portal")
	testutil.Run(t, b, chromedp.Navigate(base+contractPath(social)))
	testutil.WaitPath(t, b, contractPath(social))
	wantText(t, "member's page", testutil.BodyText(t, b), "Seul un administrateur de votre compte peut demander la résiliation : Julie Martin.")
	inspect("06-member")
}
