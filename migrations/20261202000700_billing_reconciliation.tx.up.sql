-- Refunds Stripe reported before the payment they refund was booked (events out of order), the
-- daily reconciliation of Stripe's Checkout Sessions with the payments recorded, and what it found
-- for staff to look at.

-- A charge.refunded whose payment is not booked yet: kept (the highest cumulative amount reported)
-- and applied when the payment is booked, once.
CREATE TABLE stripe_pending_refunds (
    payment_intent         text PRIMARY KEY CHECK (length(payment_intent) BETWEEN 1 AND 255),
    amount_refunded_cents  bigint NOT NULL CHECK (amount_refunded_cents >= 0),
    event_id               text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
    received_at            timestamptz NOT NULL,
    applied_at             timestamptz
);

-- One run of the reconciliation job.
CREATE TABLE stripe_reconciliation_runs (
    id             uuid PRIMARY KEY,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    window_from    timestamptz NOT NULL,
    sessions_seen  integer NOT NULL DEFAULT 0 CHECK (sessions_seen >= 0),
    booked         integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
    findings       integer NOT NULL DEFAULT 0 CHECK (findings >= 0),
    error          text NOT NULL DEFAULT '' CHECK (length(error) <= 2000)
);
CREATE INDEX stripe_reconciliation_runs_idx ON stripe_reconciliation_runs (started_at DESC);

-- What a run found: a paid session whose webhook was missed (booked by the run, said to staff), a
-- paid session not booked because it does not match, a recorded payment whose amount differs from
-- Stripe's or whose session Stripe does not report paid. Once per kind and session, whatever the
-- runs; staff mark each one handled.
CREATE TABLE stripe_reconciliation_findings (
    id                     uuid PRIMARY KEY,
    run_id                 uuid NOT NULL REFERENCES stripe_reconciliation_runs (id),
    kind                   text NOT NULL CHECK (kind IN ('booked_missed', 'not_booked', 'amount_differs', 'recorded_not_paid', 'missing_at_stripe')),
    session_id             text NOT NULL CHECK (length(session_id) BETWEEN 1 AND 255),
    invoice_id             uuid REFERENCES invoices (id),
    payment_id             uuid REFERENCES payments (id),
    stripe_amount_cents    bigint,
    recorded_amount_cents  bigint,
    detail                 text NOT NULL DEFAULT '' CHECK (length(detail) <= 2000),
    found_at               timestamptz NOT NULL,
    resolved_at            timestamptz,
    resolved_by            uuid REFERENCES users (id),
    UNIQUE (kind, session_id),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL))
);
CREATE INDEX stripe_reconciliation_findings_open_idx ON stripe_reconciliation_findings (found_at DESC, id DESC) WHERE resolved_at IS NULL;

-- Billing reports read issued invoices by issue date.
CREATE INDEX invoices_issue_date_idx ON invoices (issue_date) WHERE status <> 'draft';
