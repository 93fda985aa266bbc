package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"maintenant/app/accounts"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/provider"
)

// InvoiceRemindersArgs is the daily job that recalls unpaid invoices past their due date at the
// steps of the settings (days after the due date, 3, 15, 30 by default).
type InvoiceRemindersArgs struct{}

// Kind names the job for River.
func (InvoiceRemindersArgs) Kind() string { return "invoices.reminders" }

// InvoiceRemindersWorker runs the reminder job: per invoice and step, one transaction records the
// step (unique) and writes the mails, so nothing is sent twice; a paid invoice is never recalled.
type InvoiceRemindersWorker struct {
	river.WorkerDefaults[InvoiceRemindersArgs]
	DB       *database.DB
	Now      func() time.Time
	Location *time.Location
	Composer *mail.Composer
	Outbox   *mail.Outbox
	BaseURL  string
	Logger   *slog.Logger
}

// Work runs the job.
func (w *InvoiceRemindersWorker) Work(ctx context.Context, _ *river.Job[InvoiceRemindersArgs]) error {
	n, err := w.Run(ctx)
	if w.Logger != nil {
		w.Logger.Info("invoice reminders", "mails", n, "err", err)
	}
	return err
}

// Run recalls the invoices that reached a step; it returns the number of mails written.
func (w *InvoiceRemindersWorker) Run(ctx context.Context) (int, error) {
	now := w.Now()
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	org, err := provider.Get(ctx, w.DB.Bun)
	if err != nil {
		return 0, fmt.Errorf("jobs: invoice reminders: %w", err)
	}
	due, err := billing.DueReminders(ctx, w.DB.Bun, org.InvoiceReminderDays, today, 1000)
	if err != nil {
		return 0, err
	}
	mails := 0
	var errs []error
	for _, o := range due {
		err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			first, err := billing.MarkReminded(ctx, tx, o, now)
			if err != nil || !first {
				return err
			}
			users, err := accounts.ListClientUsers(ctx, tx, o.Invoice.ClientID)
			if err != nil {
				return err
			}
			for i := range users {
				u := &users[i]
				if !u.Active || !u.MayApproveAndPay() {
					continue
				}
				lang, _ := i18n.Parse(u.Language)
				inv := o.Invoice
				data := map[string]any{
					"Name": u.Name, "Reference": inv.Reference(), "Title": strings.Join(strings.Fields(inv.Title), " "),
					"Due": inv.DueCents(), "DueDate": i18n.Date(lang, inv.DueDate), "Days": o.Step, "OrgName": org.Name,
					"Link": strings.TrimRight(w.BaseURL, "/") + "/portal/invoices/" + inv.ID.String(),
				}
				msg, err := w.Composer.Compose("invoice_reminder", lang, u.Email, u.Name, data)
				if err != nil {
					return err
				}
				key := fmt.Sprintf("invoice-reminder:%s:%d:%s", inv.ID, o.Step, u.ID)
				msg.DedupeKey = &key
				if err := w.Outbox.Enqueue(ctx, tx, msg, now); err != nil {
					return err
				}
				mails++
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("jobs: invoice reminder %s: %w", o.Invoice.Reference(), err))
		}
	}
	return mails, errors.Join(errs...)
}
