package site_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// BenchmarkPages requests the load test's pages in process (no network), on the demo data, so that
// `go test -bench Pages -cpuprofile` shows where a request's time goes.
func BenchmarkPages(b *testing.B) {
	app := testutil.NewApp(b, testutil.Options{})
	client := app.LoginAs(b, testutil.BoulangerieUser)
	staff := app.LoginAs(b, testutil.Manager)
	var ticket uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT t.id FROM tickets t JOIN clients c ON c.id = t.client_id
		WHERE c.name = 'Boulangerie Martin' ORDER BY t.opened_at DESC LIMIT 1`).Scan(context.Background(), &ticket); err != nil {
		b.Fatal(err)
	}
	for _, p := range budgetPages {
		c := client
		if p.staff {
			c = staff
		}
		path := p.path(ticket)
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if r := c.Get(path); r.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", path, r.StatusCode)
				}
			}
		})
	}
}
