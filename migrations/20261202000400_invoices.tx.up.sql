-- Invoices and credit notes (avoirs), their lines and what each line bills, payments (recorded by
-- staff or confirmed by Stripe), Stripe Checkout attempts and the Stripe events already processed.
-- An issued invoice is numbered F-YYYY-NNNN (a credit note A-YYYY-NNNN) from the gapless counter in
-- the issuing transaction and never changes afterwards: the database refuses it (triggers).

-- Billing settings of the provider, printed on invoices.
ALTER TABLE organisation
    ADD COLUMN iban                        text NOT NULL DEFAULT '' CHECK (iban = '' OR iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
    ADD COLUMN bic                         text NOT NULL DEFAULT '' CHECK (bic = '' OR bic ~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
    ADD COLUMN invoice_footer              text NOT NULL DEFAULT '' CHECK (length(invoice_footer) <= 2000),
    ADD COLUMN default_vat_bp              integer NOT NULL DEFAULT 2000 CHECK (default_vat_bp BETWEEN 0 AND 10000),
    -- Franchise en base de TVA: invoices carry no VAT and the exemption mention.
    ADD COLUMN vat_exempt                  boolean NOT NULL DEFAULT false,
    -- Late-payment penalty rate, in basis points per year (1215 = 12,15 %).
    ADD COLUMN late_penalty_bp             integer NOT NULL DEFAULT 1215 CHECK (late_penalty_bp BETWEEN 0 AND 10000),
    -- What one hour of a technician costs the provider, for profitability.
    ADD COLUMN internal_hourly_cost_cents  bigint NOT NULL DEFAULT 0 CHECK (internal_hourly_cost_cents BETWEEN 0 AND 10000000),
    ADD COLUMN invoice_reminder_days       integer[] NOT NULL DEFAULT '{3,15,30}';

CREATE TABLE invoices (
    id                  uuid PRIMARY KEY,
    kind                text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
    client_id           uuid NOT NULL REFERENCES clients (id),
    contract_id         uuid REFERENCES contracts (id),
    -- A credit note credits one issued invoice.
    credits_id          uuid REFERENCES invoices (id),
    year                integer CHECK (year BETWEEN 2000 AND 9999),
    number              integer CHECK (number > 0),
    status              text NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'cancelled')),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    notes               text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
    issue_date          date,
    service_from        date,
    service_to          date,
    due_date            date,
    payment_terms_days  integer NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 120),
    payment_terms       text NOT NULL DEFAULT '' CHECK (length(payment_terms) <= 2000),
    currency            text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    -- Identities of both parties and the billing settings as they were at issue (EN 16931 data).
    seller              jsonb,
    buyer               jsonb,
    total_ht_cents      bigint NOT NULL DEFAULT 0,
    total_vat_cents     bigint NOT NULL DEFAULT 0,
    total_ttc_cents     bigint NOT NULL DEFAULT 0 CHECK (total_ttc_cents = total_ht_cents + total_vat_cents),
    -- Paid: the sum of the payments net of refunds; credited: the credit notes issued on it.
    paid_cents          bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    credited_cents      bigint NOT NULL DEFAULT 0 CHECK (credited_cents >= 0),
    -- A payment that does not match (amount, currency) or a dispute, for staff to look at.
    flagged             boolean NOT NULL DEFAULT false,
    flag_reason         text NOT NULL DEFAULT '' CHECK (length(flag_reason) <= 2000),
    issued_at           timestamptz,
    issued_by           uuid REFERENCES users (id),
    created_by          uuid REFERENCES users (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    UNIQUE (kind, year, number),
    CHECK ((status = 'draft') = (number IS NULL)),
    CHECK ((number IS NULL) = (year IS NULL)),
    CHECK ((status = 'draft') = (issued_at IS NULL)),
    CHECK (status = 'draft' OR (issue_date IS NOT NULL AND due_date IS NOT NULL AND seller IS NOT NULL AND buyer IS NOT NULL)),
    CHECK ((kind = 'credit_note') = (credits_id IS NOT NULL)),
    CHECK (kind = 'invoice' OR status IN ('draft', 'issued')),
    CHECK (service_from IS NULL OR service_to IS NULL OR service_from <= service_to),
    CHECK (paid_cents + credited_cents <= greatest(total_ttc_cents, 0))
);
CREATE INDEX invoices_list_idx ON invoices (created_at DESC, id DESC);
CREATE INDEX invoices_client_idx ON invoices (client_id, created_at DESC, id DESC);
CREATE INDEX invoices_status_idx ON invoices (status, due_date);
CREATE INDEX invoices_credits_idx ON invoices (credits_id);

CREATE TABLE invoice_lines (
    id                uuid PRIMARY KEY,
    invoice_id        uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position          integer NOT NULL CHECK (position >= 0),
    description       text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    quantity          numeric(12, 3) NOT NULL CHECK (quantity > 0),
    unit              text NOT NULL DEFAULT '' CHECK (length(unit) <= 20),
    -- Negative for a deduction (an SLA penalty).
    unit_price_cents  bigint NOT NULL CHECK (unit_price_cents BETWEEN -1000000000 AND 1000000000),
    vat_rate_bp       integer NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    discount_bp       integer NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    line_ht_cents     bigint NOT NULL,
    UNIQUE (invoice_id, position)
);

-- What each line bills: a contract fee for a period, an intervention's uncovered time, a material,
-- an accepted quote (its deposit or its balance), an SLA penalty of a month. The unique key is what
-- makes "never billed twice" hold, whatever the concurrency; deleting a draft frees its sources.
CREATE TABLE invoice_sources (
    kind             text NOT NULL CHECK (kind IN ('contract_fee', 'intervention_time', 'material', 'quote_deposit', 'quote', 'sla_penalty')),
    source_key       text NOT NULL CHECK (length(source_key) BETWEEN 1 AND 200),
    invoice_line_id  uuid NOT NULL UNIQUE REFERENCES invoice_lines (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, source_key)
);

-- An invoice once issued never changes but for its payment state, and is never deleted.
CREATE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'issued invoice % cannot be deleted', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.status = 'draft' OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.client_id IS DISTINCT FROM OLD.client_id
        OR NEW.contract_id IS DISTINCT FROM OLD.contract_id OR NEW.credits_id IS DISTINCT FROM OLD.credits_id
        OR NEW.year IS DISTINCT FROM OLD.year OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.title IS DISTINCT FROM OLD.title OR NEW.notes IS DISTINCT FROM OLD.notes
        OR NEW.issue_date IS DISTINCT FROM OLD.issue_date OR NEW.due_date IS DISTINCT FROM OLD.due_date
        OR NEW.service_from IS DISTINCT FROM OLD.service_from OR NEW.service_to IS DISTINCT FROM OLD.service_to
        OR NEW.payment_terms_days IS DISTINCT FROM OLD.payment_terms_days OR NEW.payment_terms IS DISTINCT FROM OLD.payment_terms
        OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.seller IS DISTINCT FROM OLD.seller OR NEW.buyer IS DISTINCT FROM OLD.buyer
        OR NEW.total_ht_cents IS DISTINCT FROM OLD.total_ht_cents OR NEW.total_vat_cents IS DISTINCT FROM OLD.total_vat_cents
        OR NEW.total_ttc_cents IS DISTINCT FROM OLD.total_ttc_cents OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
        OR NEW.issued_by IS DISTINCT FROM OLD.issued_by OR NEW.created_at IS DISTINCT FROM OLD.created_at
    ) THEN
        RAISE EXCEPTION 'issued invoice % cannot be changed', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_guard();

-- The lines of an issued invoice never change either.
CREATE FUNCTION invoice_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    st text;
BEGIN
    SELECT status INTO st FROM invoices WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END);
    IF st IS NOT NULL AND st <> 'draft' THEN
        RAISE EXCEPTION 'lines of issued invoices cannot be changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.invoice_id <> NEW.invoice_id THEN
        SELECT status INTO st FROM invoices WHERE id = OLD.invoice_id;
        IF st IS NOT NULL AND st <> 'draft' THEN
            RAISE EXCEPTION 'lines of issued invoices cannot be changed' USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER invoice_lines_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_guard();

-- Payments: recorded by staff (transfer, cheque) or confirmed by Stripe (card, SEPA debit...).
-- refunded_cents is the cumulative amount refunded, as Stripe reports it.
CREATE TABLE payments (
    id                  uuid PRIMARY KEY,
    invoice_id          uuid NOT NULL REFERENCES invoices (id),
    client_id           uuid NOT NULL REFERENCES clients (id),
    amount_cents        bigint NOT NULL CHECK (amount_cents > 0),
    refunded_cents      bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents),
    currency            text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    paid_on             date NOT NULL,
    method              text NOT NULL CHECK (method IN ('transfer', 'cheque', 'stripe')),
    reference           text NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
    stripe_session_id   text UNIQUE,
    stripe_payment_intent text UNIQUE,
    disputed            boolean NOT NULL DEFAULT false,
    recorded_by         uuid REFERENCES users (id),
    created_at          timestamptz NOT NULL,
    CHECK ((method = 'stripe') = (stripe_session_id IS NOT NULL))
);
CREATE INDEX payments_list_idx ON payments (created_at DESC, id DESC);
CREATE INDEX payments_invoice_idx ON payments (invoice_id, created_at);
CREATE INDEX payments_client_idx ON payments (client_id, created_at DESC, id DESC);

-- Stripe Checkout Sessions opened to pay an invoice, one per attempt (the idempotency key is the
-- invoice and the attempt).
CREATE TABLE payment_attempts (
    id             uuid PRIMARY KEY,
    invoice_id     uuid NOT NULL REFERENCES invoices (id),
    attempt        integer NOT NULL CHECK (attempt >= 1),
    amount_cents   bigint NOT NULL CHECK (amount_cents > 0),
    session_id     text UNIQUE,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'processing', 'paid', 'failed', 'expired')),
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (invoice_id, attempt)
);

-- Every Stripe event processed, stored once in the transaction of its effect.
CREATE TABLE stripe_events (
    id           text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
    type         text NOT NULL,
    invoice_id   uuid REFERENCES invoices (id),
    outcome      text NOT NULL DEFAULT '' CHECK (length(outcome) <= 200),
    received_at  timestamptz NOT NULL
);

-- Reminders of overdue invoices: one per invoice and step, whatever the runs and instances.
CREATE TABLE invoice_reminders (
    invoice_id  uuid NOT NULL REFERENCES invoices (id),
    step_days   integer NOT NULL CHECK (step_days >= 0),
    sent_at     timestamptz NOT NULL,
    PRIMARY KEY (invoice_id, step_days)
);
