// Package jobs builds the River client that runs background work in-process: mail delivery, the
// periodic clean-ups, the daily contract deadlines (reminders and expiry) and the ticket
// escalations (every five minutes). Periodic jobs run on the elected leader only, so once per
// cluster.
package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"maintenant/app/accounts"
	"maintenant/app/database"
	"maintenant/app/inbound"
	"maintenant/app/mail"
)

// Config is what the workers need.
type Config struct {
	DB     *database.DB
	Sender mail.Sender // nil: mail stays in the outbox
	Now    func() time.Time
	Logger *slog.Logger
	// Work false builds an insert-only client (CLI commands).
	Work bool
	// Location is the provider's time zone, for the daily contract deadlines job.
	Location *time.Location
	// Composer and Outbox write the deadline reminders' and escalations' mails; without a Composer
	// the daily contract deadlines job and the ticket escalation job are not registered. BaseURL is the application's address for their links.
	Composer *mail.Composer
	Outbox   *mail.Outbox
	BaseURL  string
	// StripeSecretKey and StripeAPIURL reach Stripe's API for the daily reconciliation; without a
	// key (the built-in test checkout) the job is not registered.
	StripeSecretKey string
	StripeAPIURL    string
	// Inbound reads the support mailbox every InboundInterval (once per cluster: periodic jobs run
	// on the leader only); nil registers no poll.
	Inbound         *inbound.Poller
	InboundInterval time.Duration
	// RescueAfter (JOBS_RESCUE_AFTER) is how long a job may stay running before the leader retries
	// it elsewhere (its instance was killed); 0 keeps River's hour. Below two minutes, half of it is
	// also the job timeout (River's is one minute): a job of a live instance times out before.
	RescueAfter time.Duration
}

// New builds the River client.
func New(cfg Config) (*river.Client[pgx.Tx], error) {
	rc := &river.Config{Logger: cfg.Logger}
	if cfg.RescueAfter > 0 {
		rc.RescueStuckJobsAfter = cfg.RescueAfter
		if cfg.RescueAfter < 2*river.JobTimeoutDefault {
			// A job still running in a live instance must time out well before it may be rescued.
			rc.JobTimeout = cfg.RescueAfter / 2
		}
	}
	if cfg.Work {
		workers := river.NewWorkers()
		if cfg.Sender != nil {
			river.AddWorker(workers, &mail.DeliverWorker{DB: cfg.DB.Bun, Sender: cfg.Sender, Now: cfg.Now})
		}
		river.AddWorker(workers, &CleanupWorker{DB: cfg.DB, Now: cfg.Now})
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 5}}
		rc.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		}
		addVisitGeneration(workers, rc, cfg)
		if cfg.StripeSecretKey != "" {
			river.AddWorker(workers, &StripeReconcileWorker{DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Logger: cfg.Logger,
				SecretKey: cfg.StripeSecretKey, APIURL: cfg.StripeAPIURL})
			// Daily at 04:40 in the provider's zone, and at start: Stripe's sessions of the last three
			// days compared with the payments recorded (on the leader only: once per cluster).
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 4, minute: 40, loc: cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) { return StripeReconcileArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
		}
		if cfg.Inbound != nil && cfg.InboundInterval > 0 {
			river.AddWorker(workers, &inbound.PollWorker{Poller: cfg.Inbound})
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(cfg.InboundInterval),
				func() (river.JobArgs, *river.InsertOpts) { return inbound.PollArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
		}
		river.AddWorker(workers, &ContractFeesWorker{DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Logger: cfg.Logger})
		// Daily at 05:30 in the provider's zone, and at start: each running contract's fee of the
		// period begun is drafted once, for the manager to issue.
		rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 5, minute: 30, loc: cfg.Location},
			func() (river.JobArgs, *river.InsertOpts) { return ContractFeesArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}))
		if cfg.Composer != nil {
			outbox := cfg.Outbox
			if outbox == nil {
				outbox = &mail.Outbox{}
			}
			river.AddWorker(workers, &ContractDeadlinesWorker{
				DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Composer: cfg.Composer, Outbox: outbox,
				BaseURL: cfg.BaseURL, Logger: cfg.Logger,
			})
			// Daily at 06:00 in the provider's zone, and at start (a restart after 06:00 does not
			// skip a day; running twice sends nothing twice).
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 6, loc: cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) { return ContractDeadlinesArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
			river.AddWorker(workers, &TicketEscalationWorker{
				DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Composer: cfg.Composer, Outbox: outbox,
				BaseURL: cfg.BaseURL, Logger: cfg.Logger,
			})
			// Every EscalationInterval, on the leader only (periodic jobs); a run that overlaps
			// another escalates and mails nothing twice.
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(EscalationInterval),
				func() (river.JobArgs, *river.InsertOpts) { return TicketEscalationArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
			river.AddWorker(workers, &QuoteExpiryWorker{
				DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Composer: cfg.Composer, Outbox: outbox,
				BaseURL: cfg.BaseURL, Logger: cfg.Logger,
			})
			// Daily at 06:05 in the provider's zone, and at start: quotes past their validity expire,
			// those about to expire are recalled to the client once.
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 6, minute: 5, loc: cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) { return QuoteExpiryArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
			river.AddWorker(workers, &InvoiceRemindersWorker{
				DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Composer: cfg.Composer, Outbox: outbox,
				BaseURL: cfg.BaseURL, Logger: cfg.Logger,
			})
			// Daily at 06:15 in the provider's zone, and at start: unpaid invoices recalled at the
			// steps of the settings, once per step; payment stops them.
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 6, minute: 15, loc: cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) { return InvoiceRemindersArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
			river.AddWorker(workers, &EquipmentExpiriesWorker{
				DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Composer: cfg.Composer, Outbox: outbox,
				BaseURL: cfg.BaseURL, Logger: cfg.Logger,
			})
			// Daily at 06:10 in the provider's zone, and at start: warranty ends and licence expiries
			// reminded to the managers at the contract reminders' lead times.
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 6, minute: 10, loc: cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) { return EquipmentExpiriesArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
			river.AddWorker(workers, &PolicyEffectiveWorker{
				DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Composer: cfg.Composer, Outbox: outbox,
				BaseURL: cfg.BaseURL, Logger: cfg.Logger,
			})
			// Daily at 00:05 in the provider's zone (the first minutes of an effective date), and at
			// start: the policy version taking effect is announced to the clients' users once.
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 0, minute: 5, loc: cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) { return PolicyEffectiveArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
			river.AddWorker(workers, &ReviewRemindersWorker{
				DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Composer: cfg.Composer, Outbox: outbox,
				BaseURL: cfg.BaseURL, Logger: cfg.Logger,
			})
			// Daily at 06:20 in the provider's zone, and at start: periodic contract reviews due in 30
			// and 7 days and today reminded to the managers, once each.
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(dailyAt{hour: 6, minute: 20, loc: cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) { return ReviewRemindersArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
		}
	}
	return river.NewClient(riverpgxv5.New(cfg.DB.Pool), rc)
}

// CleanupArgs is the hourly job that forgets expired sessions and old login attempts.
type CleanupArgs struct{}

// Kind names the job for River.
func (CleanupArgs) Kind() string { return "accounts.cleanup" }

// CleanupWorker purges expired sessions and rate-limit attempts.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	DB  *database.DB
	Now func() time.Time
}

// Work runs the clean-up.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	now := w.Now()
	if _, err := accounts.PurgeSessions(ctx, w.DB.Bun, now); err != nil {
		return err
	}
	return accounts.PurgeAttempts(ctx, w.DB.Bun, now)
}
