-- Indexes for the pages of the load test (BENCHMARKS.md) at large scale: each replaces a scan of
-- many rows of a big table on a page path by a read of the few rows the page shows.

-- The portal's open tickets of a client, newest first (home and ticket list): without it, every
-- ticket of the client is read and the closed ones (nearly all) thrown away.
CREATE INDEX tickets_client_open_idx ON tickets (client_id, opened_at DESC, id DESC)
    WHERE status NOT IN ('resolved', 'closed');

-- The staff queue filtered by status, sorted by the nearest deadline (tickets_queue_idx sorts on
-- the resolution deadline, not on the deadline of the clock running now).
CREATE INDEX tickets_status_due_idx ON tickets (status, (coalesce(next_due_at, 'infinity'::timestamptz)), id);

-- The register of a period over every client: the staff register's month and its totals.
CREATE INDEX register_entries_occurred_idx ON register_entries (occurred_on);

-- What a client owes (portal home and invoices): its unpaid invoices only, not its whole history.
CREATE INDEX invoices_client_unpaid_idx ON invoices (client_id, due_date)
    WHERE kind = 'invoice' AND status IN ('issued', 'partially_paid');

-- The schedule's late visits (planned or to do, in the past), oldest first.
CREATE INDEX interventions_late_idx ON interventions (scheduled_at, number)
    WHERE status IN ('scheduled', 'todo') AND scheduled_at IS NOT NULL;
