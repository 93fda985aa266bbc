package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/provider"
)

// ContractDeadlinesArgs is the daily job that watches contract deadlines: it marks expired the
// running contracts whose end date has passed, and records and mails the deadline reminders that
// have come due.
type ContractDeadlinesArgs struct{}

// Kind names the job for River.
func (ContractDeadlinesArgs) Kind() string { return "contracts.deadlines" }

// SystemActor is who the audit log says acted when the daily job changes a contract.
var SystemActor = audit.Actor{Label: "system"}

// reminderBatch is the number of running contracts read at a time.
const reminderBatch = 200

// ContractDeadlinesWorker runs the daily deadline job. Each contract is handled in its own
// transaction: its expiry with the audit entry, or its new reminders with their mails. Reminders
// are unique per contract, deadline and lead time, so running the job twice, or on two instances at
// once, sends nothing twice.
type ContractDeadlinesWorker struct {
	river.WorkerDefaults[ContractDeadlinesArgs]
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

// DeadlinesRun counts what one run did.
type DeadlinesRun struct {
	// Contracts is the number of running contracts looked at.
	Contracts int
	// Expired is the number of contracts marked expired.
	Expired int
	// Reminders is the number of reminders announced (recorded reminders skipped in favour of a
	// shorter lead time are not counted), Mails the number of mails put in the outbox.
	Reminders int
	Mails     int
}

// Timeout lets a run over many contracts take longer than River's default minute.
func (w *ContractDeadlinesWorker) Timeout(*river.Job[ContractDeadlinesArgs]) time.Duration {
	return 15 * time.Minute
}

// Work runs the job.
func (w *ContractDeadlinesWorker) Work(ctx context.Context, _ *river.Job[ContractDeadlinesArgs]) error {
	run, err := w.Run(ctx)
	if w.Logger != nil {
		w.Logger.Info("contract deadlines", "contracts", run.Contracts, "expired", run.Expired,
			"reminders", run.Reminders, "mails", run.Mails, "err", err)
	}
	return err
}

// Run looks at every running contract once. A contract that fails does not stop the others; the
// errors are returned together (River then retries the job, which redoes only what is missing).
func (w *ContractDeadlinesWorker) Run(ctx context.Context) (DeadlinesRun, error) {
	var run DeadlinesRun
	now := w.Now()
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	today := contracts.Day(now.In(loc))
	org, err := provider.Get(ctx, w.DB.Bun)
	if err != nil {
		return run, fmt.Errorf("jobs: contract deadlines: %w", err)
	}
	leads := contracts.LeadDays(org.ReminderLeadDays)
	managers, err := accounts.ActiveManagers(ctx, w.DB.Bun)
	if err != nil {
		return run, err
	}
	var errs []error
	after := uuid.Nil
	for {
		batch, err := contracts.Running(ctx, w.DB.Bun, after, reminderBatch)
		if err != nil {
			return run, errors.Join(append(errs, err)...)
		}
		for _, c := range batch {
			run.Contracts++
			if err := w.contract(ctx, c, today, now, leads, managers, org.Name, &run); err != nil {
				errs = append(errs, fmt.Errorf("jobs: contract deadlines: %s: %w", c.Reference, err))
			}
		}
		if len(batch) < reminderBatch {
			break
		}
		after = batch[len(batch)-1].ID
	}
	return run, errors.Join(errs...)
}

// contract expires one contract whose end has passed, or records and mails its reminders that are
// due, in one transaction.
func (w *ContractDeadlinesWorker) contract(ctx context.Context, c *contracts.Contract, today, now time.Time,
	leads []int, managers []*accounts.User, orgName string, run *DeadlinesRun) error {
	s := c.Schedule(today)
	if s.Ended() {
		expired := false
		err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			after, from, ok, err := contracts.Expire(ctx, tx, c.ID, today, now)
			if err != nil || !ok {
				return err
			}
			expired = true
			return audit.Write(ctx, tx, now, SystemActor, audit.Event{
				Action: audit.ContractStatusChanged, TargetType: "contract", TargetID: c.ID.String(), ClientID: after.ClientID,
				Details: map[string]any{"reference": after.Reference, "from": string(from), "to": string(contracts.StatusExpired),
					"reason": contracts.ExpiryReason, "ends_on": s.EndDate.Format(time.DateOnly)},
			})
		})
		if err == nil && expired {
			run.Expired++
		}
		return err
	}
	due := contracts.DueReminders(s, leads)
	if len(due) == 0 {
		return nil
	}
	var reminders, mails int
	err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		announce, err := contracts.RecordReminders(ctx, tx, c.ID, due, now)
		if err != nil {
			return err
		}
		for _, r := range announce {
			for i := range managers {
				if err := w.mail(ctx, tx, c, r, today, managers[i], orgName, now); err != nil {
					return err
				}
				mails++
			}
		}
		reminders = len(announce)
		return nil
	})
	if err == nil {
		run.Reminders += reminders
		run.Mails += mails
	}
	return err
}

// mail puts one reminder's mail to one manager in the outbox, in the manager's language.
func (w *ContractDeadlinesWorker) mail(ctx context.Context, tx *database.Tx, c *contracts.Contract, r contracts.Reminder,
	today time.Time, m *accounts.User, orgName string, now time.Time) error {
	lang, _ := i18n.Parse(m.Language)
	t := func(id string, args ...any) string { return w.Composer.Catalogue.T(lang, id, args...) }
	days := int(r.DueOn.Sub(today).Hours() / 24)
	var when string
	switch days {
	case 0:
		when = t("contract.relative.today")
	case 1:
		when = t("contract.relative.tomorrow")
	default:
		when = t("contract.relative.in_days", "Count", days)
	}
	title := ""
	if c.Terms != nil {
		title = c.Terms.Title
	}
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	data := map[string]any{
		"Name": m.Name, "Reference": c.Reference, "Title": oneLine(title), "Client": oneLine(c.ClientName),
		"Kind": r.Kind, "KindText": t(r.Deadline().Label()), "Date": i18n.Date(lang, r.DueOn), "When": when,
		"Link": strings.TrimRight(w.BaseURL, "/") + "/admin/contracts/" + c.ID.String(), "BaseURL": w.BaseURL,
		"OrgName": orgName,
	}
	msg, err := w.Composer.Compose("contract_deadline", lang, m.Email, m.Name, data)
	if err != nil {
		return err
	}
	key := "contract-reminder:" + r.ID.String() + ":" + m.ID.String()
	msg.DedupeKey = &key
	return w.Outbox.Enqueue(ctx, tx, msg, now)
}

// dailyAt is a River schedule that fires once a day at a wall-clock time of a time zone.
type dailyAt struct {
	hour, minute int
	loc          *time.Location
}

// Next returns the next time of day after current.
func (d dailyAt) Next(current time.Time) time.Time {
	loc := d.loc
	if loc == nil {
		loc = time.UTC
	}
	c := current.In(loc)
	next := time.Date(c.Year(), c.Month(), c.Day(), d.hour, d.minute, 0, 0, loc)
	if !next.After(current) {
		next = time.Date(c.Year(), c.Month(), c.Day()+1, d.hour, d.minute, 0, 0, loc)
	}
	return next
}
