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

// QuoteExpiryArgs is the daily job that records as expired the sent quotes past their validity, and
// reminds the client's approvers of the quotes that expire within QuoteReminderDays.
type QuoteExpiryArgs struct{}

// Kind names the job for River.
func (QuoteExpiryArgs) Kind() string { return "quotes.expiry" }

// QuoteReminderDays is how many days before its validity ends a waiting quote is recalled to the
// client.
const QuoteReminderDays = 3

// QuoteExpiryWorker runs the daily quote job. The expiry is one transaction; each quote's
// reminders are another, with one mail per quote and recipient (a dedupe key), so running the job
// twice, or on two instances at once, sends nothing twice.
type QuoteExpiryWorker struct {
	river.WorkerDefaults[QuoteExpiryArgs]
	DB  *database.DB
	Now func() time.Time
	// Location is the provider's time zone: "today" is the provider's day.
	Location *time.Location
	Composer *mail.Composer
	Outbox   *mail.Outbox
	// BaseURL is the application's address, for the links in the mails.
	BaseURL string
	Logger  *slog.Logger
}

// QuoteExpiryRun counts what one run did.
type QuoteExpiryRun struct {
	Expired  int
	Reminded int
	Mails    int
}

// Work runs the job.
func (w *QuoteExpiryWorker) Work(ctx context.Context, _ *river.Job[QuoteExpiryArgs]) error {
	run, err := w.Run(ctx)
	if w.Logger != nil {
		w.Logger.Info("quote expiry", "expired", run.Expired, "reminded", run.Reminded, "mails", run.Mails, "err", err)
	}
	return err
}

// Run expires what is past its validity, then reminds what expires soon.
func (w *QuoteExpiryWorker) Run(ctx context.Context) (QuoteExpiryRun, error) {
	var run QuoteExpiryRun
	now := w.Now()
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		expired, err := billing.ExpireDue(ctx, tx, SystemActor, now, loc)
		run.Expired = len(expired)
		return err
	})
	if err != nil {
		return run, fmt.Errorf("jobs: quote expiry: %w", err)
	}
	org, err := provider.Get(ctx, w.DB.Bun)
	if err != nil {
		return run, fmt.Errorf("jobs: quote reminders: %w", err)
	}
	last := today.AddDate(0, 0, QuoteReminderDays)
	var errs []error
	for cursor := ""; ; {
		page, err := billing.List(ctx, w.DB.Bun, billing.Filter{Status: billing.StatusSent, Today: today, Sort: billing.SortValidity, Cursor: cursor, Limit: reminderBatch})
		if err != nil {
			return run, errors.Join(append(errs, err)...)
		}
		for _, q := range page.Quotes {
			if q.ValidUntil.After(last) {
				return run, errors.Join(errs...)
			}
			n, err := w.remind(ctx, q, today, org.Name, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("jobs: quote reminders: %s: %w", q.Reference(), err))
				continue
			}
			run.Reminded++
			run.Mails += n
		}
		if cursor = page.Next; cursor == "" {
			return run, errors.Join(errs...)
		}
	}
}

// remind mails a waiting quote's reminder to each active user of its client who may decide it, in
// their language, in one transaction; it returns the number of mails written (0 when sent before).
func (w *QuoteExpiryWorker) remind(ctx context.Context, q *billing.Quote, today time.Time, orgName string, now time.Time) (int, error) {
	users, err := accounts.ListClientUsers(ctx, w.DB.Bun, q.ClientID)
	if err != nil {
		return 0, err
	}
	n := 0
	err = w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		for i := range users {
			u := &users[i]
			if !u.Active || !u.MayApproveAndPay() {
				continue
			}
			lang, _ := i18n.Parse(u.Language)
			t := func(id string, args ...any) string { return w.Composer.Catalogue.T(lang, id, args...) }
			when := t("contract.relative.in_days", "Count", int(q.ValidUntil.Sub(today).Hours()/24))
			switch q.ValidUntil.Sub(today) {
			case 0:
				when = t("contract.relative.today")
			case 24 * time.Hour:
				when = t("contract.relative.tomorrow")
			}
			data := map[string]any{
				"Name": u.Name, "Reference": q.Reference(), "Title": strings.Join(strings.Fields(q.Title), " "),
				"TotalTTC": q.TotalTTCCents, "ValidUntil": i18n.Date(lang, q.ValidUntil), "When": when,
				"Link": strings.TrimRight(w.BaseURL, "/") + "/portal/quotes/" + q.ID.String(), "BaseURL": w.BaseURL, "OrgName": orgName,
			}
			msg, err := w.Composer.Compose("quote_reminder", lang, u.Email, u.Name, data)
			if err != nil {
				return err
			}
			key := "quote-reminder:" + q.ID.String() + ":" + u.ID.String()
			msg.DedupeKey = &key
			sent, err := tx.NewSelect().Table("outbox_messages").Where("dedupe_key = ?", key).Count(ctx)
			if err != nil {
				return err
			}
			if sent > 0 {
				continue
			}
			if err := w.Outbox.Enqueue(ctx, tx, msg, now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
