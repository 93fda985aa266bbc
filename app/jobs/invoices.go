package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"maintenant/app/billing"
	"maintenant/app/database"
)

// ContractFeesArgs is the daily job that drafts, at the start of each billing period, the invoice
// of every running contract's fee for that period.
type ContractFeesArgs struct{}

// Kind names the job for River.
func (ContractFeesArgs) Kind() string { return "invoices.contract_fees" }

// ContractFeesWorker runs the contract-fee job: one transaction per contract, each billing the
// period once whatever the runs and instances (billing.DraftContractFee and its unique source key).
// The drafts wait for the manager, who reads and issues them (issuing mails the client).
type ContractFeesWorker struct {
	river.WorkerDefaults[ContractFeesArgs]
	DB       *database.DB
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
}

// Work runs the job.
func (w *ContractFeesWorker) Work(ctx context.Context, _ *river.Job[ContractFeesArgs]) error {
	n, err := w.Run(ctx)
	if w.Logger != nil {
		w.Logger.Info("contract fees", "drafted", n, "err", err)
	}
	return err
}

// Run drafts the fee invoices of the periods due today and not billed yet; it returns how many.
func (w *ContractFeesWorker) Run(ctx context.Context) (int, error) {
	now := w.Now()
	due, err := billing.DueFeePeriods(ctx, w.DB.Bun, now, w.Location)
	if err != nil {
		return 0, fmt.Errorf("jobs: contract fees: %w", err)
	}
	n := 0
	var errs []error
	for contractID, from := range due {
		err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			_, created, err := billing.DraftContractFee(ctx, tx, contractID, from, SystemActor, now, w.Location)
			if created {
				n++
			}
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("jobs: contract fee %s: %w", contractID, err))
		}
	}
	return n, errors.Join(errs...)
}
