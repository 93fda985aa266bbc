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
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/provider"
)

// EquipmentExpiriesArgs is the daily job that reminds the managers of the clients' warranty ends
// and licence expiries, at the lead times of the contract reminders.
type EquipmentExpiriesArgs struct{}

// Kind names the job for River.
func (EquipmentExpiriesArgs) Kind() string { return "equipment.expiries" }

// EquipmentExpiriesWorker runs the daily expiry job. Each item's reminders are recorded with their
// mails in one transaction; reminders are unique per item, kind, date and lead time, so running the
// job twice, or on two instances at once, sends nothing twice.
type EquipmentExpiriesWorker struct {
	river.WorkerDefaults[EquipmentExpiriesArgs]
	DB       *database.DB
	Now      func() time.Time
	Location *time.Location
	Composer *mail.Composer
	Outbox   *mail.Outbox
	BaseURL  string
	Logger   *slog.Logger
}

// ExpiriesRun counts what one run did.
type ExpiriesRun struct {
	Expiries  int
	Reminders int
	Mails     int
}

// Timeout lets a run over many items take longer than River's default minute.
func (w *EquipmentExpiriesWorker) Timeout(*river.Job[EquipmentExpiriesArgs]) time.Duration {
	return 15 * time.Minute
}

// Work runs the job.
func (w *EquipmentExpiriesWorker) Work(ctx context.Context, _ *river.Job[EquipmentExpiriesArgs]) error {
	run, err := w.Run(ctx)
	if w.Logger != nil {
		w.Logger.Info("equipment expiries", "expiries", run.Expiries, "reminders", run.Reminders, "mails", run.Mails, "err", err)
	}
	return err
}

// Run walks the expiries from today to the longest lead time, page by page; an item that fails does
// not stop the others.
func (w *EquipmentExpiriesWorker) Run(ctx context.Context) (ExpiriesRun, error) {
	var run ExpiriesRun
	now := w.Now()
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	today := equipment.Day(now.In(loc))
	org, err := provider.Get(ctx, w.DB.Bun)
	if err != nil {
		return run, fmt.Errorf("jobs: equipment expiries: %w", err)
	}
	leads := contracts.LeadDays(org.ReminderLeadDays)
	horizon := today.AddDate(0, 0, leads[0])
	managers, err := accounts.ActiveManagers(ctx, w.DB.Bun)
	if err != nil {
		return run, err
	}
	var errs []error
	f := equipment.ExpiryFilter{From: today, Limit: 200}
	for {
		page, more, err := equipment.Expiries(ctx, w.DB.Bun, f)
		if err != nil {
			return run, errors.Join(append(errs, err)...)
		}
		for _, x := range page {
			if x.On.After(horizon) {
				return run, errors.Join(errs...)
			}
			run.Expiries++
			if err := w.expiry(ctx, x, today, now, leads, managers, org.Name, &run); err != nil {
				errs = append(errs, fmt.Errorf("jobs: equipment expiries: %s: %w", x.Name, err))
			}
		}
		if !more {
			break
		}
		f.After = equipment.ExpiryCursor(page[len(page)-1])
	}
	return run, errors.Join(errs...)
}

func (w *EquipmentExpiriesWorker) expiry(ctx context.Context, x equipment.Expiry, today, now time.Time, leads []int,
	managers []*accounts.User, orgName string, run *ExpiriesRun) error {
	due := equipment.DueReminders(x.Kind, x.On, today, leads)
	if len(due) == 0 {
		return nil
	}
	return w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		announce, err := equipment.RecordReminders(ctx, tx, x.ID, due, now)
		if err != nil {
			return err
		}
		for _, r := range announce {
			run.Reminders++
			for _, m := range managers {
				if err := w.mail(ctx, tx, x, r, today, m, orgName, now); err != nil {
					return err
				}
				run.Mails++
			}
		}
		return nil
	})
}

// mail puts one reminder's mail to one manager in the outbox, in the manager's language.
func (w *EquipmentExpiriesWorker) mail(ctx context.Context, tx *database.Tx, x equipment.Expiry, r equipment.Reminder,
	today time.Time, m *accounts.User, orgName string, now time.Time) error {
	lang, _ := i18n.Parse(m.Language)
	t := func(id string, args ...any) string { return w.Composer.Catalogue.T(lang, id, args...) }
	var when string
	switch days := int(r.DueOn.Sub(today).Hours() / 24); days {
	case 0:
		when = t("contract.relative.today")
	case 1:
		when = t("contract.relative.tomorrow")
	default:
		when = t("contract.relative.in_days", "Count", days)
	}
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	data := map[string]any{
		"Name": m.Name, "Item": oneLine(x.Title()), "Client": oneLine(x.ClientName), "KindText": t(r.Kind.Label()),
		"Date": i18n.Date(lang, r.DueOn), "When": when, "OrgName": orgName, "BaseURL": w.BaseURL,
		"Link": strings.TrimRight(w.BaseURL, "/") + "/admin/equipment/" + x.ID.String(),
	}
	msg, err := w.Composer.Compose("equipment_expiry", lang, m.Email, m.Name, data)
	if err != nil {
		return err
	}
	key := "equipment-reminder:" + r.ID.String() + ":" + m.ID.String()
	msg.DedupeKey = &key
	return w.Outbox.Enqueue(ctx, tx, msg, now)
}
