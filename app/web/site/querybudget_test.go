package site_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/seed"
	"maintenant/app/testutil"
)

// statementCounter is a bun query hook counting the SQL statements the application issues.
type statementCounter struct {
	mu      sync.Mutex
	on      bool
	queries []string
}

func (s *statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (s *statementCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on {
		s.queries = append(s.queries, e.Query)
	}
}

// count runs fn and returns the statements issued meanwhile.
func (s *statementCounter) count(fn func()) []string {
	s.mu.Lock()
	s.on, s.queries = true, nil
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.queries
}

// queryBudget is the most SQL statements one page may issue, session and CSRF checks included.
const queryBudget = 10

// budgetPage is a page of the load test (scripts/bench.sh) whose statement count is held.
type budgetPage struct {
	name  string
	staff bool
	// path gives the URL, given the ticket the detail pages show.
	path func(ticket uuid.UUID) string
}

var budgetPages = []budgetPage{
	{"portal home", false, func(uuid.UUID) string { return "/portal" }},
	{"portal tickets", false, func(uuid.UUID) string { return "/portal/tickets" }},
	{"portal ticket", false, func(t uuid.UUID) string { return "/portal/tickets/" + t.String() }},
	{"portal invoices", false, func(uuid.UUID) string { return "/portal/invoices" }},
	{"portal register 2025", false, func(uuid.UUID) string { return "/portal/register?from=2025-01-01&to=2025-12-31" }},
	{"admin queue in progress", true, func(uuid.UUID) string { return "/admin/tickets?status=in_progress" }},
	{"admin ticket", true, func(t uuid.UUID) string { return "/admin/tickets/" + t.String() }},
	{"admin register Oct 2026", true, func(uuid.UUID) string { return "/admin/register?from=2026-10-01&to=2026-10-31" }},
	{"admin schedule month", true, func(uuid.UUID) string { return "/admin/schedule?view=month&date=2026-11-22" }},
	{"admin invoices", true, func(uuid.UUID) string { return "/admin/invoices" }},
}

// TestQueryBudget counts the SQL statements of each page of the load test on the demo data, on the
// small scale and on a grown data set (the small scale written twice more: three times the tickets,
// clients and invoices): each page stays within the budget, and no count grows with the volume (a
// query per row or per client shows up as growth, or as a page over budget).
func TestQueryBudget(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	counter := &statementCounter{}
	// The hook must sit on the *bun.DB the application already holds: WithQueryHook would give a
	// copy the pages never use.
	//lint:ignore SA1019 only AddQueryHook adds a hook to a DB in use
	app.DB.Bun.AddQueryHook(counter)
	ctx := context.Background()
	client := app.LoginAs(t, testutil.BoulangerieUser)
	staff := app.LoginAs(t, testutil.Manager)

	measure := func(label string) map[string][]string {
		t.Helper()
		// The Boulangerie's ticket with the most messages: a query per message would show.
		var ticket uuid.UUID
		if err := app.DB.Bun.NewRaw(`SELECT t.id FROM tickets t JOIN clients c ON c.id = t.client_id
			WHERE c.name = 'Boulangerie Martin'
			ORDER BY (SELECT count(*) FROM ticket_messages m WHERE m.ticket_id = t.id) DESC, t.opened_at DESC LIMIT 1`).Scan(ctx, &ticket); err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, p := range budgetPages {
			c := client
			if p.staff {
				c = staff
			}
			var res *testutil.Response
			qs := counter.count(func() { res = c.Get(p.path(ticket)) })
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s: status %d", label, p.path(ticket), res.StatusCode)
			}
			out[p.name] = qs
		}
		return out
	}

	demo := measure("demo")
	small := seed.Sizes["small"]
	if _, err := seed.Scale(ctx, app.DB, small, app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	onSmall := measure("small")
	for i := 0; i < 2; i++ {
		if _, err := seed.Scale(ctx, app.DB, small, app.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	onGrown := measure("grown")

	var table strings.Builder
	fmt.Fprintf(&table, "\n| page | demo | small | grown (3× small) |\n|---|---|---|---|\n")
	for _, p := range budgetPages {
		fmt.Fprintf(&table, "| %s | %d | %d | %d |\n", p.name, len(demo[p.name]), len(onSmall[p.name]), len(onGrown[p.name]))
		if n := len(onGrown[p.name]); n > queryBudget {
			t.Errorf("%s: %d statements on the grown data set, budget %d:\n  %s", p.name, n, queryBudget, strings.Join(onGrown[p.name], "\n  "))
		}
		if a, b := len(onSmall[p.name]), len(onGrown[p.name]); b > a {
			t.Errorf("%s: %d statements on the small data set, %d on the grown one: the count grows with the data:\n  %s",
				p.name, a, b, strings.Join(onGrown[p.name], "\n  "))
		}
	}
	t.Log(table.String())
	if os.Getenv("QUERY_BUDGET_SQL") != "" {
		for _, p := range budgetPages {
			t.Logf("%s:\n  %s", p.name, strings.Join(onGrown[p.name], "\n  "))
		}
	}
}
