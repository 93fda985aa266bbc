package backoffice_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/sla"
	"maintenant/app/testutil"
	"maintenant/app/tickets"
)

// ticketApp is the application with Boulangerie Martin under an active contract with an SLA policy.
type ticketApp struct {
	app      *testutil.App
	m        *testutil.Client
	client   uuid.UUID
	contract uuid.UUID
	reporter uuid.UUID
}

func newTicketApp(t *testing.T) *ticketApp {
	t.Helper()
	a := newContractApp(t)
	path := contractCreate(t, a.m, contractForm(a.client, a.policy))
	if res := a.status(t, path, "active"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate contract: %d", res.StatusCode)
	}
	return &ticketApp{
		app: a.app, m: a.m, client: uuid.MustParse(a.client),
		contract: uuid.MustParse(strings.TrimPrefix(path, "/admin/contracts/")),
		reporter: ticketUser(t, a.app, testutil.BoulangerieUser),
	}
}

func ticketUser(t *testing.T, app *testutil.App, email string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM users WHERE email = ?", email).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// open records a ticket of the Boulangerie under its contract, reported by its admin.
func (a *ticketApp) open(t *testing.T, title string, p sla.Priority, mod ...func(*tickets.OpenInput)) *tickets.Ticket {
	t.Helper()
	in := tickets.OpenInput{
		ClientID: a.client, ContractID: a.contract, Title: title, Description: "Le site ne répond plus.",
		Priority: p, Channel: tickets.ChannelPortal, ReporterID: a.reporter,
	}
	for _, f := range mod {
		f(&in)
	}
	var tk *tickets.Ticket
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		tk, err = tickets.Open(ctx, tx, in, tickets.StaffActor(audit.Actor{Label: "test"}, "Test"), a.app.Clock.Now(), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (a *ticketApp) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	return contractCount(t, a.app, q, args...)
}

// mails returns the subjects of the mails sent to an address, oldest first.
func (a *ticketApp) mails(t *testing.T, to string) []string {
	t.Helper()
	var out []string
	if err := a.app.DB.Bun.NewRaw("SELECT subject FROM outbox_messages WHERE to_address = ? ORDER BY created_at, id", to).
		Scan(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func ticketPath(tk *tickets.Ticket) string { return "/admin/tickets/" + tk.ID.String() }

func ticketVersionOf(t *testing.T, c *testutil.Client, path string) string {
	t.Helper()
	return contractVersion(t, c, path)
}

func queueRefs(t *testing.T, c *testutil.Client, path string) ([]string, string) {
	t.Helper()
	res := c.Get(path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	doc := res.Doc(t)
	var refs []string
	doc.Find("tbody tr td:first-child a").Each(func(_ int, s *goquery.Selection) { refs = append(refs, strings.TrimSpace(s.Text())) })
	next, _ := doc.Find(`nav[aria-label] a:contains("Suivant")`).Attr("href")
	return refs, next
}

func TestTicketQueue(t *testing.T) {
	a := newTicketApp(t)
	if res := a.m.Get("/admin/tickets"); res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Aucun signalement à traiter") {
		t.Fatalf("empty queue: %d", res.StatusCode)
	}
	for i := range 27 {
		p := sla.Low
		if i%3 == 0 {
			p = sla.Normal
		}
		a.open(t, fmt.Sprintf("Panne numéro %02d", i), p)
		a.app.Clock.Advance(time.Minute)
	}
	urgent := a.open(t, "Boutique en ligne arrêtée", sla.Critical)
	cabinet := uuid.MustParse(contractClient(t, a.app, "Cabinet Durand Avocats"))
	other := a.open(t, "Imprimante du cabinet", sla.Normal, func(in *tickets.OpenInput) {
		in.ClientID, in.ContractID, in.ReporterID, in.ReporterLabel = cabinet, uuid.Nil, uuid.Nil, "Maître Durand"
	})

	// By nearest deadline: the critical one first, the one without SLA last; 25 a page.
	refs, next := queueRefs(t, a.m, "/admin/tickets")
	if len(refs) != 25 || refs[0] != urgent.Reference() {
		t.Fatalf("first page: %d rows, first %v", len(refs), refs[:1])
	}
	if next == "" {
		t.Fatal("no next page")
	}
	refs2, next2 := queueRefs(t, a.m, next)
	if len(refs2) != 4 || next2 != "" || refs2[len(refs2)-1] != other.Reference() {
		t.Fatalf("second page: %v (next %q)", refs2, next2)
	}
	seen := map[string]bool{}
	for _, r := range append(refs, refs2...) {
		if seen[r] {
			t.Errorf("%s on both pages", r)
		}
		seen[r] = true
	}
	// Newest first.
	if refs, _ := queueRefs(t, a.m, "/admin/tickets?sort=newest"); refs[0] != other.Reference() || refs[1] != urgent.Reference() {
		t.Errorf("newest: %v", refs[:2])
	}
	// Filters.
	for _, tc := range []struct {
		query string
		want  int
		first string
	}{
		{"priority=critical", 1, urgent.Reference()},
		{"priority=normal", 10, ""},
		{"client=" + cabinet.String(), 1, other.Reference()},
		{"q=" + url.QueryEscape(urgent.Reference()), 1, urgent.Reference()},
		{"q=boutique", 1, urgent.Reference()},
		{"q=durand", 1, other.Reference()},
		{"assignee=none&priority=critical", 1, urgent.Reference()},
		{"status=resolved", 0, ""},
		{"sla=breached", 0, ""},
	} {
		refs, _ := queueRefs(t, a.m, "/admin/tickets?"+tc.query)
		if len(refs) != tc.want || (tc.first != "" && refs[0] != tc.first) {
			t.Errorf("%s: %v", tc.query, refs)
		}
	}
	// Assign the urgent one: filter by assignee.
	tech := ticketUser(t, a.app, testutil.Technician)
	if res := a.m.Post(ticketPath(urgent)+"/assign", url.Values{"assignee_id": {tech.String()}, "version": {ticketVersionOf(t, a.m, ticketPath(urgent))}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", res.StatusCode, res.Body)
	}
	if refs, _ := queueRefs(t, a.m, "/admin/tickets?assignee="+tech.String()); len(refs) != 1 || refs[0] != urgent.Reference() {
		t.Errorf("assignee filter: %v", refs)
	}
	if refs, _ := queueRefs(t, a.m, "/admin/tickets?assignee=none&priority=critical"); len(refs) != 0 {
		t.Errorf("unassigned filter: %v", refs)
	}
	if n := len(a.mails(t, testutil.Technician)); n != 1 {
		t.Errorf("%d mails to the assignee", n)
	}
	// Days later every running clock is over: breached, shown with text and colour.
	a.app.Clock.Advance(10 * 24 * time.Hour)
	a.m = a.app.LoginAs(t, testutil.Manager) // the session went idle meanwhile
	refs, _ = queueRefs(t, a.m, "/admin/tickets?sla=breached&priority=critical")
	if len(refs) != 1 {
		t.Errorf("breached: %v", refs)
	}
	res := a.m.Get("/admin/tickets?sla=breached&priority=critical")
	if badge := res.Doc(t).Find("tbody tr").First().Text(); !strings.Contains(badge, "Dépassé") || !strings.Contains(badge, "en retard de") {
		t.Errorf("breached row = %q", strings.Join(strings.Fields(badge), " "))
	}
	if refs, _ := queueRefs(t, a.m, "/admin/tickets?sla=on_time"); len(refs) != 0 {
		t.Errorf("on time after 10 days: %v", refs)
	}
}

func TestTicketLogCall(t *testing.T) {
	a := newTicketApp(t)
	res := a.m.Get("/admin/tickets/new?client=" + a.client.String())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("new: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if doc.Find(`select[name="reporter_id"] option[value="`+a.reporter.String()+`"]`).Length() != 1 {
		t.Error("the contact is not offered")
	}
	if doc.Find(`select[name="contract_service"] option[value^="`+a.contract.String()+`|"]`).Length() < 2 {
		t.Error("the contract and its services are not offered")
	}
	good := url.Values{
		"client_id": {a.client.String()}, "reporter_id": {a.reporter.String()}, "channel": {"phone"},
		"contract_service": {a.contract.String() + "|boulangerie-martin.fr"}, "title": {"Le site ne s'affiche plus"},
		"description": {"Appel de Julie à 9 h 05 : page blanche."}, "priority": {"critical"}, "contact_phone": {"06 12 34 56 78"},
	}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// Bad input: nothing saved, the form again with the input.
	cabinetUser := ticketUser(t, a.app, testutil.CabinetUser)
	cabinet := contractClient(t, a.app, "Cabinet Durand Avocats")
	for name, tc := range map[string]struct {
		form  url.Values
		field string
	}{
		"no title":            {with("title", ""), "title"},
		"no description":      {with("description", "  "), "description"},
		"portal channel":      {with("channel", "portal"), "channel"},
		"bad priority":        {with("priority", "urgent"), "priority"},
		"other client's user": {with("reporter_id", cabinetUser.String()), "reporter_id"},
		"no contact nor name": {with("reporter_id", ""), "reporter_label"},
		"unknown service":     {with("contract_service", a.contract.String()+"|autre"), "contract_service"},
		"other client's contract": {with("client_id", cabinet, "reporter_id", "", "reporter_label", "Maître Durand"),
			"contract_service"},
		"huge description": {with("description", strings.Repeat("x", tickets.MaxDescription+1)), "description"},
	} {
		res := a.m.Post("/admin/tickets", tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, res.StatusCode)
			continue
		}
		doc := res.Doc(t)
		if doc.Find("#f-"+tc.field+"-error").Length() != 1 {
			t.Errorf("%s: no error under %s", name, tc.field)
		}
		if v, _ := doc.Find("#f-contact_phone").Attr("value"); v != "06 12 34 56 78" {
			t.Errorf("%s: input lost (%q)", name, v)
		}
	}
	if n := a.count(t, "SELECT count(*) FROM tickets"); n != 0 {
		t.Fatalf("%d tickets saved by bad input", n)
	}
	res = a.m.Post("/admin/tickets", good)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/tickets/") {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	if n := a.count(t, "SELECT count(*) FROM tickets WHERE channel = 'phone' AND reporter_id = ? AND contract_id = ? AND service_label = 'boulangerie-martin.fr' AND priority = 'critical' AND sla_policy_id IS NOT NULL", a.reporter, a.contract); n != 1 {
		t.Error("the logged ticket is not as entered")
	}
	page := a.m.Get(res.Header.Get("Location"))
	if txt := page.Text(t); !strings.Contains(txt, "Signalement T-0001 enregistré") || !strings.Contains(txt, "Téléphone") || !strings.Contains(txt, "Julie Martin") {
		t.Errorf("ticket page after create: %s", txt)
	}
	// A call from someone without an account, outside any contract.
	res = a.m.Post("/admin/tickets", with("reporter_id", "", "reporter_label", "Le livreur", "contract_service", "", "channel", "email"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create without contact: %d", res.StatusCode)
	}
	if n := a.count(t, "SELECT count(*) FROM tickets WHERE reporter_id IS NULL AND reporter_label = 'Le livreur' AND sla_policy_id IS NULL AND channel = 'email'"); n != 1 {
		t.Error("the call without contact is not as entered")
	}
}

// post submits one of the ticket page's action forms, with the version the page shows unless given.
func (a *ticketApp) post(t *testing.T, c *testutil.Client, tk *tickets.Ticket, action string, form url.Values) *testutil.Response {
	t.Helper()
	if form.Get("version") == "" {
		form.Set("version", ticketVersionOf(t, c, ticketPath(tk)))
	}
	return c.Post(ticketPath(tk)+"/"+action, form)
}

func TestTicketLifecycleMails(t *testing.T) {
	a := newTicketApp(t)
	tk := a.open(t, "Paiement en ligne en échec", sla.High)
	client := testutil.BoulangerieUser
	step := func(name, action string, form url.Values, wantMails int) {
		t.Helper()
		res := a.post(t, a.m, tk, action, form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", name, res.StatusCode, res.Body)
		}
		if got := a.mails(t, client); len(got) != wantMails {
			t.Fatalf("after %s: %d mails to the reporter, want %d: %v", name, len(got), wantMails, got)
		}
		a.app.Clock.Advance(30 * time.Minute)
	}
	a.app.Clock.Advance(24 * time.Hour) // Monday 10:00
	a.m = a.app.LoginAs(t, testutil.Manager)
	step("acknowledge", "status", url.Values{"to": {"acknowledged"}}, 1)
	step("diagnosis", "diagnosis", url.Values{"diagnosis": {"Le module de paiement a expiré."}, "repair_plan": {"Renouveler la clé aujourd'hui."}}, 2)
	step("in progress", "status", url.Values{"to": {"in_progress"}}, 2)
	step("internal note", "messages", url.Values{"body": {"Clé à demander au prestataire."}, "internal": {"on"}}, 2)
	step("wait", "status", url.Values{"to": {"waiting_client"}, "status_note": {"Attente des identifiants"}}, 2)
	step("public message", "messages", url.Values{"body": {"Pouvez-vous nous envoyer vos identifiants ?"}, "internal": {"off"}}, 3)
	step("resume", "status", url.Values{"to": {"in_progress"}}, 3)
	step("resolve", "status", url.Values{"to": {"resolved"}}, 4)
	got := a.mails(t, client)
	for i, want := range []string{"Votre signalement est pris en charge", "Diagnostic et plan d'action", "Nouveau message de notre équipe", "Votre signalement est résolu"} {
		if !strings.HasPrefix(got[i], "["+tk.Reference()+"] ") || !strings.Contains(got[i], want) {
			t.Errorf("mail %d = %q, want %q", i, got[i], want)
		}
	}
	if n := a.count(t, "SELECT count(*) FROM outbox_messages WHERE text_body LIKE '%Clé à demander%' OR html_body LIKE '%Clé à demander%'"); n != 0 {
		t.Error("an internal note was mailed")
	}
	if n := a.count(t, "SELECT count(*) FROM outbox_messages WHERE text_body LIKE '%Renouveler la clé aujourd''hui.%'"); n != 1 {
		t.Error("the diagnosis mail lacks the repair plan")
	}
	for _, want := range []string{"Nous nous engageons à le résoudre avant le 23/11/2026 18:00", "vous pouvez rouvrir le signalement jusqu'au", "Pouvez-vous nous envoyer vos identifiants ?"} {
		if n := a.count(t, "SELECT count(*) FROM outbox_messages WHERE to_address = ? AND strpos(text_body, ?) > 0 AND strpos(html_body, 'Julie Martin') > 0", client, want); n != 1 {
			t.Errorf("no mail says %q", want)
		}
	}
	// The page: the pause is visible, the note distinct, the history with actors.
	doc := a.m.Get(ticketPath(tk)).Doc(t)
	txt := doc.Text()
	for _, want := range []string{"Note interne — jamais visible du client", "En attente de la réponse du client", "Sophie Lambert", "Résolu"} {
		if !strings.Contains(txt, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
	if doc.Find("#conversation li.bg-amber-50").Length() != 1 {
		t.Error("the internal note is not set apart")
	}
	if n := a.count(t, "SELECT count(*) FROM tickets WHERE id = ? AND status = 'resolved' AND resolved_at IS NOT NULL AND acknowledged_at IS NOT NULL", tk.ID); n != 1 {
		t.Error("ticket not resolved")
	}
	// Reopen then resolve again: a second resolution mail, never a duplicate.
	step("reopen", "status", url.Values{"to": {"in_progress"}}, 4)
	step("resolve again", "status", url.Values{"to": {"resolved"}}, 5)
}

func TestTicketMailsToAdminsWithoutReporter(t *testing.T) {
	a := newTicketApp(t)
	tk := a.open(t, "Appel sans contact", sla.Normal, func(in *tickets.OpenInput) {
		in.ReporterID, in.ReporterLabel, in.Channel = uuid.Nil, "Le livreur", tickets.ChannelPhone
	})
	if res := a.post(t, a.m, tk, "status", url.Values{"to": {"acknowledged"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", res.StatusCode)
	}
	if got := a.mails(t, testutil.BoulangerieUser); len(got) != 1 {
		t.Errorf("the client's admin got %v", got)
	}
	if got := a.mails(t, testutil.CabinetUser); len(got) != 0 {
		t.Errorf("another client's admin got %v", got)
	}
}

func TestTicketTwoStaff(t *testing.T) {
	a := newTicketApp(t)
	tk := a.open(t, "Serveur lent", sla.Normal)
	tech := a.app.LoginAs(t, testutil.Technician)
	v := ticketVersionOf(t, a.m, ticketPath(tk))
	// The manager raises the priority; the technician, on the page read before, writes a diagnosis.
	if res := a.post(t, a.m, tk, "priority", url.Values{"priority": {"high"}, "priority_note": {"Client important"}, "version": {v}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("priority: %d", res.StatusCode)
	}
	res := a.post(t, tech, tk, "diagnosis", url.Values{"diagnosis": {"Disque plein à 99 %."}, "repair_plan": {"Purger les journaux."}, "version": {v}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale diagnosis: %d, want 409", res.StatusCode)
	}
	doc := res.Doc(t)
	if got := doc.Find("#f-diagnosis").Text(); got != "Disque plein à 99 %." {
		t.Errorf("the technician's input is lost: %q", got)
	}
	if !strings.Contains(doc.Text(), "Quelqu'un") && doc.Find(`[role="alert"]`).Length() == 0 {
		t.Error("no conflict message")
	}
	if n := a.count(t, "SELECT count(*) FROM tickets WHERE id = ? AND priority = 'high' AND diagnosis = ''", tk.ID); n != 1 {
		t.Error("the first change was lost or the stale one saved")
	}
	// Sent again from the 409 page (which carries the new version), it goes through.
	nv, _ := doc.Find(`form[action$="/diagnosis"] input[name="version"]`).Attr("value")
	if res := a.post(t, tech, tk, "diagnosis", url.Values{"diagnosis": {"Disque plein à 99 %."}, "version": {nv}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("diagnosis again: %d", res.StatusCode)
	}
	if n := a.count(t, "SELECT count(*) FROM tickets WHERE id = ? AND priority = 'high' AND status = 'diagnosed' AND diagnosis <> ''", tk.ID); n != 1 {
		t.Error("both changes are not kept")
	}
	// A stale status change is refused too.
	if res := a.post(t, a.m, tk, "status", url.Values{"to": {"in_progress"}, "version": {v}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale status: %d", res.StatusCode)
	}
}

func TestTicketTransitions(t *testing.T) {
	a := newTicketApp(t)
	tk := a.open(t, "Écran noir", sla.Normal)
	for _, to := range []string{"resolved", "closed", "in_progress", "bogus"} {
		if res := a.post(t, a.m, tk, "status", url.Values{"to": {to}}); res.StatusCode != http.StatusConflict {
			t.Errorf("new → %s: %d, want 409", to, res.StatusCode)
		}
	}
	doc := a.m.Get(ticketPath(tk)).Doc(t)
	var offered []string
	doc.Find(`form[action$="/status"] button[name="to"]`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		offered = append(offered, v)
	})
	if strings.Join(offered, ",") != "acknowledged" {
		t.Errorf("offered moves from new: %v", offered)
	}
	if n := a.count(t, "SELECT count(*) FROM tickets WHERE status = 'new' AND version = 1"); n != 1 {
		t.Error("a refused move changed the ticket")
	}
	// Unknown tickets and files.
	for _, p := range []string{"/admin/tickets/" + uuid.Must(uuid.NewV7()).String(), "/admin/tickets/nope",
		ticketPath(tk) + "/attachments/" + uuid.Must(uuid.NewV7()).String()} {
		if res := a.m.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	// Resolving asks for confirmation.
	a.post(t, a.m, tk, "status", url.Values{"to": {"acknowledged"}})
	doc = a.m.Get(ticketPath(tk)).Doc(t)
	if c, _ := doc.Find(`button[name="to"][value="resolved"]`).Attr("data-confirm"); !strings.Contains(c, tk.Reference()) {
		t.Errorf("resolve confirmation = %q", c)
	}
}

func TestTicketTechnician(t *testing.T) {
	a := newTicketApp(t)
	tk := a.open(t, "Poste bloqué", sla.Normal)
	tech := a.app.LoginAs(t, testutil.Technician)
	for _, p := range []string{"/admin/tickets", ticketPath(tk), "/admin/tickets/new"} {
		if res := tech.Get(p); res.StatusCode != http.StatusOK {
			t.Errorf("technician GET %s: %d", p, res.StatusCode)
		}
	}
	me := ticketUser(t, a.app, testutil.Technician)
	if res := a.post(t, tech, tk, "assign", url.Values{"assignee_id": {me.String()}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("assign to self: %d", res.StatusCode)
	}
	if n := len(a.mails(t, testutil.Technician)); n != 0 {
		t.Errorf("%d mails to oneself", n)
	}
	if res := a.post(t, tech, tk, "status", url.Values{"to": {"acknowledged"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("technician acknowledges: %d", res.StatusCode)
	}
	if res := a.post(t, tech, tk, "escalate", url.Values{"level": {"1"}, "escalate_note": {"Hors de ma portée"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("technician escalates: %d", res.StatusCode)
	}
	if res := a.post(t, tech, tk, "escalate", url.Values{"level": {"1"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("escalate to the same level: %d", res.StatusCode)
	}
	if n := a.count(t, "SELECT count(*) FROM tickets WHERE assignee_id = ? AND status = 'acknowledged' AND escalation_level = 1", me); n != 1 {
		t.Error("the technician's work is not saved")
	}
	txt := tech.Get(ticketPath(tk)).Text(t)
	if !strings.Contains(txt, "Escalade niveau 1") || !strings.Contains(txt, "Hors de ma portée") || !strings.Contains(txt, "Karim Benali") {
		t.Error("the history lacks the escalation")
	}
}

// pngBytes is a 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

// postFiles posts a multipart message form.
func postFiles(t *testing.T, c *testutil.Client, path string, fields map[string]string, files map[string][]byte) *testutil.Response {
	t.Helper()
	if c.CSRF == "" {
		c.Get("/admin")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields["_csrf"] = c.CSRF
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := w.CreateFormFile("attachments", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

func TestTicketAttachmentsAndEscaping(t *testing.T) {
	a := newTicketApp(t)
	tk := a.open(t, "<b>Gras</b> & titre", sla.Normal)
	path := ticketPath(tk)
	// A page disguised as a picture: refused, nothing saved, the text kept.
	res := postFiles(t, a.m, path+"/messages", map[string]string{"body": "Voir la capture", "internal": "off"},
		map[string][]byte{"capture.png": []byte("<html><script>alert(1)</script></html>")})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("html as png: %d", res.StatusCode)
	}
	if doc := res.Doc(t); doc.Find("#f-attachments-error").Length() != 1 || doc.Find("#f-body").Text() != "Voir la capture" {
		t.Error("the refused form lacks its error or its input")
	}
	if n := a.count(t, "SELECT count(*) FROM ticket_messages") + a.count(t, "SELECT count(*) FROM ticket_attachments"); n != 0 {
		t.Fatal("a refused message was saved")
	}
	if n := len(a.mails(t, testutil.BoulangerieUser)); n != 0 {
		t.Fatal("a refused message was mailed")
	}
	res = postFiles(t, a.m, path+"/messages", map[string]string{"body": "<script>alert('x')</script> voir les fichiers", "internal": "on"},
		map[string][]byte{"capture.png": pngBytes, "../../etc/passwd": []byte("journal\nligne 2\n")})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	if n := a.count(t, "SELECT count(*) FROM ticket_attachments WHERE internal"); n != 2 {
		t.Fatalf("%d internal attachments", n)
	}
	page := a.m.Get(path)
	if strings.Contains(page.Body, "<script>alert('x')") || strings.Contains(page.Body, "<b>Gras</b>") {
		t.Error("user HTML is not escaped")
	}
	if !strings.Contains(page.Body, "&lt;script&gt;") || !strings.Contains(page.Body, "&lt;b&gt;Gras&lt;/b&gt;") {
		t.Error("user text is not shown")
	}
	doc := page.Doc(t)
	links := map[string]string{}
	doc.Find(`#conversation a[href*="/attachments/"]`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		links[strings.TrimSpace(s.Find("span").First().Text())] = href
	})
	if links["capture.png"] == "" || links["passwd"] == "" {
		t.Fatalf("attachment links: %v", links)
	}
	for name, want := range map[string][2]string{"capture.png": {"image/png", "inline"}, "passwd": {"text/plain; charset=utf-8", "attachment"}} {
		res := a.m.Get(links[name])
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", name, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Content-Type"); got != want[0] {
			t.Errorf("%s: Content-Type %q", name, got)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: nosniff %q", name, got)
		}
		if got := res.Header.Get("Content-Disposition"); !strings.HasPrefix(got, want[1]) || !strings.Contains(got, name) {
			t.Errorf("%s: Content-Disposition %q", name, got)
		}
	}
	// The file of another ticket is not found under this one.
	other := a.open(t, "Autre", sla.Low)
	if res := a.m.Get(strings.Replace(links["passwd"], tk.ID.String(), other.ID.String(), 1)); res.StatusCode != http.StatusNotFound {
		t.Errorf("attachment under another ticket: %d", res.StatusCode)
	}
}

var ticketRawKey = regexp.MustCompile(`(?:^|\s)((?:admin_)?tickets?\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)`)

// TestTicketScreenshots photographs the queue and a ticket page (with an internal note, a public
// message, an attachment and a pause) at desktop and phone widths (artifacts/screenshots/tickets-*.png),
// and the log-a-call form; every page passes axe and does not scroll sideways.
func TestTicketScreenshots(t *testing.T) {
	a := newTicketApp(t)
	cabinet := uuid.MustParse(contractClient(t, a.app, "Cabinet Durand Avocats"))
	tech := ticketUser(t, a.app, testutil.Technician)
	shown := a.open(t, "Paiement en ligne refusé pour toutes les cartes", sla.High, func(in *tickets.OpenInput) {
		in.ServiceLabel, in.ContactPhone, in.Description = "boulangerie-martin.fr", "06 12 34 56 78",
			"Depuis ce matin, les clients voient « Paiement refusé » quelle que soit la carte.\nCapture jointe."
	})
	a.open(t, "Le site ne s'affiche plus", sla.Critical)
	a.open(t, "Question sur les sauvegardes", sla.Low)
	a.open(t, "Imprimante réseau hors ligne", sla.Normal, func(in *tickets.OpenInput) {
		in.ClientID, in.ContractID, in.ReporterID, in.ReporterLabel, in.Channel = cabinet, uuid.Nil, uuid.Nil, "Maître Paul Durand", tickets.ChannelPhone
	})
	a.app.Clock.Advance(24*time.Hour + 30*time.Minute) // Monday 10:30
	a.m = a.app.LoginAs(t, testutil.Manager)
	a.post(t, a.m, shown, "assign", url.Values{"assignee_id": {tech.String()}})
	a.post(t, a.m, shown, "diagnosis", url.Values{"diagnosis": {"La clé d'API du prestataire de paiement a expiré hier soir."}, "repair_plan": {"Demander une nouvelle clé au client, la déployer, tester un paiement réel."}})
	postFiles(t, a.m, ticketPath(shown)+"/messages", map[string]string{"body": "Le prestataire confirme l'expiration. Clé à récupérer auprès de la gérante.", "internal": "on"}, map[string][]byte{"journal-paiement.log": []byte("ERROR 401 invalid api key\n")})
	a.app.Clock.Advance(20 * time.Minute)
	a.post(t, a.m, shown, "messages", url.Values{"body": {"Bonjour, pouvez-vous nous transmettre la nouvelle clé reçue par e-mail de votre banque ?"}, "internal": {"off"}})
	a.post(t, a.m, shown, "status", url.Values{"to": {"waiting_client"}, "status_note": {"Clé demandée à la gérante"}})
	a.app.Clock.Advance(2 * time.Hour)
	a.m = a.app.LoginAs(t, testutil.Manager)
	a.post(t, a.m, shown, "status", url.Values{"to": {"in_progress"}})
	a.app.Clock.Advance(25 * time.Minute)
	a.post(t, a.m, shown, "escalate", url.Values{"level": {"1"}, "escalate_note": {"Client important"}})

	ctx := testutil.Browser(t)
	base := a.app.Listen(t)
	testutil.BrowserLogin(t, ctx, base, testutil.Manager)
	testutil.WaitPath(t, ctx, "/admin")
	inspect := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			testutil.SetViewport(t, ctx, v)
			if m := ticketRawKey.FindString(testutil.BodyText(t, ctx)); m != "" {
				t.Errorf("%s shows a raw message id: %q", name, m)
			}
			testutil.Axe(t, ctx)
			if out := testutil.HorizontalOverflow(t, ctx); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, ctx, "tickets-"+name+"-"+v.Name)
		}
		testutil.CheckConsole(t, ctx)
		testutil.SetViewport(t, ctx, testutil.Desktop)
	}
	visit := func(path string) {
		t.Helper()
		testutil.Run(t, ctx, chromedp.Navigate(base+path))
		testutil.WaitPath(t, ctx, strings.SplitN(path, "?", 2)[0])
	}
	visit("/admin/tickets")
	inspect("queue")
	visit(ticketPath(shown))
	inspect("detail")
	visit("/admin/tickets/new?client=" + a.client.String())
	inspect("new")
	// A refused form.
	testutil.Run(t, ctx, chromedp.Click(chromedp.CSS(`main form[action="/admin/tickets"] button`)))
	testutil.WaitFor(t, ctx, `document.querySelector('#f-title-error')`)
	inspect("new-422")
}
