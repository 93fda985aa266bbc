-- Interventions and their sheets (fiche d'intervention): time by category, what was done and what
-- remains per machine or service, materials handed over, the client's signature, addenda after
-- completion. And the maintenance register: append-only, hash-chained per client.
CREATE TABLE interventions (
    id                 uuid PRIMARY KEY,
    number             integer NOT NULL UNIQUE CHECK (number > 0),
    client_id          uuid NOT NULL REFERENCES clients (id),
    contract_id        uuid REFERENCES contracts (id),
    ticket_id          uuid REFERENCES tickets (id),
    kind               text NOT NULL CHECK (kind IN ('preventive', 'corrective', 'evolutive', 'installation')),
    place              text NOT NULL CHECK (place IN ('on_site', 'remote', 'workshop')),
    status             text NOT NULL DEFAULT 'todo'
                       CHECK (status IN ('todo', 'scheduled', 'in_progress', 'done', 'cancelled')),
    cancel_reason      text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 2000),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- NULL is "not estimated yet" (the source's "durée >999").
    estimated_minutes  integer CHECK (estimated_minutes BETWEEN 1 AND 60000),
    scheduled_at       timestamptz,
    started_at         timestamptz,
    completed_at       timestamptz,
    summary            text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
    internal_notes     text NOT NULL DEFAULT '' CHECK (length(internal_notes) <= 20000),
    sign_later         boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            integer NOT NULL DEFAULT 1,
    CHECK ((status = 'done') = (completed_at IS NOT NULL)),
    CHECK (status <> 'scheduled' OR scheduled_at IS NOT NULL)
);
CREATE INDEX interventions_client_idx ON interventions (client_id, created_at DESC, id DESC);
CREATE INDEX interventions_pending_idx ON interventions (status, created_at, id) WHERE status IN ('todo', 'scheduled', 'in_progress');
CREATE INDEX interventions_contract_idx ON interventions (contract_id, completed_at);
CREATE INDEX interventions_ticket_idx ON interventions (ticket_id);

CREATE TABLE intervention_technicians (
    intervention_id  uuid NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (intervention_id, user_id)
);
CREATE INDEX intervention_technicians_user_idx ON intervention_technicians (user_id);

CREATE TABLE time_entries (
    id               uuid PRIMARY KEY,
    intervention_id  uuid NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    technician_id    uuid NOT NULL REFERENCES users (id),
    category         text NOT NULL CHECK (category IN ('work', 'travel', 'on_site', 'research')),
    started_at       timestamptz NOT NULL,
    minutes          integer NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    billable         boolean NOT NULL DEFAULT false,
    note             text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at       timestamptz NOT NULL
);
CREATE INDEX time_entries_intervention_idx ON time_entries (intervention_id, started_at);
CREATE INDEX time_entries_technician_idx ON time_entries (technician_id, started_at);

CREATE TABLE equipment_actions (
    id               uuid PRIMARY KEY,
    intervention_id  uuid NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    position         integer NOT NULL CHECK (position >= 0),
    target           text NOT NULL CHECK (length(target) BETWEEN 1 AND 200),
    done             text NOT NULL DEFAULT '' CHECK (length(done) <= 10000),
    remaining        text NOT NULL DEFAULT '' CHECK (length(remaining) <= 10000),
    UNIQUE (intervention_id, position)
);

CREATE TABLE materials (
    id                uuid PRIMARY KEY,
    intervention_id   uuid NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    description       text NOT NULL CHECK (length(description) BETWEEN 1 AND 300),
    quantity          numeric(12, 3) NOT NULL CHECK (quantity > 0),
    unit_price_cents  bigint NOT NULL CHECK (unit_price_cents >= 0 AND unit_price_cents <= 100000000000),
    billable          boolean NOT NULL DEFAULT true,
    from_quote        boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL,
    -- Material delivered on a quote is billed by the quote, never a second time here.
    CHECK (NOT (billable AND from_quote))
);
CREATE INDEX materials_intervention_idx ON materials (intervention_id, created_at);

CREATE TABLE signatures (
    intervention_id  uuid PRIMARY KEY REFERENCES interventions (id),
    signer_name      text NOT NULL CHECK (length(signer_name) BETWEEN 1 AND 200),
    image            bytea NOT NULL CHECK (length(image) BETWEEN 1 AND 524288),
    image_type       text NOT NULL CHECK (image_type IN ('image/png', 'image/jpeg')),
    signed_at        timestamptz NOT NULL,
    signed_by        uuid REFERENCES users (id),
    ip               text NOT NULL DEFAULT '',
    user_agent       text NOT NULL DEFAULT '',
    signed_from      text NOT NULL CHECK (signed_from IN ('onsite', 'portal'))
);

CREATE TABLE addenda (
    id               uuid PRIMARY KEY,
    intervention_id  uuid NOT NULL REFERENCES interventions (id),
    author_id        uuid REFERENCES users (id),
    author_label     text NOT NULL DEFAULT '',
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at       timestamptz NOT NULL
);
CREATE INDEX addenda_intervention_idx ON addenda (intervention_id, created_at);
CREATE TRIGGER addenda_append_only BEFORE UPDATE OR DELETE ON addenda
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- The maintenance register: one entry per completed intervention and per addendum. Entries are
-- never updated nor deleted (trigger), and each carries the SHA-256 of its fields and of the
-- previous entry's hash of the same client (prev_hash is 32 zero bytes for the first).
CREATE TABLE register_entries (
    id                  uuid PRIMARY KEY,
    client_id           uuid NOT NULL REFERENCES clients (id),
    seq                 integer NOT NULL CHECK (seq >= 1),
    intervention_id     uuid NOT NULL REFERENCES interventions (id),
    addendum_id         uuid REFERENCES addenda (id),
    occurred_on         date NOT NULL,
    contract_id         uuid REFERENCES contracts (id),
    kind                text NOT NULL,
    subject             text NOT NULL DEFAULT '',
    actions             text NOT NULL DEFAULT '',
    minutes_work        integer NOT NULL DEFAULT 0 CHECK (minutes_work >= 0),
    minutes_travel      integer NOT NULL DEFAULT 0 CHECK (minutes_travel >= 0),
    minutes_on_site     integer NOT NULL DEFAULT 0 CHECK (minutes_on_site >= 0),
    minutes_research    integer NOT NULL DEFAULT 0 CHECK (minutes_research >= 0),
    materials_cents     bigint NOT NULL DEFAULT 0 CHECK (materials_cents >= 0),
    time_cost_cents     bigint NOT NULL DEFAULT 0 CHECK (time_cost_cents >= 0),
    total_cost_cents    bigint NOT NULL DEFAULT 0 CHECK (total_cost_cents >= 0),
    technicians         text NOT NULL DEFAULT '',
    sheet_reference     text NOT NULL,
    created_at          timestamptz NOT NULL,
    prev_hash           bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash                bytea NOT NULL CHECK (length(hash) = 32),
    UNIQUE (client_id, seq)
);
CREATE INDEX register_entries_list_idx ON register_entries (created_at DESC, id DESC);
CREATE INDEX register_entries_client_idx ON register_entries (client_id, occurred_on);
CREATE INDEX register_entries_contract_idx ON register_entries (contract_id, occurred_on);
CREATE TRIGGER register_entries_append_only BEFORE UPDATE OR DELETE ON register_entries
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
