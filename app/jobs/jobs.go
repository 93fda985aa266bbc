// Package jobs builds the River client that runs background work in-process: mail delivery and the
// periodic clean-ups. Periodic jobs run on the elected leader only, so once per cluster.
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
}

// New builds the River client.
func New(cfg Config) (*river.Client[pgx.Tx], error) {
	rc := &river.Config{Logger: cfg.Logger}
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
