package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// contractPolicy writes a service-level policy with SQL (its store belongs to another part of the
// application) and returns its id.
func contractPolicy(t *testing.T, app *testutil.App, name string, archived bool) string {
	t.Helper()
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7())
	now := app.Clock.Now()
	_, err := app.DB.Bun.ExecContext(ctx, `INSERT INTO sla_policies (id, name, hours, archived, penalty_bp_per_hour, penalty_cap_bp, created_at, updated_at)
		VALUES (?, ?, '{"monday": ["09:00-12:30", "13:30-18:00"], "tuesday": ["09:00-12:30", "13:30-18:00"], "wednesday": ["09:00-12:30", "13:30-18:00"], "thursday": ["09:00-12:30", "13:30-18:00"], "friday": ["09:00-12:30", "13:30-18:00"]}', ?, 150, 1000, ?, ?)`,
		id, name, archived, now, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, pr := range []string{"critical", "high", "normal", "low"} {
		if _, err := app.DB.Bun.ExecContext(ctx, `INSERT INTO sla_targets VALUES (?, ?, ?, ?)`, id, pr, 60*(i+1), 240*(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	return id.String()
}

// contractClient returns the id of a demo client.
func contractClient(t *testing.T, app *testutil.App, name string) string {
	t.Helper()
	var id string
	if err := app.DB.Bun.NewRaw("SELECT id::text FROM clients WHERE name = ?", name).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func contractCount(t *testing.T, app *testutil.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := app.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func contractForm(clientID, policyID string) url.Values {
	return url.Values{
		"client_id":      {clientID},
		"title":          {"Maintenance du site et de la boutique"},
		"object":         {"Maintenance préventive et corrective.\nSauvegardes quotidiennes."},
		"service_kind_0": {"website"}, "service_description_0": {"boulangerie-martin.fr"},
		"service_kind_1": {"ecommerce"}, "service_description_1": {"boutique.boulangerie-martin.fr"},
		"service_kind_2": {""}, "service_description_2": {""},
		"maintenance_preventive": {"on"}, "maintenance_corrective": {"on"},
		"start_date":     {"2026-01-01"},
		"initial_months": {"12"}, "renewal_months": {"12"}, "notice_months": {"3"},
		"termination_terms":  {"Par lettre recommandée."},
		"fee":                {"1 234,56"},
		"billing_period":     {"monthly"},
		"payment_terms_days": {"30"},
		"included_hours":     {"1,5"},
		"hourly_rate":        {"65"},
		"sla_policy_id":      {policyID},
		"confidentiality":    {"Données traitées selon le RGPD."},
	}
}

func contractWith(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// contractCreate creates a draft through the form and returns its page path.
func contractCreate(t *testing.T, c *testutil.Client, form url.Values) string {
	t.Helper()
	res := c.Post("/admin/contracts", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/admin/contracts/") {
		t.Fatalf("create redirected to %q", loc)
	}
	return loc
}

func contractVersion(t *testing.T, c *testutil.Client, path string) string {
	t.Helper()
	res := c.Get(path)
	v, ok := res.Doc(t).Find(`input[name="version"]`).First().Attr("value")
	if !ok {
		t.Fatalf("%s has no version field (status %d)", path, res.StatusCode)
	}
	return v
}

type contractApp struct {
	app    *testutil.App
	m      *testutil.Client
	client string
	policy string
}

func newContractApp(t *testing.T) *contractApp {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	return &contractApp{
		app: app, m: app.LoginAs(t, testutil.Manager),
		client: contractClient(t, app, "Boulangerie Martin"), policy: contractPolicy(t, app, "Standard", false),
	}
}

func (a *contractApp) status(t *testing.T, path, to string) *testutil.Response {
	t.Helper()
	return a.m.Post(path+"/status", url.Values{"to": {to}, "version": {contractVersion(t, a.m, path)}})
}

func TestContractCreate(t *testing.T) {
	a := newContractApp(t)
	if res := a.m.Get("/admin/contracts"); res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Aucun contrat pour l'instant") {
		t.Errorf("empty list: %d", res.StatusCode)
	}
	res := a.m.Get("/admin/contracts/new?client=" + a.client)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("new: %d", res.StatusCode)
	}
	if v, _ := res.Doc(t).Find(`select[name="client_id"] option[selected]`).Attr("value"); v != a.client {
		t.Errorf("?client= did not preselect the client: %q", v)
	}
	if n := res.Doc(t).Find(`select[name^="service_kind_"]`).Length(); n != 5 {
		t.Errorf("%d service rows, want 5", n)
	}
	path := contractCreate(t, a.m, contractForm(a.client, a.policy))
	page := a.m.Get(path)
	text := page.Text(t)
	for _, want := range []string{"C-2026-001", "Maintenance du site et de la boutique", "Brouillon", "Boulangerie Martin",
		"Site internet", "boulangerie-martin.fr", "Site e-commerce", "Maintenance préventive", "1\u202f234,56\u00a0€ HT par mois",
		"1 h 30 par mois", "65,00\u00a0€ HT de l'heure", "30 jours", "Standard", "Délai de prise en charge", "4 h",
		"1,5\u00a0% de la redevance mensuelle", "Données traitées selon le RGPD.", "Contrat d'origine", "Activer le contrat",
		"Dernier jour pour résilier", "30/09/2026", "Prochaine reconduction", "01/01/2027", "dans 40 jours"} {
		if !strings.Contains(text, want) {
			t.Errorf("contract page lacks %q", want)
		}
	}
	if contractCount(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'contract.created'") != 1 {
		t.Error("creation not audited")
	}
	if n := contractCount(t, a.app, "SELECT included_minutes FROM contract_versions"); n != 90 {
		t.Errorf("included minutes %d, want 90", n)
	}
	// Listed with its next deadline.
	list := a.m.Get("/admin/contracts?sort=deadline").Text(t)
	if !strings.Contains(list, "C-2026-001") || !strings.Contains(list, "Prochaine reconduction") {
		t.Errorf("list lacks the contract or its deadline")
	}
	if res := a.m.Get("/admin/contracts?status=terminated"); !strings.Contains(res.Text(t), "Aucun contrat ne correspond") {
		t.Errorf("filtered empty state missing")
	}
	if res := a.m.Get("/admin/contracts?q=boutique"); !strings.Contains(res.Text(t), "C-2026-001") {
		t.Errorf("search by title failed")
	}
	if contractCreate(t, a.m, contractForm(a.client, a.policy)) == path {
		t.Error("same path twice")
	}
	if !strings.Contains(a.m.Get("/admin/contracts").Text(t), "C-2026-002") {
		t.Error("second contract not numbered C-2026-002")
	}
}

func TestContractCreateBadInput(t *testing.T) {
	a := newContractApp(t)
	archived := contractPolicy(t, a.app, "Ancienne", true)
	good := contractForm(a.client, a.policy)
	tests := []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"0 months", contractWith(good, "initial_months", "0"), "initial_months", "La durée initiale va de 1 à 120 mois."},
		{"negative fee", contractWith(good, "fee", "−5"), "fee", "Le montant ne peut pas être négatif."},
		{"garbage fee", contractWith(good, "fee", "abc"), "fee", "Saisissez un montant comme 1 234,56"},
		{"three decimals", contractWith(good, "fee", "12,345"), "fee", "Saisissez un montant comme 1 234,56"},
		{"absurd fee", contractWith(good, "fee", "99999999999"), "fee", "La redevance va de 0 à 1 000 000 000,00 € HT."},
		{"unknown policy", contractWith(good, "sla_policy_id", uuid.Must(uuid.NewV7()).String()), "sla_policy_id", "Cette politique de niveau de service n'existe pas"},
		{"garbage policy", contractWith(good, "sla_policy_id", "x'; DROP TABLE contracts;--"), "sla_policy_id", "Cette politique de niveau de service n'existe pas"},
		{"archived policy", contractWith(good, "sla_policy_id", archived), "sla_policy_id", "Cette politique de niveau de service est archivée"},
		{"no service", contractWith(good, "service_kind_0", "", "service_description_0", "", "service_kind_1", "", "service_description_1", ""), "services", "Indiquez au moins une prestation couverte."},
		{"service without kind", contractWith(good, "service_kind_1", ""), "service_kind_1", "Choisissez le type de cette prestation."},
		{"service kind only", contractWith(good, "service_kind_2", "servers"), "service_description_2", "Décrivez cette prestation."},
		{"notice longer than renewal", contractWith(good, "notice_months", "12"), "notice_months", "Le préavis doit être plus court"},
		{"garbage hours", contractWith(good, "included_hours", "beaucoup"), "included_hours", "Saisissez un nombre d'heures"},
		{"garbage months", contractWith(good, "renewal_months", "douze"), "renewal_months", "Saisissez un nombre entier"},
		{"bad date", contractWith(good, "start_date", "2026-02-30"), "start_date", "Saisissez une date valide."},
		{"no client", contractWith(good, "client_id", ""), "client_id", "Ce champ est obligatoire."},
		{"unknown client", contractWith(good, "client_id", uuid.Must(uuid.NewV7()).String()), "client_id", "Choisissez un client de la liste."},
		{"script in the title with bad months", contractWith(good, "title", "<script>alert(1)</script>", "initial_months", "0"), "initial_months", "La durée initiale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.m.Post("/admin/contracts", tt.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := res.Doc(t)
			if msg := doc.Find("#f-" + tt.field + "-error").Text(); !strings.Contains(msg, tt.want) {
				t.Errorf("error under %s = %q, want %q", tt.field, msg, tt.want)
			}
			// The input comes back as typed.
			if v, _ := doc.Find(`input[name="fee"]`).Attr("value"); v != tt.form.Get("fee") {
				t.Errorf("fee came back as %q, want %q", v, tt.form.Get("fee"))
			}
			if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != tt.form.Get("title") {
				t.Errorf("title came back as %q", v)
			}
			if strings.Contains(res.Body, "<script>alert(1)") {
				t.Error("user text rendered as HTML")
			}
		})
	}
	// Several problems at once are all reported.
	res := a.m.Post("/admin/contracts", contractWith(good, "fee", "abc", "initial_months", "0", "sla_policy_id", ""))
	for _, f := range []string{"fee", "initial_months", "sla_policy_id"} {
		if res.Doc(t).Find("#f-"+f+"-error").Length() == 0 {
			t.Errorf("no error under %s when several are wrong", f)
		}
	}
	if n := contractCount(t, a.app, "SELECT count(*) FROM contracts"); n != 0 {
		t.Errorf("%d contracts saved from bad input", n)
	}
	if n := contractCount(t, a.app, "SELECT count(*) FROM counters"); n != 0 {
		t.Errorf("a reference number was used by bad input")
	}

	// Script in a title is stored as typed and shown inert.
	path := contractCreate(t, a.m, contractWith(good, "title", "<script>alert(1)</script>", "object", "<b>gras</b>\nligne 2"))
	var title string
	_ = a.app.DB.Bun.NewRaw("SELECT title FROM contract_versions").Scan(context.Background(), &title)
	if title != "<script>alert(1)</script>" {
		t.Errorf("stored title %q", title)
	}
	page := a.m.Get(path)
	if strings.Contains(page.Body, "<script>alert(1)") || strings.Contains(page.Body, "<b>gras</b>") ||
		!strings.Contains(page.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("user text not escaped on the contract page")
	}
	if h1 := page.Doc(t).Find("h1").Text(); h1 != "<script>alert(1)</script>" {
		t.Errorf("h1 = %q", h1)
	}
}

// TestContractAmountsAsTyped checks the ways people write amounts and hours.
func TestContractAmountsAsTyped(t *testing.T) {
	a := newContractApp(t)
	tests := []struct {
		fee, hours string
		cents      int64
		minutes    int
	}{
		{"1234.56", "4", 123456, 240},
		{"1.234,56", "1.5", 123456, 90},
		{"1,234.56", "0,25", 123456, 15},
		{"12,5 €", "", 1250, 0},
		{"€ 12", "1,33", 1200, 80},
		{"0", "0", 0, 0},
		{"1 000 000 HT", "1000", 100000000, 60000},
	}
	for _, tt := range tests {
		contractCreate(t, a.m, contractWith(contractForm(a.client, a.policy), "fee", tt.fee, "included_hours", tt.hours))
		var cents int64
		var minutes int
		if err := a.app.DB.Bun.NewRaw(`SELECT v.fee_cents, v.included_minutes FROM contract_versions v
			JOIN contracts c ON c.id = v.contract_id ORDER BY c.created_at DESC, c.reference DESC LIMIT 1`).Scan(context.Background(), &cents, &minutes); err != nil {
			t.Fatal(err)
		}
		if cents != tt.cents || minutes != tt.minutes {
			t.Errorf("fee %q, hours %q: stored %d cents, %d minutes; want %d, %d", tt.fee, tt.hours, cents, minutes, tt.cents, tt.minutes)
		}
	}
	for _, bad := range []string{"-0,01", "1,2,3.4", "12.345", "douze", "1e5", "0x10"} {
		if res := a.m.Post("/admin/contracts", contractWith(contractForm(a.client, a.policy), "fee", bad)); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("fee %q: %d, want 422", bad, res.StatusCode)
		}
	}
}

func TestContractEditInTwoTabs(t *testing.T) {
	a := newContractApp(t)
	path := contractCreate(t, a.m, contractForm(a.client, a.policy))
	version := contractVersion(t, a.m, path+"/edit")
	first := contractWith(contractForm(a.client, a.policy), "title", "Premier onglet", "version", version)
	if res := a.m.Post(path, first); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d\n%s", res.StatusCode, res.Body)
	}
	second := contractWith(contractForm(a.client, a.policy), "title", "Second onglet", "fee", "99", "version", version)
	res := a.m.Post(path, second)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second save: %d, want 409", res.StatusCode)
	}
	doc := res.Doc(t)
	if !strings.Contains(res.Text(t), "Quelqu'un a modifié ces informations") {
		t.Error("409 does not say why")
	}
	if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != "Second onglet" {
		t.Errorf("409 lost the input: title %q", v)
	}
	if v, _ := doc.Find(`input[name="fee"]`).Attr("value"); v != "99" {
		t.Errorf("409 lost the input: fee %q", v)
	}
	var title string
	_ = a.app.DB.Bun.NewRaw("SELECT title FROM contract_versions").Scan(context.Background(), &title)
	if title != "Premier onglet" {
		t.Errorf("title %q, want the first save kept", title)
	}
	if contractCount(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'contract.updated'") != 1 {
		t.Error("draft update not audited once")
	}
}

func TestContractStatusChanges(t *testing.T) {
	a := newContractApp(t)
	path := contractCreate(t, a.m, contractForm(a.client, a.policy))
	if res := a.status(t, path, "active"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate: %d\n%s", res.StatusCode, res.Body)
	}
	page := a.m.Get(path)
	if text := page.Text(t); !strings.Contains(text, "Contrat C-2026-001 actif.") || !strings.Contains(text, "Modifier par avenant") ||
		!strings.Contains(text, "Suspendre") || !strings.Contains(text, "Résilier") {
		t.Errorf("active contract page: flash, amend link or actions missing")
	}
	if _, ok := page.Doc(t).Find(`button[value="terminated"]`).Attr("data-confirm"); !ok {
		t.Error("termination does not ask for confirmation")
	}
	// A stale page cannot change the status.
	stale := contractVersion(t, a.m, path)
	if res := a.status(t, path, "suspended"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d", res.StatusCode)
	}
	if res := a.m.Post(path+"/status", url.Values{"to": {"active"}, "version": {stale}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale status change: %d, want 409", res.StatusCode)
	}
	if res := a.status(t, path, "terminated"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("terminate: %d", res.StatusCode)
	}
	// The page offers nothing any more; a hand-made request is refused.
	current := strconv.Itoa(contractCount(t, a.app, "SELECT version FROM contracts"))
	res := a.m.Post(path+"/status", url.Values{"to": {"active"}, "version": {current}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "un contrat résilié ou échu ne peut pas être réactivé") {
		t.Errorf("re-activating a terminated contract: %d", res.StatusCode)
	}
	if res := a.m.Post(path+"/status", url.Values{"to": {"bogus"}, "version": {current}}); res.StatusCode != http.StatusConflict {
		t.Errorf("unknown status: %d", res.StatusCode)
	}
	if n := contractCount(t, a.app, "SELECT count(*) FROM contracts WHERE status = 'terminated'"); n != 1 {
		t.Errorf("terminated contracts: %d", n)
	}
	if n := contractCount(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'contract.status_changed'"); n != 3 {
		t.Errorf("status changes audited: %d, want 3", n)
	}
	// Over: no edit, no action.
	if res := a.m.Get(path + "/edit"); res.StatusCode != http.StatusConflict {
		t.Errorf("edit of a terminated contract: %d", res.StatusCode)
	}
	if a.m.Get(path).Doc(t).Find(`form[action$="/status"]`).Length() != 0 {
		t.Error("a terminated contract still offers status actions")
	}
}

func TestContractAmendment(t *testing.T) {
	a := newContractApp(t)
	path := contractCreate(t, a.m, contractForm(a.client, a.policy))
	if res := a.status(t, path, "active"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate: %d", res.StatusCode)
	}
	edit := a.m.Get(path + "/edit")
	if edit.Doc(t).Find(`textarea[name="reason"]`).Length() != 1 || edit.Doc(t).Find(`input[name="effective_from"]`).Length() != 1 {
		t.Fatal("the amendment form lacks reason or effective date")
	}
	if !strings.Contains(edit.Text(t), "avenant n° 2") {
		t.Error("the form does not say it makes amendment no. 2")
	}
	version, _ := edit.Doc(t).Find(`input[name="version"]`).Attr("value")
	form := contractWith(contractForm(a.client, a.policy), "version", version, "fee", "1 500", "effective_from", "2026-12-01",
		"service_kind_2", "backups", "service_description_2", "Sauvegarde hors site")
	// No reason: refused, nothing recorded.
	if res := a.m.Post(path, contractWith(form, "reason", " ")); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Doc(t).Find("#f-reason-error").Text(), "Indiquez le motif de l'avenant.") {
		t.Errorf("amendment without reason: %d", res.StatusCode)
	}
	// Nothing changed: refused.
	same := contractWith(contractForm(a.client, a.policy), "version", version, "reason", "Rien", "effective_from", "2026-12-01")
	if res := a.m.Post(path, same); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "Aucune condition n'a changé") {
		t.Errorf("amendment without change: %d", res.StatusCode)
	}
	res := a.m.Post(path, contractWith(form, "reason", "Ajout des sauvegardes hors site"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("amend: %d\n%s", res.StatusCode, res.Body)
	}
	if n := contractCount(t, a.app, "SELECT current_version FROM contracts"); n != 2 {
		t.Errorf("current version %d, want 2", n)
	}
	text := a.m.Get(path).Text(t)
	for _, want := range []string{"Avenant au contrat C-2026-001 enregistré.", "Avenant n° 2", "Ajout des sauvegardes hors site",
		"01/12/2026", "Sophie Lambert", "Redevance", "1\u202f234,56\u00a0€ HT", "1\u202f500,00\u00a0€ HT", "Sauvegardes\u00a0: Sauvegarde hors site",
		"Contrat d'origine", "1\u202f500,00\u00a0€ HT par mois"} {
		if !strings.Contains(text, want) {
			t.Errorf("contract page after the amendment lacks %q", want)
		}
	}
	if n := contractCount(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'contract.amended'"); n != 1 {
		t.Errorf("amendments audited: %d", n)
	}
	// The same form again, from the old version: 409, the input kept.
	res = a.m.Post(path, contractWith(form, "reason", "Deuxième onglet", "fee", "1 600"))
	if res.StatusCode != http.StatusConflict {
		t.Errorf("stale amendment: %d", res.StatusCode)
	}
	if v := res.Doc(t).Find(`textarea[name="reason"]`).Text(); v != "Deuxième onglet" {
		t.Errorf("stale amendment lost the reason: %q", v)
	}
}

func TestContractNotice(t *testing.T) {
	a := newContractApp(t)
	path := contractCreate(t, a.m, contractForm(a.client, a.policy))
	if res := a.m.Post(path+"/notice", url.Values{"notice_reason": {"Lettre"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("notice on a draft: %d", res.StatusCode)
	}
	a.status(t, path, "active")
	page := a.m.Get(path).Text(t)
	// Today is 22/11/2026: too late for 01/01/2027, the contract would end on 31/12/2027.
	if !strings.Contains(page, "Trop tard pour l'échéance du 01/01/2027") || !strings.Contains(page, "31/12/2027") {
		t.Error("the notice form does not explain the effect")
	}
	if res := a.m.Post(path+"/notice", url.Values{"notice_reason": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity ||
		res.Doc(t).Find("#f-notice_reason-error").Length() != 1 {
		t.Errorf("notice without reason: %d", res.StatusCode)
	}
	res := a.m.Post(path+"/notice", url.Values{"notice_reason": {"Lettre recommandée reçue le 20/11"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("notice: %d\n%s", res.StatusCode, res.Body)
	}
	page = a.m.Get(path).Text(t)
	for _, want := range []string{"trop tard pour la prochaine échéance", "Préavis de résiliation", "Sophie Lambert", "Lettre recommandée reçue le 20/11", "Date de fin", "31/12/2027"} {
		if !strings.Contains(page, want) {
			t.Errorf("page after notice lacks %q", want)
		}
	}
	if res := a.m.Post(path+"/notice", url.Values{"notice_reason": {"Encore"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("second notice: %d", res.StatusCode)
	}
	if n := contractCount(t, a.app, "SELECT count(*) FROM contracts WHERE ends_on = '2027-12-31'"); n != 1 {
		t.Errorf("ends_on not stored")
	}
}

func TestContractTechnician(t *testing.T) {
	a := newContractApp(t)
	path := contractCreate(t, a.m, contractForm(a.client, a.policy))
	version := contractVersion(t, a.m, path)
	tech := a.app.LoginAs(t, testutil.Technician)
	for _, p := range []string{"/admin/contracts", path} {
		res := tech.Get(p)
		if res.StatusCode != http.StatusOK {
			t.Errorf("technician GET %s: %d", p, res.StatusCode)
		}
		if res.Doc(t).Find(`main form[method="post"]`).Length() != 0 || strings.Contains(res.Body, `href="/admin/contracts/new"`) {
			t.Errorf("technician is offered actions on %s", p)
		}
	}
	for _, p := range []string{"/admin/contracts/new", path + "/edit"} {
		if res := tech.Get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("technician GET %s: %d, want 403", p, res.StatusCode)
		}
	}
	for p, form := range map[string]url.Values{
		"/admin/contracts": contractForm(a.client, a.policy),
		path:               contractWith(contractForm(a.client, a.policy), "version", version),
		path + "/status":   {"to": {"active"}, "version": {version}},
		path + "/notice":   {"notice_reason": {"x"}},
	} {
		if res := tech.Post(p, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("technician POST %s: %d, want 403", p, res.StatusCode)
		}
	}
	if n := contractCount(t, a.app, "SELECT count(*) FROM contracts WHERE status = 'draft' AND version = 1"); n != 1 {
		t.Error("a technician changed the contract")
	}
}

func TestContractNotFound(t *testing.T) {
	a := newContractApp(t)
	for _, p := range []string{"/admin/contracts/" + uuid.Must(uuid.NewV7()).String(), "/admin/contracts/not-a-uuid",
		"/admin/contracts/" + uuid.Must(uuid.NewV7()).String() + "/edit"} {
		if res := a.m.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	if res := a.m.Post("/admin/contracts/"+uuid.Must(uuid.NewV7()).String()+"/status", url.Values{"to": {"active"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("status of a missing contract: %d", res.StatusCode)
	}
}

// TestContractListDeadlines shows the list sorted by next deadline with relative words.
func TestContractListDeadlines(t *testing.T) {
	a := newContractApp(t)
	contractCreate(t, a.m, contractWith(contractForm(a.client, a.policy), "title", "Plus tard", "start_date", "2026-08-15"))
	contractCreate(t, a.m, contractWith(contractForm(a.client, a.policy), "title", "Bientôt", "start_date", "2026-03-01"))
	doc := a.m.Get("/admin/contracts?sort=deadline").Doc(t)
	rows := doc.Find("tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	// Started 01/03/2026 for 12 months: the period ends on 28/02/2027, notice is due 3 months
	// before, by 28/11/2026, in 6 days. Started 15/08/2026: by 14/05/2027.
	first := rows.First().Text()
	if !strings.Contains(first, "Bientôt") || !strings.Contains(first, "28/11/2026") || !strings.Contains(first, "dans 6 jours") {
		t.Errorf("first row = %q", strings.Join(strings.Fields(first), " "))
	}
	if second := rows.Eq(1).Text(); !strings.Contains(second, "Plus tard") || !strings.Contains(second, "14/05/2027") {
		t.Errorf("second row = %q", strings.Join(strings.Fields(second), " "))
	}
}

var contractRawKey = regexp.MustCompile(`(?:^|\s)(contracts?\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)`)

// TestContractScreenshots photographs the contract pages at desktop and phone widths
// (artifacts/screenshots/contracts-*.png) with demo-like data: the list, a contract with an
// amendment and a notice, the new-contract form, the same form refused (422), and the amendment
// form. Every page passes axe, does not scroll sideways, shows no raw message id and logs no
// console error.
func TestContractScreenshots(t *testing.T) {
	a := newContractApp(t)
	cabinet := contractClient(t, a.app, "Cabinet Durand Avocats")
	premium := contractPolicy(t, a.app, "Premium 24/7", false)
	// A contract with an amendment, then a notice.
	form := contractWith(contractForm(a.client, a.policy), "provider_obligations",
		"Intervenir dans les délais du niveau de service.\nSauvegarder les données chaque nuit.", "client_obligations",
		"Donner accès aux équipements.", "exclusions", "Le matériel hors garantie.", "specific_conditions", "Intervention sur site le mardi.")
	shown := contractCreate(t, a.m, form)
	a.status(t, shown, "active")
	version := contractVersion(t, a.m, shown+"/edit")
	if res := a.m.Post(shown, contractWith(form, "version", version, "fee", "1 500", "reason", "Ajout des sauvegardes hors site et hausse de la redevance",
		"effective_from", "2026-12-01", "service_kind_2", "backups", "service_description_2", "Sauvegarde hors site chiffrée",
		"sla_policy_id", premium, "included_hours", "3")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("amend: %d", res.StatusCode)
	}
	// Others for the list.
	other := contractCreate(t, a.m, contractWith(contractForm(cabinet, a.policy), "title", "Parc informatique du cabinet",
		"service_kind_0", "workstations", "service_description_0", "8 postes Windows", "service_kind_1", "servers", "service_description_1", "1 serveur de fichiers",
		"billing_period", "quarterly", "fee", "900", "start_date", "2026-03-01", "included_hours", "4"))
	a.status(t, other, "active")
	contractCreate(t, a.m, contractWith(contractForm(cabinet, a.policy), "title", "Hébergement du site du cabinet", "renewal_months", "0", "start_date", "2027-01-01"))
	ended := contractCreate(t, a.m, contractWith(contractForm(a.client, a.policy), "title", "Ancien contrat", "start_date", "2025-01-01", "renewal_months", "0"))
	a.status(t, ended, "active")
	a.status(t, ended, "terminated")

	ctx := testutil.Browser(t)
	base := a.app.Listen(t)
	testutil.BrowserLogin(t, ctx, base, testutil.Manager)
	testutil.WaitPath(t, ctx, "/admin")

	inspect := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			testutil.SetViewport(t, ctx, v)
			if m := contractRawKey.FindString(testutil.BodyText(t, ctx)); m != "" {
				t.Errorf("%s shows a raw message id: %q", name, m)
			}
			testutil.Axe(t, ctx)
			if out := testutil.HorizontalOverflow(t, ctx); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, ctx, "contracts-"+name+"-"+v.Name)
		}
		testutil.CheckConsole(t, ctx)
		testutil.SetViewport(t, ctx, testutil.Desktop)
	}
	visit := func(path string) {
		t.Helper()
		testutil.Run(t, ctx, chromedp.Navigate(base+path))
		testutil.WaitPath(t, ctx, strings.SplitN(path, "?", 2)[0])
	}

	visit("/admin/contracts?sort=deadline")
	inspect("list")
	visit(shown)
	inspect("detail")
	// Record a notice through the page, the confirmation dialog accepted.
	testutil.Run(t, ctx,
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`#notice-h`)),
		chromedp.SendKeys(chromedp.CSS("#f-notice_reason"), "Lettre recommandée reçue le 20/11/2026"),
		chromedp.Click(chromedp.CSS(`form[action$="/notice"] button`)),
	)
	testutil.WaitFor(t, ctx, `document.body.innerText.includes("Préavis enregistré le")`)
	inspect("detail-notice")
	visit("/admin/contracts/new?client=" + a.client)
	inspect("form-new")
	// A refused form: HTML in the title, a negative fee, no service.
	testutil.Run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#f-title"), "<script>alert(1)</script>"),
		chromedp.SendKeys(chromedp.CSS("#f-fee"), "-5"),
		chromedp.Click(chromedp.CSS(`main form button:not([type])`)),
	)
	testutil.WaitFor(t, ctx, `document.querySelector('#f-fee-error')`)
	inspect("form-422")
	visit(shown + "/edit")
	inspect("form-amend")
	visit(ended)
	inspect("detail-terminated")
}
