package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"maintenant/app/database"
	"maintenant/app/scheduling"
)

// VisitGenerationInterval is how often the preventive visits are planned ahead.
const VisitGenerationInterval = time.Hour

// VisitGenerationArgs is the periodic job that plans the preventive visits of every contract's plan
// over the rolling horizon, and cancels those after a contract's end.
type VisitGenerationArgs struct{}

// Kind names the job for River.
func (VisitGenerationArgs) Kind() string { return "scheduling.generate" }

// VisitGenerationWorker runs scheduling.Generate: running it twice, or on two instances at once,
// plans nothing twice.
type VisitGenerationWorker struct {
	river.WorkerDefaults[VisitGenerationArgs]
	DB  *database.DB
	Now func() time.Time
	// Location is the provider's time zone, the zone of the plans' rules.
	Location *time.Location
	// HorizonDays is how far ahead visits are planned (0: scheduling.DefaultHorizonDays).
	HorizonDays int
	Logger      *slog.Logger
}

// Work runs the generation.
func (w *VisitGenerationWorker) Work(ctx context.Context, _ *river.Job[VisitGenerationArgs]) error {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	run, err := scheduling.Generate(ctx, w.DB, SystemActor, w.Now(), loc, w.HorizonDays)
	if w.Logger != nil {
		w.Logger.Info("visit generation", "contracts", run.Contracts, "created", run.Created, "shifted", run.Shifted,
			"cancelled", run.Cancelled, "err", err)
	}
	return err
}

// addVisitGeneration registers the worker and its hourly periodic job (leader only, and at start).
func addVisitGeneration(workers *river.Workers, rc *river.Config, cfg Config) {
	river.AddWorker(workers, &VisitGenerationWorker{DB: cfg.DB, Now: cfg.Now, Location: cfg.Location, Logger: cfg.Logger})
	rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(VisitGenerationInterval),
		func() (river.JobArgs, *river.InsertOpts) { return VisitGenerationArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}
