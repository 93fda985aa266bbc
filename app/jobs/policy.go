package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/policy"
	"maintenant/app/provider"
)

// PolicyEffectiveArgs is the daily job that tells the clients' users, on its effective date, that a
// new version of the maintenance policy is in force.
type PolicyEffectiveArgs struct{}

// Kind names the job for River.
func (PolicyEffectiveArgs) Kind() string { return "policy.effective" }

// PolicyEffectiveWorker mails every active client user once per version taking effect: the version
// is marked announced in the same transaction as the mails (a second run, or a second instance,
// finds it marked and sends nothing), and each mail has its own dedupe key.
type PolicyEffectiveWorker struct {
	river.WorkerDefaults[PolicyEffectiveArgs]
	DB       *database.DB
	Now      func() time.Time
	Location *time.Location
	Composer *mail.Composer
	Outbox   *mail.Outbox
	BaseURL  string
	Logger   *slog.Logger
}

// Timeout lets a run over many users take longer than River's default minute.
func (w *PolicyEffectiveWorker) Timeout(*river.Job[PolicyEffectiveArgs]) time.Duration {
	return 15 * time.Minute
}

// Work runs the job.
func (w *PolicyEffectiveWorker) Work(ctx context.Context, _ *river.Job[PolicyEffectiveArgs]) error {
	n, err := w.Run(ctx)
	if w.Logger != nil {
		w.Logger.Info("policy effective", "mails", n, "err", err)
	}
	return err
}

// Run announces the version in force today if it was not announced yet, and returns how many mails
// it wrote.
func (w *PolicyEffectiveWorker) Run(ctx context.Context) (int, error) {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	now := w.Now()
	today := policy.Day(now.In(loc))
	mails := 0
	err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		v, err := policy.DueNotification(ctx, tx, today)
		if apperr.KindOf(err) == apperr.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		marked, err := policy.MarkNotified(ctx, tx, v.No, now)
		if err != nil || !marked {
			return err
		}
		org, err := provider.Get(ctx, tx)
		if err != nil {
			return err
		}
		after := uuid.Nil
		for {
			var users []*accounts.User
			err := tx.NewSelect().Model(&users).Where("kind = ? AND active AND id > ?", accounts.Client, after).
				OrderExpr("id").Limit(500).Scan(ctx)
			if err != nil {
				return fmt.Errorf("jobs: policy effective: users: %w", err)
			}
			for _, u := range users {
				if err := w.mail(ctx, tx, v, u, org.Name, now); err != nil {
					return err
				}
				mails++
			}
			if len(users) < 500 {
				return nil
			}
			after = users[len(users)-1].ID
		}
	})
	return mails, err
}

func (w *PolicyEffectiveWorker) mail(ctx context.Context, tx *database.Tx, v *policy.Version, u *accounts.User, orgName string, now time.Time) error {
	lang, _ := i18n.Parse(u.Language)
	data := map[string]any{
		"Name": u.Name, "No": v.No, "Date": i18n.Date(lang, v.EffectiveOn.Time), "OrgName": orgName,
		"Changes": v.ChangeSummary, "Title": v.Title,
		"Link": strings.TrimRight(w.BaseURL, "/") + "/portal/policy",
	}
	msg, err := w.Composer.Compose("policy_effective", lang, u.Email, u.Name, data)
	if err != nil {
		return err
	}
	key := "policy-effective:" + strconv.Itoa(v.No) + ":" + u.ID.String()
	msg.DedupeKey = &key
	return w.Outbox.Enqueue(ctx, tx, msg, now)
}

// ReviewRemindersArgs is the daily job that reminds the managers of the periodic contract reviews
// due soon (30 and 7 days ahead, and on the day).
type ReviewRemindersArgs struct{}

// Kind names the job for River.
func (ReviewRemindersArgs) Kind() string { return "contracts.review_reminders" }

// ReviewLeadDays are the lead times of the review reminders, longest first.
var ReviewLeadDays = []int{30, 7, 0}

// ReviewRemindersWorker writes one reminder per contract, due date and lead time (a unique row
// written with the mails), so that runs and instances never remind twice.
type ReviewRemindersWorker struct {
	river.WorkerDefaults[ReviewRemindersArgs]
	DB       *database.DB
	Now      func() time.Time
	Location *time.Location
	Composer *mail.Composer
	Outbox   *mail.Outbox
	BaseURL  string
	Logger   *slog.Logger
}

// Work runs the job.
func (w *ReviewRemindersWorker) Work(ctx context.Context, _ *river.Job[ReviewRemindersArgs]) error {
	n, err := w.Run(ctx)
	if w.Logger != nil {
		w.Logger.Info("contract review reminders", "mails", n, "err", err)
	}
	return err
}

// Run reminds the managers of each review due within the longest lead time, at the shortest lead
// time reached (a review overdue is reminded once, at lead 0), and returns how many mails it wrote.
func (w *ReviewRemindersWorker) Run(ctx context.Context) (int, error) {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	now := w.Now()
	today := contracts.Day(now.In(loc))
	due, err := contracts.DueReviews(ctx, w.DB.Bun, today.AddDate(0, 0, ReviewLeadDays[0]), 500)
	if err != nil {
		return 0, err
	}
	managers, err := accounts.ActiveManagers(ctx, w.DB.Bun)
	if err != nil {
		return 0, err
	}
	org, err := provider.Get(ctx, w.DB.Bun)
	if err != nil {
		return 0, err
	}
	mails := 0
	var errs []error
	for _, d := range due {
		days := int(contracts.Day(d.DueOn).Sub(today).Hours() / 24)
		lead := -1
		for _, l := range ReviewLeadDays {
			if days <= l {
				lead = l // the shortest lead time reached
			}
		}
		if lead < 0 {
			continue
		}
		err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			ok, err := contracts.RecordReviewReminder(ctx, tx, d.ContractID, d.DueOn, lead, now)
			if err != nil || !ok {
				return err
			}
			for _, m := range managers {
				if err := w.mail(ctx, tx, d, days, lead, m, org.Name, now); err != nil {
					return err
				}
				mails++
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("jobs: review reminder %s: %w", d.Reference, err))
		}
	}
	return mails, errors.Join(errs...)
}

func (w *ReviewRemindersWorker) mail(ctx context.Context, tx *database.Tx, d contracts.DueReview, days, lead int, m *accounts.User, orgName string, now time.Time) error {
	lang, _ := i18n.Parse(m.Language)
	t := func(id string, args ...any) string { return w.Composer.Catalogue.T(lang, id, args...) }
	var when string
	switch {
	case days < 0:
		when = t("contract.relative.days_ago", "Count", -days)
	case days == 0:
		when = t("contract.relative.today")
	case days == 1:
		when = t("contract.relative.tomorrow")
	default:
		when = t("contract.relative.in_days", "Count", days)
	}
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	data := map[string]any{
		"Name": m.Name, "Reference": d.Reference, "Title": oneLine(d.Title), "Client": oneLine(d.ClientName),
		"Date": i18n.Date(lang, d.DueOn), "When": when, "OrgName": orgName,
		"Link": strings.TrimRight(w.BaseURL, "/") + "/admin/contracts/" + d.ContractID.String() + "#reviews-h",
	}
	msg, err := w.Composer.Compose("review_due", lang, m.Email, m.Name, data)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("review-due:%s:%s:%d:%s", d.ContractID, d.DueOn.Format(time.DateOnly), lead, m.ID)
	msg.DedupeKey = &key
	return w.Outbox.Enqueue(ctx, tx, msg, now)
}
