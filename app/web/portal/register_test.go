package portal_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

// portalRegisterSlot spaces the tests' time entries so that they never overlap, at night (the demo
// sheets' time is within service hours).
var portalRegisterSlot = time.Date(2026, 10, 5, 2, 0, 0, 0, time.UTC)

// completeForPortalRegister completes an intervention of the client by the demo technician, with
// minutes of work on subject: one register entry.
func completeForPortalRegister(t *testing.T, app *testutil.App, client, contract uuid.UUID, subject string, minutes int) {
	t.Helper()
	ctx := context.Background()
	tech, err := accounts.UserByEmail(ctx, app.DB.Bun, testutil.Technician)
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: tech.ID, Label: tech.Name, IP: "127.0.0.1"}
	now := app.Clock.Now()
	err = app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: client, ContractID: contract, Kind: interventions.KindCorrective,
			Place: interventions.PlaceRemote, Title: "Intervention " + subject}, actor, now)
		if err != nil {
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, tech.ID, i.Version, actor, now); err != nil {
			return err
		}
		e := interventions.TimeEntry{TechnicianID: tech.ID, Category: interventions.CategoryWork, StartedAt: portalRegisterSlot, Minutes: minutes, Billable: true}
		portalRegisterSlot = portalRegisterSlot.Add(24 * time.Hour)
		if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, now); err != nil {
			return err
		}
		if i, err = interventions.SetActions(ctx, tx, i.ID, []interventions.EquipmentAction{{Target: subject, Done: "Contrôle"}}, i.Version, now); err != nil {
			return err
		}
		_, _, err = interventions.Complete(ctx, tx, i.ID, i.Version, actor, time.Date(2026, 10, 15, 15, 0, 0, 0, time.UTC), app.Config.Location)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func firstContract(t *testing.T, app *testutil.App, client uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM contracts WHERE client_id = ? ORDER BY reference LIMIT 1", client).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPortalRegisterCrossClient: the law firm's user sees its own entries and never the bakery's,
// even with the bakery's client or contract id in the query string, on the page and in the CSV.
func TestPortalRegisterCrossClient(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	bakery, firm := clientID(t, app, "Boulangerie Martin"), clientID(t, app, "Cabinet Durand Avocats")
	bakeryContract := firstContract(t, app, bakery)
	// The demo's own entries, before the test's.
	firmRows := count(t, app, "SELECT count(*) FROM register_entries WHERE client_id = ?", firm)
	firmMinutes := count(t, app, `SELECT coalesce(sum(minutes_work + minutes_travel + minutes_on_site + minutes_research), 0)
		FROM register_entries WHERE client_id = ?`, firm)
	bakeryRows := count(t, app, "SELECT count(*) FROM register_entries WHERE contract_id = ?", bakeryContract)
	completeForPortalRegister(t, app, bakery, bakeryContract, "RegTest four de la boulangerie", 60)
	completeForPortalRegister(t, app, firm, uuid.Nil, "RegTest serveur du cabinet", 30)
	firmTotal := i18n.Duration(time.Duration(firmMinutes+30) * time.Minute)

	c := app.LoginAs(t, testutil.CabinetUser)
	for _, q := range []string{"", "?client=" + bakery.String(), "?contract=" + bakeryContract.String(), "?client=" + bakery.String() + "&q=boulangerie"} {
		r := c.Get("/portal/register" + q)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", q, r.StatusCode)
		}
		// The search box keeps what was typed: look at the entries and the totals only.
		doc := r.Doc(t)
		if text := doc.Find("#register").Text(); strings.Contains(text, "oulangerie") || doc.Find("#register tbody tr").Length() > firmRows+1 {
			t.Errorf("%s: the bakery's entry shows on the law firm's register", q)
		}
		if got := strings.TrimSpace(doc.Find("#total-time").Text()); got != firmTotal && got != "0 min" {
			t.Errorf("%s: totals count the bakery's time: %q", q, got)
		}
		r = c.Get("/portal/register.csv" + q)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "\uFEFF") {
			t.Fatalf("%s: csv status %d", q, r.StatusCode)
		}
		if strings.Contains(r.Body, "oulangerie") {
			t.Errorf("%s: the bakery's entry is in the law firm's export:\n%s", q, r.Body)
		}
	}
	doc := c.Get("/portal/register").Doc(t)
	if !strings.Contains(doc.Find("#register").Text(), "RegTest serveur du cabinet") {
		t.Error("the firm's own entry is missing")
	}
	if got := strings.TrimSpace(doc.Find("#total-time").Text()); got != firmTotal {
		t.Errorf("total time %q", got)
	}
	if doc.Find("#f-client").Length() != 0 {
		t.Error("the portal offers a client filter")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.Get("/portal/register.csv").Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != firmRows+2 || rows[1][2] != "Cabinet Durand Avocats" {
		t.Errorf("csv %q", rows)
	}

	// The bakery's user sees its own, filtered by its contract.
	b := app.LoginAs(t, testutil.BoulangerieUser)
	doc = b.Get("/portal/register?contract=" + bakeryContract.String()).Doc(t)
	if n := doc.Find("#register tbody tr").Length(); n != bakeryRows+1 || !strings.Contains(doc.Find("#register").Text(), "RegTest four") {
		t.Errorf("bakery filtered by its contract: %d rows", n)
	}
	if r := b.Get("/portal/register?contract=bad"); r.StatusCode != http.StatusNotFound {
		t.Errorf("malformed contract: %d", r.StatusCode)
	}
	// Staff have no portal.
	if r := app.LoginAs(t, testutil.Manager).Get("/portal/register"); r.StatusCode == http.StatusOK {
		t.Error("staff reach the portal register")
	}
}
