package backoffice_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
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

// registerSlot spaces the time entries of the tests' interventions so that they never overlap, at
// night (the demo sheets' time is within service hours).
var registerSlot = time.Date(2026, 10, 5, 1, 0, 0, 0, time.UTC)

// completeForRegister creates an intervention for the client (and contract, if any), logs work and
// travel time by the demo technician, notes the action on subject and completes it on day: the
// register gets one entry.
func completeForRegister(t *testing.T, app *testutil.App, client, contract uuid.UUID, kind interventions.Kind, subject string, work, travel int, day time.Time) *interventions.RegisterEntry {
	t.Helper()
	ctx := context.Background()
	tech, err := accounts.UserByEmail(ctx, app.DB.Bun, testutil.Technician)
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: tech.ID, Label: tech.Name, IP: "127.0.0.1"}
	now := app.Clock.Now()
	var entry *interventions.RegisterEntry
	err = app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: client, ContractID: contract, Kind: kind,
			Place: interventions.PlaceOnSite, Title: "Intervention " + subject}, actor, now)
		if err != nil {
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, tech.ID, i.Version, actor, now); err != nil {
			return err
		}
		for _, e := range []interventions.TimeEntry{
			{TechnicianID: tech.ID, Category: interventions.CategoryWork, StartedAt: registerSlot, Minutes: work, Billable: true},
			{TechnicianID: tech.ID, Category: interventions.CategoryTravel, StartedAt: registerSlot.Add(time.Duration(work) * time.Minute), Minutes: travel, Billable: true},
		} {
			if e.Minutes == 0 {
				continue
			}
			if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, now); err != nil {
				return err
			}
		}
		registerSlot = registerSlot.Add(24 * time.Hour)
		if i, err = interventions.SetActions(ctx, tx, i.ID, []interventions.EquipmentAction{{Target: subject, Done: "Nettoyage et contrôle"}}, i.Version, now); err != nil {
			return err
		}
		_, entry, err = interventions.Complete(ctx, tx, i.ID, i.Version, actor, day, app.Config.Location)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return entry
}

// registerFixture writes three entries: two for the bakery (one under its contract on 10/10/2026,
// one without contract on 20/10/2026, an installation whose subject is a formula) and one for the
// law firm.
type registerFixture struct {
	bakery, firm, contract uuid.UUID
}

func newRegisterFixture(t *testing.T, app *testutil.App) registerFixture {
	t.Helper()
	f := registerFixture{contract: bakeryContract(t, app)}
	f.bakery = clientByName(t, app, "Boulangerie Martin")
	f.firm = clientByName(t, app, "Cabinet Durand Avocats")
	day := func(d int) time.Time { return time.Date(2026, 10, d, 15, 0, 0, 0, time.UTC) }
	completeForRegister(t, app, f.bakery, f.contract, interventions.KindCorrective, "RegTest caisse", 90, 30, day(10))
	completeForRegister(t, app, f.bakery, uuid.Nil, interventions.KindInstallation, `=HYPERLINK("http://evil.test","RegTest")`, 60, 0, day(20))
	completeForRegister(t, app, f.firm, uuid.Nil, interventions.KindCorrective, "RegTest imprimante cabinet", 45, 15, day(12))
	return f
}

func clientByName(t *testing.T, app *testutil.App, name string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM clients WHERE name = ?", name).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRegisterIndexFiltersAndTotals(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	f := newRegisterFixture(t, app)
	c := app.LoginAs(t, testutil.Technician)

	r := c.Get("/admin/register?q=RegTest")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	doc := r.Doc(t)
	if n := doc.Find("#register tbody tr").Length(); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
	if got := strings.TrimSpace(doc.Find("#total-time").Text()); got != "4 h" {
		t.Errorf("total time %q, want 4 h", got)
	}
	if got := strings.TrimSpace(doc.Find("#total-travel").Text()); got != "45 min" {
		t.Errorf("total travel %q", got)
	}
	if doc.Find(`a[href^="/admin/register/verify"]`).Length() != 0 {
		t.Error("a technician is offered the chain check")
	}

	// The bakery only, then its contract, then its installations, then a period.
	for _, tc := range []struct {
		query string
		rows  int
		time  string
	}{
		{"client=" + f.bakery.String(), 2, "3 h"},
		{"client=" + f.bakery.String() + "&contract=" + f.contract.String(), 1, "2 h"},
		{"kind=installation", 1, "1 h"},
		{"from=2026-10-11&to=2026-10-15", 1, "1 h"},
		{"from=2026-10-21", 0, "0 min"},
	} {
		doc := c.Get("/admin/register?q=RegTest&" + tc.query).Doc(t)
		if n := doc.Find("#register tbody tr").Length(); n != tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.query, n, tc.rows)
		}
		if got := strings.TrimSpace(doc.Find("#total-time").Text()); got != tc.time {
			t.Errorf("%s: total time %q, want %q", tc.query, got, tc.time)
		}
		if tc.rows == 0 && doc.Find("#register-empty").Length() != 1 {
			t.Errorf("%s: no empty state", tc.query)
		}
	}
	// The filter is kept in the form and in the export link.
	doc = c.Get("/admin/register?q=RegTest&kind=corrective&from=2026-10-01").Doc(t)
	if v, _ := doc.Find("#f-from").Attr("value"); v != "2026-10-01" {
		t.Errorf("from kept as %q", v)
	}
	if href, _ := doc.Find("#csv-link").Attr("href"); !strings.Contains(href, "kind=corrective") || !strings.Contains(href, "q=RegTest") {
		t.Errorf("csv link %q", href)
	}
	if got := strings.TrimSpace(doc.Find("#total-cost").Text()); got == "" {
		t.Error("no total cost")
	}
	if r := c.Get("/admin/register?client=nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("malformed client: %d", r.StatusCode)
	}
}

func TestRegisterPagination(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	bakery := clientByName(t, app, "Boulangerie Martin")
	for i := range 52 {
		completeForRegister(t, app, bakery, uuid.Nil, interventions.KindPreventive, "RegPage "+string(rune('A'+i%26)), 10, 0, time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	}
	c := app.LoginAs(t, testutil.Manager)
	doc := c.Get("/admin/register?q=RegPage").Doc(t)
	if n := doc.Find("#register tbody tr").Length(); n != 50 {
		t.Fatalf("%d rows on page 1", n)
	}
	next, ok := doc.Find(`nav a[href*="after="]`).Attr("href")
	if !ok || !strings.Contains(next, "q=RegPage") {
		t.Fatalf("next link %q", next)
	}
	doc = c.Get(next).Doc(t)
	if n := doc.Find("#register tbody tr").Length(); n != 2 {
		t.Fatalf("%d rows on page 2", n)
	}
	if got := strings.TrimSpace(doc.Find("#total-time").Text()); got != i18n.Duration(520*time.Minute) {
		t.Errorf("totals on page 2: %q", got)
	}
	// The export pages through the whole filter.
	r := c.Get("/admin/register.csv?q=RegPage")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 53 {
		t.Errorf("%d csv lines, want header + 52", len(rows))
	}
}

func TestRegisterCSV(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	f := newRegisterFixture(t, app)
	c := app.LoginAs(t, testutil.Technician)
	r := c.Get("/admin/register.csv?q=RegTest&client=" + f.bakery.String())
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("content disposition %q", cd)
	}
	if !strings.HasPrefix(r.Body, "\uFEFF") {
		t.Fatal("no byte order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d lines, want header + 2:\n%s", len(rows), r.Body)
	}
	if rows[0][0] != "N°" || rows[0][6] != "Équipement ou service" {
		t.Errorf("header %q", rows[0])
	}
	var formula string
	for _, row := range rows[1:] {
		if row[2] != "Boulangerie Martin" {
			t.Errorf("another client's entry: %q", row)
		}
		if strings.Contains(row[6], "HYPERLINK") {
			formula = row[6]
		}
	}
	if formula != `'=HYPERLINK("http://evil.test","RegTest")` {
		t.Errorf("formula cell %q, want it neutralised", formula)
	}
}

func TestRegisterVerify(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	f := newRegisterFixture(t, app)
	path := "/admin/register/verify?client=" + f.bakery.String()

	tech := app.LoginAs(t, testutil.Technician)
	if r := tech.Get(path); r.StatusCode != http.StatusForbidden {
		t.Errorf("technician: status %d, want 403", r.StatusCode)
	}

	m := app.LoginAs(t, testutil.Manager)
	r := m.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	var n int
	if err := app.DB.Bun.NewRaw("SELECT count(*) FROM register_entries WHERE client_id = ?", f.bakery).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	res := strings.TrimSpace(r.Doc(t).Find("#verify-result").Text())
	if want := "Chaîne intacte : les " + strconv.Itoa(n) + " entrées"; !strings.HasPrefix(res, want) {
		t.Errorf("result %q, want %q…", res, want)
	}
	if doc := m.Get("/admin/register?client=" + f.bakery.String()).Doc(t); doc.Find(`a[href="`+path+`"]`).Length() != 1 {
		t.Error("the manager is not offered the chain check")
	}
	if r := m.Get("/admin/register/verify?client=" + uuid.NewString()); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown client: %d", r.StatusCode)
	}
	if r := m.Get("/admin/register/verify"); r.StatusCode != http.StatusOK {
		t.Errorf("no client: %d", r.StatusCode)
	}
}
