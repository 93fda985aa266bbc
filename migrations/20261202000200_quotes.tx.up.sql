-- Quotes (devis) for billable exceptional work: drafted by staff, numbered D-YYYY-NNNN when sent and
-- frozen from then on (a change is a new revision that replaces the sent one), accepted ("bon pour
-- accord") or declined by the client. An acceptance keeps its evidence for good.
CREATE TABLE quotes (
    id               uuid PRIMARY KEY,
    client_id        uuid NOT NULL REFERENCES clients (id),
    contract_id      uuid REFERENCES contracts (id),
    ticket_id        uuid REFERENCES tickets (id),
    -- The year and number come from the gapless counter "D" at sending; revisions keep them.
    year             integer CHECK (year BETWEEN 2000 AND 9999),
    number           integer CHECK (number > 0),
    revision         integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    replaces_id      uuid UNIQUE REFERENCES quotes (id),
    replaced_by      uuid UNIQUE REFERENCES quotes (id),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    payment_terms    text NOT NULL DEFAULT '' CHECK (length(payment_terms) <= 2000),
    valid_until      date NOT NULL,
    estimated_start  date,
    -- The deposit asked at acceptance, in basis points of the total (3000 = 30 %).
    deposit_bp       integer NOT NULL DEFAULT 0 CHECK (deposit_bp BETWEEN 0 AND 10000),
    status           text NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'expired', 'withdrawn', 'replaced')),
    sent_at          timestamptz,
    decided_at       timestamptz,
    decided_by       uuid REFERENCES users (id),
    decline_reason   text NOT NULL DEFAULT '' CHECK (length(decline_reason) <= 2000),
    closed_at        timestamptz,
    -- SHA-256 of the canonical content, fixed at sending: what the client accepts is exactly this.
    content_hash     bytea CHECK (content_hash IS NULL OR length(content_hash) = 32),
    total_ht_cents   bigint NOT NULL DEFAULT 0 CHECK (total_ht_cents >= 0),
    total_vat_cents  bigint NOT NULL DEFAULT 0 CHECK (total_vat_cents >= 0),
    total_ttc_cents  bigint NOT NULL DEFAULT 0 CHECK (total_ttc_cents = total_ht_cents + total_vat_cents),
    created_by       uuid REFERENCES users (id),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    UNIQUE (year, number, revision),
    CHECK ((status = 'draft') = (number IS NULL)),
    CHECK ((number IS NULL) = (year IS NULL)),
    CHECK ((status = 'draft') = (sent_at IS NULL)),
    CHECK ((status = 'draft') = (content_hash IS NULL)),
    CHECK ((status IN ('accepted', 'declined')) = (decided_at IS NOT NULL)),
    CHECK ((status = 'replaced') = (replaced_by IS NOT NULL)),
    CHECK (status = 'declined' OR decline_reason = ''),
    CHECK (replaces_id IS NULL OR revision > 1)
);
CREATE INDEX quotes_list_idx ON quotes (created_at DESC, id DESC);
CREATE INDEX quotes_client_idx ON quotes (client_id, created_at DESC, id DESC);
CREATE INDEX quotes_status_idx ON quotes (status, valid_until);
CREATE INDEX quotes_ticket_idx ON quotes (ticket_id);

CREATE TABLE quote_lines (
    id                uuid PRIMARY KEY,
    quote_id          uuid NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    position          integer NOT NULL CHECK (position >= 0),
    description       text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    quantity          numeric(12, 3) NOT NULL CHECK (quantity > 0),
    unit              text NOT NULL DEFAULT '' CHECK (length(unit) <= 20),
    unit_price_cents  bigint NOT NULL CHECK (unit_price_cents >= 0 AND unit_price_cents <= 1000000000),
    vat_rate_bp       integer NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    discount_bp       integer NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    line_ht_cents     bigint NOT NULL CHECK (line_ht_cents >= 0),
    UNIQUE (quote_id, position)
);

-- The evidence of an acceptance: who, the name typed, when, from where, and the SHA-256 of what
-- was accepted (canonical content and PDF). Never updated nor deleted (trigger).
CREATE TABLE quote_acceptances (
    quote_id        uuid PRIMARY KEY REFERENCES quotes (id),
    user_id         uuid NOT NULL REFERENCES users (id),
    signer_name     text NOT NULL CHECK (length(signer_name) BETWEEN 1 AND 200),
    accepted_at     timestamptz NOT NULL,
    ip              text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300),
    content_sha256  bytea NOT NULL CHECK (length(content_sha256) = 32),
    pdf_sha256      bytea CHECK (pdf_sha256 IS NULL OR length(pdf_sha256) = 32)
);
CREATE TRIGGER quote_acceptances_immutable BEFORE UPDATE OR DELETE ON quote_acceptances
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- The intervention created by an accepted quote (one per quote): the billing issue bills the
-- quote's lines through this link, once.
ALTER TABLE interventions ADD COLUMN quote_id uuid REFERENCES quotes (id);
CREATE UNIQUE INDEX interventions_quote_idx ON interventions (quote_id) WHERE quote_id IS NOT NULL;
