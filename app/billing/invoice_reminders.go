package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OverdueStep is an unpaid invoice that reached a reminder step (days after its due date) not
// recalled yet.
type OverdueStep struct {
	Invoice *Invoice
	Step    int
}

// DueReminders returns, for every invoice still owing money on day today, the latest reminder step
// it reached and was not recalled at (steps are days after the due date, from the settings). Paid
// and cancelled invoices are never recalled: payment stops the reminders.
func DueReminders(ctx context.Context, db bun.IDB, steps []int, today time.Time, limit int) ([]OverdueStep, error) {
	if len(steps) == 0 {
		return nil, nil
	}
	var invs []*Invoice
	if err := selectInvoices(db, &invs).
		Where("inv.kind = ? AND inv.status IN (?, ?) AND inv.due_date < ?", KindInvoice, InvoiceIssued, InvoicePartiallyPaid, today).
		OrderExpr("inv.due_date, inv.id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: due reminders: %w", err)
	}
	if len(invs) == 0 {
		return nil, nil
	}
	ids := make([]any, 0, len(invs))
	for _, inv := range invs {
		ids = append(ids, inv.ID)
	}
	var sent []struct {
		InvoiceID string `bun:"invoice_id"`
		Step      int    `bun:"step_days"`
	}
	if err := db.NewRaw("SELECT invoice_id::text, step_days FROM invoice_reminders WHERE invoice_id IN (?)", bun.List(ids)).Scan(ctx, &sent); err != nil {
		return nil, fmt.Errorf("billing: due reminders: %w", err)
	}
	done := map[string]map[int]bool{}
	for _, s := range sent {
		if done[s.InvoiceID] == nil {
			done[s.InvoiceID] = map[int]bool{}
		}
		done[s.InvoiceID][s.Step] = true
	}
	var out []OverdueStep
	for _, inv := range invs {
		late := int(today.Sub(inv.DueDate).Hours() / 24)
		reached := -1
		for _, s := range steps {
			if late >= s && s > reached {
				reached = s
			}
		}
		if reached < 0 || done[inv.ID.String()][reached] {
			continue
		}
		out = append(out, OverdueStep{Invoice: inv, Step: reached})
	}
	return out, nil
}

// MarkReminded records that an invoice was recalled at a step, once: false when it was already
// (another run or instance got there first), and the caller then sends nothing.
func MarkReminded(ctx context.Context, db bun.IDB, o OverdueStep, now time.Time) (bool, error) {
	res, err := db.NewRaw(`INSERT INTO invoice_reminders (invoice_id, step_days, sent_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, o.Invoice.ID, o.Step, stamp(now)).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("billing: mark reminded: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Reminder is a reminder sent for an overdue invoice.
type Reminder struct {
	Step   int       `bun:"step_days"`
	SentAt time.Time `bun:"sent_at"`
}

// RemindersOf returns the reminders sent for an invoice, oldest first.
func RemindersOf(ctx context.Context, db bun.IDB, invoiceID uuid.UUID) ([]Reminder, error) {
	var rs []Reminder
	if err := db.NewRaw("SELECT step_days, sent_at FROM invoice_reminders WHERE invoice_id = ? ORDER BY sent_at, step_days", invoiceID).Scan(ctx, &rs); err != nil {
		return nil, fmt.Errorf("billing: reminders: %w", err)
	}
	return rs, nil
}
