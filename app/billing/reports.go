package billing

// Billing reports for staff: what clients owe and how late (ageing), revenue per month, and the
// profitability of each contract (what it brought against the time spent on it at the internal
// hourly cost of the settings). Each is one aggregate query, bounded.

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// MaxReportRows bounds the rows of a billing report (clients, contracts).
const MaxReportRows = 200

// Ageing is what one client owes, by how late it is (days past the due date).
type Ageing struct {
	ClientID    uuid.UUID `bun:"client_id"`
	ClientName  string    `bun:"client_name"`
	Invoices    int       `bun:"invoices"`
	NotDue      int64     `bun:"not_due"`
	Late1to30   int64     `bun:"late_1_30"`
	Late31to60  int64     `bun:"late_31_60"`
	Late61to90  int64     `bun:"late_61_90"`
	LateOver90  int64     `bun:"late_over_90"`
	DueCents    int64     `bun:"due_cents"`
	OverdueCent int64     `bun:"overdue_cents"`
}

// AgeingReport is the ageing of every client owing money, most owed first, and the totals.
type AgeingReport struct {
	Rows      []Ageing
	Total     Ageing
	Truncated bool
}

// AgeingByClient sums, on day today, what each client owes on its issued invoices, by ageing
// bucket, in one query (at most MaxReportRows clients; the totals cover them all).
func AgeingByClient(ctx context.Context, db bun.IDB, today time.Time) (*AgeingReport, error) {
	var rows []Ageing
	err := db.NewRaw(`WITH owed AS (
			SELECT inv.client_id, (inv.total_ttc_cents - inv.credited_cents - inv.paid_cents) AS due, (?::date - inv.due_date) AS late
			FROM invoices AS inv
			WHERE inv.kind = 'invoice' AND inv.status IN ('issued', 'partially_paid') AND inv.total_ttc_cents - inv.credited_cents - inv.paid_cents > 0),
		by_client AS (
			SELECT client_id, count(*) AS invoices,
				coalesce(sum(due) FILTER (WHERE late <= 0), 0) AS not_due,
				coalesce(sum(due) FILTER (WHERE late BETWEEN 1 AND 30), 0) AS late_1_30,
				coalesce(sum(due) FILTER (WHERE late BETWEEN 31 AND 60), 0) AS late_31_60,
				coalesce(sum(due) FILTER (WHERE late BETWEEN 61 AND 90), 0) AS late_61_90,
				coalesce(sum(due) FILTER (WHERE late > 90), 0) AS late_over_90,
				sum(due) AS due_cents,
				coalesce(sum(due) FILTER (WHERE late > 0), 0) AS overdue_cents
			FROM owed GROUP BY ROLLUP (client_id))
		SELECT coalesce(b.client_id, '00000000-0000-0000-0000-000000000000'::uuid) AS client_id, coalesce(cl.name, '') AS client_name,
			b.invoices, b.not_due, b.late_1_30, b.late_31_60, b.late_61_90, b.late_over_90, b.due_cents, b.overdue_cents
		FROM by_client AS b LEFT JOIN clients AS cl ON cl.id = b.client_id
		ORDER BY (b.client_id IS NULL) DESC, b.overdue_cents DESC, b.due_cents DESC, cl.name
		LIMIT ?`, today, MaxReportRows+2).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("billing: ageing report: %w", err)
	}
	r := &AgeingReport{}
	if len(rows) == 0 {
		return r, nil
	}
	r.Total, rows = rows[0], rows[1:]
	if len(rows) > MaxReportRows {
		rows, r.Truncated = rows[:MaxReportRows], true
	}
	r.Rows = rows
	return r, nil
}

// MonthRevenue is one month of revenue: invoiced, credited and net excluding VAT (by issue date),
// and the money received (payments net of refunds, by payment date).
type MonthRevenue struct {
	Month         time.Time `bun:"month"`
	InvoicedHT    int64     `bun:"invoiced_ht"`
	CreditedHT    int64     `bun:"credited_ht"`
	NetHT         int64     `bun:"net_ht"`
	ReceivedCents int64     `bun:"received"`
}

// RevenueByMonth returns the months from the month of from to the month of to (at most 36), every
// month present even when empty, in one query.
func RevenueByMonth(ctx context.Context, db bun.IDB, from, to time.Time) ([]MonthRevenue, error) {
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	if last.Before(first) {
		first, last = last, first
	}
	if limit := last.AddDate(0, -35, 0); first.Before(limit) {
		first = limit
	}
	var rows []MonthRevenue
	err := db.NewRaw(`WITH months AS (SELECT generate_series(?::date, ?::date, interval '1 month')::date AS month),
		inv AS (
			SELECT date_trunc('month', issue_date)::date AS month,
				coalesce(sum(total_ht_cents) FILTER (WHERE kind = 'invoice'), 0) AS invoiced_ht,
				coalesce(sum(total_ht_cents) FILTER (WHERE kind = 'credit_note'), 0) AS credited_ht
			FROM invoices WHERE status <> 'draft' AND issue_date >= ? AND issue_date < ?
			GROUP BY 1),
		pay AS (
			SELECT date_trunc('month', paid_on)::date AS month, sum(amount_cents - refunded_cents) AS received
			FROM payments WHERE paid_on >= ? AND paid_on < ? GROUP BY 1)
		SELECT m.month, coalesce(inv.invoiced_ht, 0) AS invoiced_ht, coalesce(inv.credited_ht, 0) AS credited_ht,
			coalesce(inv.invoiced_ht, 0) - coalesce(inv.credited_ht, 0) AS net_ht, coalesce(pay.received, 0) AS received
		FROM months AS m LEFT JOIN inv ON inv.month = m.month LEFT JOIN pay ON pay.month = m.month
		ORDER BY m.month`, first, last, first, last.AddDate(0, 1, 0), first, last.AddDate(0, 1, 0)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("billing: revenue report: %w", err)
	}
	return rows, nil
}

// ContractProfit is what a contract brought over a period against the time spent on it.
type ContractProfit struct {
	ContractID uuid.UUID `bun:"contract_id"`
	Reference  string    `bun:"reference"`
	Title      string    `bun:"title"`
	ClientName string    `bun:"client_name"`
	// FeeHT is the contract fee invoiced, ExtrasHT the rest of its invoices (time, materials,
	// quotes, penalties deducted), CreditedHT its credit notes; NetHT = FeeHT + ExtrasHT − CreditedHT.
	FeeHT      int64 `bun:"fee_ht"`
	ExtrasHT   int64 `bun:"extras_ht"`
	CreditedHT int64 `bun:"credited_ht"`
	NetHT      int64 `bun:"net_ht"`
	// Minutes is the time logged on the contract's interventions; CostCents its value at the
	// internal hourly cost; MarginCents = NetHT − CostCents.
	Minutes     int64 `bun:"minutes"`
	CostCents   int64 `bun:"cost_cents"`
	MarginCents int64 `bun:"margin_cents"`
}

// HasCost tells whether time was logged on the contract.
func (p *ContractProfit) HasCost() bool { return p.Minutes > 0 }

// MarginBP is the margin as basis points of the net revenue (0 when there is no revenue).
func (p *ContractProfit) MarginBP() int64 {
	if p.NetHT <= 0 {
		return 0
	}
	return p.MarginCents * 10000 / p.NetHT
}

// ProfitabilityByContract compares, for invoices issued and time logged on days [from, to], each
// contract's revenue with the time spent on it valued at hourlyCostCents, in one query (at most
// MaxReportRows contracts, least profitable first).
func ProfitabilityByContract(ctx context.Context, db bun.IDB, from, to time.Time, hourlyCostCents int64, loc *time.Location) ([]ContractProfit, error) {
	loc = zone(loc)
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	var rows []ContractProfit
	err := db.NewRaw(`WITH billed AS (
			SELECT inv.contract_id,
				coalesce(sum(l.line_ht_cents) FILTER (WHERE inv.kind = 'invoice' AND s.kind = 'contract_fee'), 0) AS fee_ht,
				coalesce(sum(l.line_ht_cents) FILTER (WHERE inv.kind = 'invoice' AND s.kind IS DISTINCT FROM 'contract_fee'), 0) AS extras_ht,
				coalesce(sum(l.line_ht_cents) FILTER (WHERE inv.kind = 'credit_note'), 0) AS credited_ht
			FROM invoices AS inv JOIN invoice_lines AS l ON l.invoice_id = inv.id
			LEFT JOIN invoice_sources AS s ON s.invoice_line_id = l.id
			WHERE inv.contract_id IS NOT NULL AND inv.status <> 'draft' AND inv.issue_date >= ? AND inv.issue_date <= ?
			GROUP BY inv.contract_id),
		spent AS (
			SELECT i.contract_id, sum(te.minutes) AS minutes
			FROM time_entries AS te JOIN interventions AS i ON i.id = te.intervention_id
			WHERE i.contract_id IS NOT NULL AND i.status <> 'cancelled' AND te.started_at >= ? AND te.started_at < ?
			GROUP BY i.contract_id),
		per AS (
			SELECT coalesce(b.contract_id, sp.contract_id) AS contract_id, coalesce(b.fee_ht, 0) AS fee_ht,
				coalesce(b.extras_ht, 0) AS extras_ht, coalesce(b.credited_ht, 0) AS credited_ht, coalesce(sp.minutes, 0) AS minutes
			FROM billed AS b FULL JOIN spent AS sp ON sp.contract_id = b.contract_id)
		SELECT per.contract_id, c.reference, coalesce(v.title, '') AS title, cl.name AS client_name,
			per.fee_ht, per.extras_ht, per.credited_ht, per.fee_ht + per.extras_ht - per.credited_ht AS net_ht, per.minutes,
			round(per.minutes * ?::numeric / 60)::bigint AS cost_cents,
			per.fee_ht + per.extras_ht - per.credited_ht - round(per.minutes * ?::numeric / 60)::bigint AS margin_cents
		FROM per JOIN contracts AS c ON c.id = per.contract_id JOIN clients AS cl ON cl.id = c.client_id
		LEFT JOIN contract_versions AS v ON v.contract_id = c.id AND v.no = c.current_version
		ORDER BY margin_cents, c.reference
		LIMIT ?`, from, to, start.UTC(), end.UTC(), hourlyCostCents, hourlyCostCents, MaxReportRows).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("billing: profitability report: %w", err)
	}
	return rows, nil
}

// Spent is the time logged on the contract.
func (p *ContractProfit) Spent() time.Duration { return time.Duration(p.Minutes) * time.Minute }
