package backoffice_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// homeContract writes a contract for the Boulangerie through the store, moved along the statuses
// given (none: a draft).
func homeContract(t *testing.T, app *testutil.App, policy uuid.UUID, title, start string, initial, renewal, notice int, path ...contracts.Status) *contracts.Contract {
	t.Helper()
	d, err := time.Parse(time.DateOnly, start)
	if err != nil {
		t.Fatal(err)
	}
	client, err := uuid.Parse(contractClient(t, app, "Boulangerie Martin"))
	if err != nil {
		t.Fatal(err)
	}
	c := &contracts.Contract{ClientID: client}
	v := &contracts.Version{
		Title: title, Services: []contracts.Service{{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr"}},
		StartDate: d, InitialMonths: initial, RenewalMonths: renewal, NoticeMonths: notice,
		FeeCents: 9900, BillingPeriod: contracts.BillingMonthly, SLAPolicyID: uuid.NullUUID{UUID: policy, Valid: true},
	}
	err = app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		if err := contracts.Create(ctx, tx, c, v, uuid.Nil, app.Clock.Now()); err != nil {
			return err
		}
		for _, st := range path {
			cur, err := contracts.Get(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			if _, _, err := contracts.Transition(ctx, tx, c.ID, st, "", cur.Version, app.Clock.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func homeDeadlineLines(doc *goquery.Document) []string {
	var out []string
	doc.Find("#deadlines li").Each(func(_ int, li *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(li.Text()), " "))
	})
	return out
}

// The home lists the next deadlines of running contracts within 120 days, soonest first, with the
// contract linked and the distance in words; with none, it says so.
func TestHomeUpcomingDeadlines(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{}) // today: 22/11/2026
	ctx := context.Background()
	// Only this test's contracts run.
	if _, err := app.DB.Bun.ExecContext(ctx, "UPDATE contracts SET status = 'terminated' WHERE status IN ('active', 'suspended')"); err != nil {
		t.Fatal(err)
	}
	m := app.LoginAs(t, testutil.Manager)
	doc := m.Get("/admin").Doc(t)
	if doc.Find("#deadlines-empty").Length() != 1 || !strings.Contains(doc.Find("#deadlines-empty").Text(), "Aucune échéance de contrat dans les 120 prochains jours") {
		t.Errorf("no running contract: the card lacks its empty state:\n%s", doc.Find("#deadlines-h").Parent().Text())
	}

	policy, err := uuid.Parse(contractPolicy(t, app, "Accueil", false))
	if err != nil {
		t.Fatal(err)
	}
	active := []contracts.Status{contracts.StatusActive}
	// Renews 01/01/2027 (in 40 days); its last day to give notice (30/09) has passed.
	a := homeContract(t, app, policy, "Site vitrine", "2026-01-01", 12, 12, 3, active...)
	// Suspended; renews 22/12/2026 (in 30 days).
	b := homeContract(t, app, policy, "Boutique <en ligne>", "2025-12-22", 12, 12, 1, contracts.StatusActive, contracts.StatusSuspended)
	// Last day to give notice 28/11/2026 (in 6 days), then renews 01/03/2027 (in 99 days).
	c := homeContract(t, app, policy, "Réseaux sociaux", "2026-03-01", 12, 12, 3, active...)
	// Beyond 120 days: notice 31/05/2027.
	homeContract(t, app, policy, "Postes", "2026-09-01", 12, 12, 3, active...)
	// Drafts and ended contracts are not watched.
	homeContract(t, app, policy, "Brouillon", "2025-12-01", 12, 12, 1)
	homeContract(t, app, policy, "Résilié", "2025-12-01", 12, 12, 1, contracts.StatusActive, contracts.StatusTerminated)

	res := m.Get("/admin")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin: %d", res.StatusCode)
	}
	doc = res.Doc(t)
	want := []string{
		c.Reference + " · Boulangerie Martin Réseaux sociaux Dernier jour pour résilier 28/11/2026 (dans 6 jours)",
		b.Reference + " · Boulangerie Martin Suspendu Boutique <en ligne> Prochaine reconduction 22/12/2026 (dans 30 jours)",
		a.Reference + " · Boulangerie Martin Site vitrine Prochaine reconduction 01/01/2027 (dans 40 jours)",
		c.Reference + " · Boulangerie Martin Réseaux sociaux Prochaine reconduction 01/03/2027 (dans 3 mois)",
	}
	if got := homeDeadlineLines(doc); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deadlines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if href, _ := doc.Find("#deadlines li a").First().Attr("href"); href != "/admin/contracts/"+c.ID.String() {
		t.Errorf("first deadline links to %q", href)
	}
	if !strings.Contains(res.Body, "Boutique &lt;en ligne&gt;") {
		t.Error("a contract title is not escaped")
	}
	if doc.Find("#deadlines-empty").Length() != 0 {
		t.Error("the empty state shows beside the deadlines")
	}

	// At most ten, the soonest.
	for i := 0; i < 10; i++ {
		homeContract(t, app, policy, "Lot", "2026-02-01", 12, 12, 2, active...) // notice 30/11/2026
	}
	lines := homeDeadlineLines(m.Get("/admin").Doc(t))
	if len(lines) != 10 || !strings.Contains(lines[0], "28/11/2026") || !strings.Contains(lines[9], "30/11/2026") {
		t.Errorf("%d deadlines, from %q to %q; want the ten soonest", len(lines), lines[0], lines[len(lines)-1])
	}

	// Technicians see the card too, in their language.
	tech := app.LoginAs(t, testutil.Technician)
	tech.Post("/language", map[string][]string{"lang": {"en"}})
	if body := tech.Get("/admin").Text(t); !strings.Contains(body, "Upcoming deadlines") || !strings.Contains(body, "in 6 days") {
		t.Errorf("English home lacks the card or its relative words")
	}
}
