// Command benchfloor is the load test's floor: for each page scripts/bench.sh measures, a bare
// handler that runs the page's main SQL statements (the same text and parameters as the
// application's stores) and writes the rows as plain text, with no template, session, CSRF or
// middleware. Each page's throughput is reported as a ratio to its floor. It is a separate program,
// built and started only by the load script: nothing of it ships in the application's binary.
//
//	benchfloor -listen 127.0.0.1:8091      serve /floor/<page> and /params
//	benchfloor -explain                    print EXPLAIN (ANALYZE, BUFFERS) of every main statement as Markdown
//	benchfloor -ensure NAME                print the URL of database NAME, created on the server
//	                                       `make run` uses (DATABASE_URL not needed)
//	benchfloor -users                      print how many users the database has (0: not seeded)
//	benchfloor -settle 120s                wait until the job queue has nothing left to run now
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"maintenant/app/database"
)

// params are the values the pages of the load test are requested with, chosen once from the data.
type params struct {
	ClientID, TicketID           string
	YearFrom, YearTo             string // the portal register: last year
	MonthFrom, MonthTo           string // the admin register: last month
	ScheduleFrom, ScheduleTo     time.Time
	Zone                         *time.Location
	Today                        string
	ClientUser, StaffUser, Email string
}

// statement is one SQL statement of a page, with the names of its parameters.
type statement struct {
	sql  string
	args func(p *params) []any
}

// page is a page of the load test and its main statements, as its handler's stores issue them.
type page struct {
	name, path string
	statements []statement
}

const (
	ticketList = `SELECT t.*, cl.name AS client_name, coalesce(ct.reference, '') AS contract_reference, coalesce(u.name, '') AS assignee_name
		FROM tickets AS t JOIN clients AS cl ON cl.id = t.client_id LEFT JOIN contracts AS ct ON ct.id = t.contract_id
		LEFT JOIN users AS u ON u.id = t.assignee_id`
	registerList = `SELECT r.*, cl.name AS client_name, coalesce(ct.reference, '') AS contract_reference
		FROM register_entries AS r JOIN clients AS cl ON cl.id = r.client_id LEFT JOIN contracts AS ct ON ct.id = r.contract_id`
	registerTotals = `SELECT count(*) AS entries, coalesce(sum(r.minutes_work), 0), coalesce(sum(r.minutes_travel), 0),
		coalesce(sum(r.minutes_on_site), 0), coalesce(sum(r.minutes_research), 0), coalesce(sum(r.materials_cents), 0),
		coalesce(sum(r.time_cost_cents), 0), coalesce(sum(r.total_cost_cents), 0) FROM register_entries AS r`
	invoiceList = `SELECT inv.*, cl.name AS client_name, coalesce(ct.reference, '') AS contract_reference,
		coalesce(cr.year, 0) AS credits_year, coalesce(cr.number, 0) AS credits_number
		FROM invoices AS inv JOIN clients AS cl ON cl.id = inv.client_id LEFT JOIN contracts AS ct ON ct.id = inv.contract_id
		LEFT JOIN invoices AS cr ON cr.id = inv.credits_id`
	owed = `SELECT coalesce(sum(total_ttc_cents - credited_cents - paid_cents), 0) AS due_cents,
		coalesce(sum(total_ttc_cents - credited_cents - paid_cents) FILTER (WHERE due_date < $2::date), 0) AS overdue_cents,
		count(*) AS count, count(*) FILTER (WHERE due_date < $2::date) AS overdue_count
		FROM invoices WHERE client_id = $1 AND kind = 'invoice' AND status IN ('issued', 'partially_paid')`
	schedule = `SELECT i.id, i.number, i.client_id, cl.name AS client_name, coalesce(ct.reference, '') AS contract_reference, i.kind, i.status,
		i.place, i.title, i.summary, i.scheduled_at, coalesce(i.estimated_minutes, 0) AS estimated_minutes, i.version,
		coalesce((SELECT array_agg(u.id::text ORDER BY u.name) FROM intervention_technicians AS it
			JOIN users AS u ON u.id = it.user_id WHERE it.intervention_id = i.id), '{}') AS technician_ids,
		coalesce((SELECT string_agg(u.name, ', ' ORDER BY u.name) FROM intervention_technicians AS it
			JOIN users AS u ON u.id = it.user_id WHERE it.intervention_id = i.id), '') AS technicians,
		sv.occurs_on, sv.planned_on, coalesce(sv.shift_reason, '') AS shift_reason,
		(SELECT count(*) FROM visit_reschedules AS vr WHERE vr.intervention_id = i.id) AS rescheduled
		FROM interventions AS i JOIN clients AS cl ON cl.id = i.client_id LEFT JOIN contracts AS ct ON ct.id = i.contract_id
		LEFT JOIN scheduled_visits AS sv ON sv.intervention_id = i.id`
)

func client(p *params) []any { return []any{p.ClientID} }

var pages = []page{
	{"portal home", "/portal", []statement{
		{ticketList + ` WHERE t.client_id = $1 AND t.status NOT IN ('resolved', 'closed') ORDER BY t.opened_at DESC, t.id DESC LIMIT 6`, client},
		{owed, func(p *params) []any { return []any{p.ClientID, p.Today} }},
	}},
	{"portal tickets", "/portal/tickets", []statement{
		{ticketList + ` WHERE t.client_id = $1 AND t.status NOT IN ('resolved', 'closed') ORDER BY t.opened_at DESC, t.id DESC LIMIT 26`, client},
	}},
	{"portal ticket", "/portal/tickets/{ticket}", []statement{
		{ticketList + ` WHERE t.id = $1 AND t.client_id = $2`, func(p *params) []any { return []any{p.TicketID, p.ClientID} }},
		{`SELECT m.id, m.ticket_id, m.author_id, m.author_label, m.from_staff, m.internal, m.body, m.created_at FROM ticket_messages AS m
			WHERE m.ticket_id = $1 AND NOT m.internal ORDER BY m.created_at, m.id LIMIT 2000`, func(p *params) []any { return []any{p.TicketID} }},
	}},
	{"portal invoices", "/portal/invoices", []statement{
		{invoiceList + ` WHERE inv.client_id = $1 AND inv.status <> 'draft' ORDER BY inv.created_at DESC, inv.id DESC LIMIT 51`, client},
		{owed, func(p *params) []any { return []any{p.ClientID, p.Today} }},
	}},
	{"portal register (one year)", "/portal/register?from={yearfrom}&to={yearto}", []statement{
		{registerList + ` WHERE r.client_id = $1 AND r.occurred_on >= $2::date AND r.occurred_on <= $3::date ORDER BY r.created_at DESC, r.id DESC LIMIT 51`,
			func(p *params) []any { return []any{p.ClientID, p.YearFrom, p.YearTo} }},
		{registerTotals + ` WHERE r.client_id = $1 AND r.occurred_on >= $2::date AND r.occurred_on <= $3::date`,
			func(p *params) []any { return []any{p.ClientID, p.YearFrom, p.YearTo} }},
	}},
	{"admin queue (in progress, by deadline)", "/admin/tickets?status=in_progress", []statement{
		{ticketList + ` WHERE t.status IN ('in_progress') ORDER BY coalesce(t.next_due_at, 'infinity'::timestamptz), t.id LIMIT 26`, nil},
	}},
	{"admin ticket", "/admin/tickets/{ticket}", []statement{
		{ticketList + ` WHERE t.id = $1`, func(p *params) []any { return []any{p.TicketID} }},
		{`SELECT m.id, m.ticket_id, m.author_id, m.author_label, m.from_staff, m.internal, m.body, m.created_at FROM ticket_messages AS m
			WHERE m.ticket_id = $1 ORDER BY m.created_at, m.id LIMIT 2000`, func(p *params) []any { return []any{p.TicketID} }},
	}},
	{"admin register (one month, totals)", "/admin/register?from={monthfrom}&to={monthto}", []statement{
		{registerList + ` WHERE r.occurred_on >= $1::date AND r.occurred_on <= $2::date ORDER BY r.created_at DESC, r.id DESC LIMIT 51`,
			func(p *params) []any { return []any{p.MonthFrom, p.MonthTo} }},
		{registerTotals + ` WHERE r.occurred_on >= $1::date AND r.occurred_on <= $2::date`,
			func(p *params) []any { return []any{p.MonthFrom, p.MonthTo} }},
	}},
	{"admin schedule (month)", "/admin/schedule?view=month", []statement{
		{`SELECT (i.scheduled_at AT TIME ZONE 'Europe/Paris')::date AS day, count(*) AS n FROM interventions AS i
			WHERE i.scheduled_at IS NOT NULL AND i.scheduled_at >= $1 AND i.scheduled_at < $2 AND i.status <> 'cancelled' GROUP BY 1`,
			func(p *params) []any { return []any{p.ScheduleFrom, p.ScheduleTo} }},
		{schedule + ` WHERE i.scheduled_at IS NOT NULL AND i.id = ANY(ARRAY(SELECT x.id FROM unnest($3::timestamptz[], $4::timestamptz[]) AS d(lo, hi)
			CROSS JOIN LATERAL (SELECT i.id FROM interventions AS i WHERE i.scheduled_at >= d.lo AND i.scheduled_at < d.hi
			AND i.scheduled_at IS NOT NULL AND i.scheduled_at >= $1 AND i.scheduled_at < $2 AND i.status <> 'cancelled'
			ORDER BY i.scheduled_at, i.number LIMIT 6) AS x))
			ORDER BY i.scheduled_at, i.number`, func(p *params) []any {
			var lo, hi []time.Time
			for d := p.ScheduleFrom.In(p.Zone); d.Before(p.ScheduleTo); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, p.Zone) {
				lo, hi = append(lo, d), append(hi, time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, p.Zone))
			}
			return []any{p.ScheduleFrom, p.ScheduleTo, lo, hi}
		}},
		{schedule + ` WHERE i.scheduled_at IS NOT NULL AND i.scheduled_at < $1::date AND i.status IN ('scheduled', 'todo')
			ORDER BY i.scheduled_at, i.number LIMIT 20`, func(p *params) []any { return []any{p.Today} }},
	}},
	{"admin invoices", "/admin/invoices", []statement{
		{invoiceList + ` ORDER BY inv.created_at DESC, inv.id DESC LIMIT 51`, nil},
	}},
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8091", "address to serve the floor handlers on")
	explain := flag.Bool("explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of each page's main statements as Markdown, then exit")
	ensure := flag.String("ensure", "", "print the URL of this database, created if missing, on the server `make run` uses")
	drop := flag.String("drop", "", "drop this database, on the server `make run` uses")
	users := flag.Bool("users", false, "print the number of users, then exit")
	counts := flag.Bool("counts", false, "print the number of rows of the big tables, then exit")
	settle := flag.Duration("settle", 0, "wait at most this long until no job is left to run now, then exit")
	flag.Parse()
	ctx := context.Background()
	if *drop != "" {
		server, err := database.LocateServer(ctx, filepath.Join("data", "pg"), func(f string, a ...any) { log.Printf(f, a...) })
		if err != nil {
			log.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			log.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{*drop}.Sanitize()+" WITH (FORCE)"); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *ensure != "" {
		server, err := database.LocateServer(ctx, filepath.Join("data", "pg"), func(f string, a ...any) { log.Printf(f, a...) })
		if err != nil {
			log.Fatal(err)
		}
		url, err := database.EnsureDatabase(ctx, server, *ensure)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(url)
		return
	}
	// The same session settings as the app's pool (database.Open): UTC, no JIT, at least 8 connections.
	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	cfg.MaxConns = max(cfg.MaxConns, 8)
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if *users {
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			n = 0
		}
		fmt.Println(n)
		return
	}
	if *counts {
		var parts []string
		for _, t := range []string{"clients", "users", "contracts", "tickets", "ticket_messages", "interventions", "time_entries",
			"register_entries", "invoices", "invoice_lines", "quotes", "equipment"} {
			var n int64
			if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
				log.Fatal(err)
			}
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
		fmt.Println(strings.Join(parts, ", "))
		return
	}
	if *settle > 0 {
		deadline := time.Now().Add(*settle)
		for {
			var n int
			err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')
				OR (state = 'scheduled' AND scheduled_at <= now())`).Scan(&n)
			if err != nil {
				log.Fatal(err)
			}
			if n == 0 || time.Now().After(deadline) {
				fmt.Println(n)
				return
			}
			time.Sleep(time.Second)
		}
	}
	p, err := choose(ctx, pool)
	if err != nil {
		log.Fatal(err)
	}
	if *explain {
		if err := explainAll(ctx, pool, p); err != nil {
			log.Fatal(err)
		}
		return
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/params", func(c *fiber.Ctx) error {
		var b strings.Builder
		for i, pg := range pages {
			fmt.Fprintf(&b, "%d\t%s\t%s\n", i, pg.name, p.path(pg.path))
		}
		return c.SendString(b.String())
	})
	for i := range pages {
		pg := pages[i]
		app.Get(fmt.Sprintf("/floor/%d", i), func(c *fiber.Ctx) error {
			c.Type("txt", "utf-8")
			w := &strings.Builder{}
			for _, st := range pg.statements {
				if err := writeRows(c.UserContext(), pool, w, st, p); err != nil {
					return err
				}
			}
			return c.SendString(w.String())
		})
	}
	log.Printf("floor handlers on http://%s/floor/0..%d", *listen, len(pages)-1)
	log.Fatal(app.Listen(*listen))
}

// path fills a page's path with the chosen values.
func (p *params) path(s string) string {
	return strings.NewReplacer("{ticket}", p.TicketID, "{yearfrom}", p.YearFrom, "{yearto}", p.YearTo,
		"{monthfrom}", p.MonthFrom, "{monthto}", p.MonthTo).Replace(s)
}

func (st statement) argsOf(p *params) []any {
	if st.args == nil {
		return nil
	}
	return st.args(p)
}

// writeRows runs one statement and writes its rows as tab-separated text.
func writeRows(ctx context.Context, pool *pgxpool.Pool, w *strings.Builder, st statement, p *params) error {
	rows, err := pool.Query(ctx, st.sql, st.argsOf(p)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		for i, v := range vals {
			if i > 0 {
				w.WriteByte('\t')
			}
			fmt.Fprint(w, v)
		}
		w.WriteByte('\n')
	}
	return rows.Err()
}

// choose picks the values of the load test: the Boulangerie (the biggest client) through its
// admin's login, its ticket with the most messages, last year, last month, this month.
func choose(ctx context.Context, pool *pgxpool.Pool) (*params, error) {
	p := &params{ClientUser: "client@boulangerie.demo.test", StaffUser: "manager@demo.test"}
	if err := pool.QueryRow(ctx, `SELECT client_id::text FROM users WHERE email = $1`, p.ClientUser).Scan(&p.ClientID); err != nil {
		return nil, fmt.Errorf("the demo client user: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT t.id::text FROM tickets t WHERE t.client_id = $1
		ORDER BY (SELECT count(*) FROM ticket_messages m WHERE m.ticket_id = t.id) DESC, t.opened_at DESC LIMIT 1`, p.ClientID).Scan(&p.TicketID); err != nil {
		return nil, fmt.Errorf("a ticket: %w", err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	now := time.Now().In(paris)
	p.Today = now.Format(time.DateOnly)
	p.YearFrom, p.YearTo = fmt.Sprintf("%d-01-01", now.Year()-1), fmt.Sprintf("%d-12-31", now.Year()-1)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, paris)
	p.MonthFrom, p.MonthTo = first.AddDate(0, -1, 0).Format(time.DateOnly), first.AddDate(0, 0, -1).Format(time.DateOnly)
	// The month view shows whole weeks, Monday to Sunday, around the month.
	from := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	last := first.AddDate(0, 1, -1)
	to := last.AddDate(0, 0, 7-((int(last.Weekday())+6)%7))
	p.ScheduleFrom, p.ScheduleTo, p.Zone = from.UTC(), to.UTC(), paris
	return p, nil
}

// explainAll prints the plan of every main statement, run with its real parameters.
func explainAll(ctx context.Context, pool *pgxpool.Pool, p *params) error {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, pg := range pages {
		fmt.Fprintf(out, "#### %s (`%s`)\n\n", pg.name, p.path(pg.path))
		for _, st := range pg.statements {
			rows, err := pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+st.sql, st.argsOf(p)...)
			if err != nil {
				return fmt.Errorf("%s: %w", pg.name, err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "```\n%s\n```\n\n", strings.Join(lines, "\n"))
		}
	}
	return nil
}
