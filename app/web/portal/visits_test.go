package portal_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
	"maintenant/app/testutil"
)

// visitsContract is the first active contract of a demo client.
func visitsContract(t *testing.T, app *testutil.App, client string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT ct.id FROM contracts AS ct JOIN clients AS cl ON cl.id = ct.client_id
		WHERE cl.name = ? AND ct.status = 'active' ORDER BY ct.reference LIMIT 1`, client).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPortalVisitsAreTheClientsOnly(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	boulangerie := visitsContract(t, app, "Boulangerie Martin")
	cabinet := visitsContract(t, app, "Cabinet Durand Avocats")
	loc, _ := time.LoadLocation("Europe/Paris")
	now := app.Clock.Now()
	today := contracts.Day(now.In(loc))
	err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		_, err := scheduling.SaveTask(ctx, tx, boulangerie, uuid.Nil, scheduling.TaskInput{
			Title: "Contrôle des sauvegardes du four connecté", Target: "four connecté", EstimatedMinutes: 30,
			Place: interventions.PlaceRemote, Rule: "FREQ=WEEKLY;BYDAY=TH", FirstOn: today, AtMinute: 10 * 60,
		}, scheduling.Change{Reason: "Nouveau four", EffectiveFrom: today}, audit.Actor{Label: "test"}, now, today, loc)
		if err != nil {
			return err
		}
		_, err = scheduling.GenerateContract(ctx, tx, boulangerie, audit.Actor{Label: "test"}, now, loc, scheduling.DefaultHorizonDays)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b := app.LoginAs(t, testutil.BoulangerieUser)
	page := b.Get("/portal/visits")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Text(t), "Contrôle des sauvegardes du four connecté") ||
		!strings.Contains(page.Text(t), "26/11/2026 10:00") {
		t.Fatalf("visits: %d %s", page.StatusCode, page.Text(t))
	}
	// The home page and the contract page show the section in the page itself (no JavaScript needed),
	// the contract's with its plan in words.
	home := b.Get("/portal/").Doc(t)
	if s := home.Find("#home-visits").Text(); !strings.Contains(s, "four connecté") || !strings.Contains(s, "26/11/2026 10:00") {
		t.Errorf("home visits section: %q", s)
	}
	cdoc := b.Get("/portal/contracts/" + boulangerie.String()).Doc(t)
	if s := cdoc.Find("#contract-visits").Text(); !strings.Contains(s, "four connecté") || !strings.Contains(s, "Chaque semaine, le jeudi, à 10:00") {
		t.Errorf("contract visits section: %q", s)
	}
	if n := cdoc.Find(`[hx-get^="/portal/visits"][hx-trigger]`).Length() + home.Find(`[hx-get^="/portal/visits"][hx-trigger]`).Length(); n != 0 {
		t.Errorf("%d sections still loaded by HTMX", n)
	}
	// The visits page pages through the next visits (ten at a time); HTMX swaps the section alone.
	doc := b.Get("/portal/visits?contract=" + boulangerie.String()).Doc(t)
	next, ok := doc.Find("#visits-next-up").Attr("href")
	if !ok || doc.Find(`[data-list="upcoming"] > li`).Length() != 10 {
		t.Fatalf("first page: next %q, %d visits", next, doc.Find(`[data-list="upcoming"] > li`).Length())
	}
	firstDates := doc.Find("#visits-page time").Text()
	req, _ := http.NewRequest(http.MethodGet, next, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "visits-page")
	frag := b.Do(req)
	if frag.StatusCode != http.StatusOK || strings.Contains(frag.Body, "<html") || strings.Contains(frag.Body, "<h1") || !strings.Contains(frag.Body, `id="visits-page"`) {
		t.Fatalf("next page fragment: %d\n%s", frag.StatusCode, frag.Body)
	}
	fdoc := frag.Doc(t)
	if n := fdoc.Find("#visits-page time").Length(); n == 0 || strings.Contains(firstDates, fdoc.Find("#visits-page time").First().Text()) {
		t.Errorf("the next page repeats the first (%d visits): %q", n, fdoc.Find("#visits-page time").Text())
	}
	if res := b.Get("/portal/visits?up=nonsense"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a broken cursor: %d", res.StatusCode)
	}
	// Another client's contract is 404, like a missing one; its visits are not the Cabinet's.
	for _, path := range []string{"/portal/visits?contract=" + cabinet.String(), "/portal/visits?contract=" + uuid.New().String()} {
		if res := b.Get(path); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "four connecté") {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
	c := app.LoginAs(t, testutil.CabinetUser)
	if res := c.Get("/portal/visits"); res.StatusCode != http.StatusOK || strings.Contains(res.Body, "four connecté") {
		t.Errorf("the Cabinet sees the Boulangerie's visits: %d", res.StatusCode)
	}
	if res := c.Get("/portal/visits?contract=" + boulangerie.String()); res.StatusCode != http.StatusNotFound {
		t.Errorf("the Cabinet reads the Boulangerie's contract visits: %d", res.StatusCode)
	}
}
