package inbound

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// PollArgs is the periodic job that reads the support mailbox (on the leader only: once per cluster).
type PollArgs struct{}

// Kind names the job for River.
func (PollArgs) Kind() string { return "inbound.poll" }

// InsertOpts runs each poll once: the next period is the retry. Overlapping polls are kept apart
// by the lease in inbound_state, not by River.
func (PollArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 1} }

// PollWorker runs a poll. An error is recorded in the mailbox state by the poll itself; the next
// period tries again.
type PollWorker struct {
	river.WorkerDefaults[PollArgs]
	Poller *Poller
}

// Timeout leaves a slow mailbox time to be read.
func (w *PollWorker) Timeout(*river.Job[PollArgs]) time.Duration { return 5 * time.Minute }

// Work polls the mailbox once.
func (w *PollWorker) Work(ctx context.Context, _ *river.Job[PollArgs]) error {
	_, err := w.Poller.Poll(ctx)
	return err
}
