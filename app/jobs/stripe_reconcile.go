package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/checkout/session"

	"maintenant/app/billing"
	"maintenant/app/database"
)

// StripeReconcileArgs is the daily job that compares Stripe's recent Checkout Sessions with the
// payments recorded (billing.ReconcileSession).
type StripeReconcileArgs struct{}

// Kind names the job for River.
func (StripeReconcileArgs) Kind() string { return "billing.stripe_reconcile" }

// StripeReconcileWorker runs the reconciliation: it lists, through Stripe's API, the sessions
// created in the window (billing.ReconciliationWindow), then reconciles each in its own
// transaction; what it finds is recorded for staff, a missed paid session is booked.
type StripeReconcileWorker struct {
	river.WorkerDefaults[StripeReconcileArgs]
	DB       *database.DB
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
	// SecretKey and APIURL reach Stripe's API (APIURL: stripe-mock in tests, "" for Stripe's).
	SecretKey string
	APIURL    string
}

// Work runs the job.
func (w *StripeReconcileWorker) Work(ctx context.Context, _ *river.Job[StripeReconcileArgs]) error {
	r, err := w.Run(ctx)
	if w.Logger != nil && r != nil {
		w.Logger.Info("stripe reconciliation", "sessions", r.SessionsSeen, "booked", r.Booked, "findings", r.Findings, "err", err)
	}
	return err
}

func (w *StripeReconcileWorker) client() *session.Client {
	cfg := &stripe.BackendConfig{LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}, MaxNetworkRetries: stripe.Int64(2)}
	if w.APIURL != "" {
		cfg.URL = stripe.String(w.APIURL)
	}
	return &session.Client{B: stripe.GetBackendWithConfig(stripe.APIBackend, cfg), Key: w.SecretKey}
}

// Run reconciles once and returns the run as recorded.
func (w *StripeReconcileWorker) Run(ctx context.Context) (*billing.ReconciliationRun, error) {
	run, err := billing.StartReconciliation(ctx, w.DB.Bun, w.Now())
	if err != nil {
		return nil, err
	}
	runErr := w.reconcile(ctx, run)
	if err := billing.FinishReconciliation(ctx, w.DB.Bun, run, runErr, w.Now()); err != nil {
		return run, err
	}
	return run, runErr
}

func (w *StripeReconcileWorker) reconcile(ctx context.Context, run *billing.ReconciliationRun) error {
	params := &stripe.CheckoutSessionListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: run.WindowFrom.Unix()}}
	params.Limit = stripe.Int64(100)
	params.Context = ctx
	it := w.client().List(params)
	var seen []string
	complete := true
	for it.Next() {
		if len(seen) >= billing.MaxReconciledSessions {
			complete = false
			break
		}
		s := it.CheckoutSession()
		seen = append(seen, s.ID)
		err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			_, err := billing.ReconcileSession(ctx, tx, run, s, w.Now(), w.Location)
			return err
		})
		if err != nil {
			return fmt.Errorf("jobs: reconcile session %s: %w", s.ID, err)
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("jobs: list stripe sessions: %w", err)
	}
	if !complete {
		return nil
	}
	return w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.ReconcileMissing(ctx, tx, run, seen, w.Now())
		return err
	})
}
