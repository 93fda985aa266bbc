-- Equipment of the clients (machines, accounts, licences) with their warranty, and the provider's
-- stock of loan devices (client_id NULL). Workshop intakes: a client machine entering the workshop,
-- the backup made (or refused by the client) before any work, the loan devices lent meanwhile and
-- the return.
CREATE TABLE equipment (
    id                  uuid PRIMARY KEY,
    -- NULL is the provider's own stock (loan devices).
    client_id           uuid REFERENCES clients (id),
    kind                text NOT NULL CHECK (kind IN ('workstation', 'laptop', 'server', 'printer', 'network',
                        'phone', 'hosting', 'licence', 'other')),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    make                text NOT NULL DEFAULT '' CHECK (length(make) <= 100),
    model               text NOT NULL DEFAULT '' CHECK (length(model) <= 100),
    serial              text NOT NULL DEFAULT '' CHECK (length(serial) <= 100),
    location            text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
    installed_on        date,
    purchased_on        date,
    warranty_ends_on    date,
    contract_id         uuid REFERENCES contracts (id),
    status              text NOT NULL DEFAULT 'in_service'
                        CHECK (status IN ('in_service', 'in_workshop', 'on_loan', 'in_stock', 'retired')),
    notes               text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
    seats               integer CHECK (seats BETWEEN 1 AND 100000),
    licence_expires_on  date,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    CHECK (warranty_ends_on IS NULL OR purchased_on IS NULL OR warranty_ends_on >= purchased_on),
    CHECK (kind = 'licence' OR (seats IS NULL AND licence_expires_on IS NULL)),
    -- A loan device is the provider's, and only the provider's devices go on loan.
    CHECK ((status = 'on_loan') <= (client_id IS NULL))
);
CREATE UNIQUE INDEX equipment_name_key ON equipment (coalesce(client_id, '00000000-0000-0000-0000-000000000000'), lower(name));
CREATE UNIQUE INDEX equipment_serial_key ON equipment (coalesce(client_id, '00000000-0000-0000-0000-000000000000'), lower(serial))
    WHERE serial <> '';
CREATE INDEX equipment_client_idx ON equipment (client_id, lower(name), id);
CREATE INDEX equipment_warranty_idx ON equipment (warranty_ends_on) WHERE warranty_ends_on IS NOT NULL AND status <> 'retired';
CREATE INDEX equipment_licence_idx ON equipment (licence_expires_on) WHERE licence_expires_on IS NOT NULL AND status <> 'retired';

CREATE TABLE workshop_intakes (
    id                   uuid PRIMARY KEY,
    number               integer NOT NULL UNIQUE CHECK (number > 0),
    client_id            uuid NOT NULL REFERENCES clients (id),
    equipment_id         uuid NOT NULL REFERENCES equipment (id),
    -- The workshop intervention opened at check-in: its time is gated by the backup below.
    intervention_id      uuid NOT NULL UNIQUE REFERENCES interventions (id),
    brought_by           text NOT NULL CHECK (length(brought_by) BETWEEN 1 AND 200),
    brought_at           timestamptz NOT NULL,
    reason               text NOT NULL CHECK (length(reason) BETWEEN 1 AND 5000),
    condition            text NOT NULL DEFAULT '' CHECK (length(condition) <= 5000),
    accessories          text NOT NULL DEFAULT '' CHECK (length(accessories) <= 2000),
    label                text NOT NULL DEFAULT '' CHECK (length(label) <= 50),
    checked_in_by        uuid NOT NULL REFERENCES users (id),
    backup_state         text NOT NULL DEFAULT 'pending' CHECK (backup_state IN ('pending', 'done', 'refused')),
    backup_location      text NOT NULL DEFAULT '' CHECK (length(backup_location) <= 500),
    backup_by            uuid REFERENCES users (id),
    backup_at            timestamptz,
    refused_by           text NOT NULL DEFAULT '' CHECK (length(refused_by) <= 200),
    refused_how          text NOT NULL DEFAULT '' CHECK (length(refused_how) <= 500),
    refused_at           timestamptz,
    returned_at          timestamptz,
    returned_to          text NOT NULL DEFAULT '' CHECK (length(returned_to) <= 200),
    returned_by          uuid REFERENCES users (id),
    accessories_back     boolean NOT NULL DEFAULT false,
    kept_in_stock        boolean NOT NULL DEFAULT false,
    return_notes         text NOT NULL DEFAULT '' CHECK (length(return_notes) <= 5000),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    version              integer NOT NULL DEFAULT 1,
    CHECK (backup_state <> 'done' OR (backup_location <> '' AND backup_by IS NOT NULL AND backup_at IS NOT NULL)),
    CHECK (backup_state <> 'refused' OR (refused_by <> '' AND refused_how <> '' AND refused_at IS NOT NULL)),
    CHECK (returned_at IS NULL OR (returned_to <> '' OR kept_in_stock)),
    CHECK (returned_at IS NULL OR returned_at >= brought_at)
);
-- One open stay per machine.
CREATE UNIQUE INDEX workshop_intakes_open_key ON workshop_intakes (equipment_id) WHERE returned_at IS NULL;
CREATE INDEX workshop_intakes_board_idx ON workshop_intakes (brought_at, id) WHERE returned_at IS NULL;
CREATE INDEX workshop_intakes_client_idx ON workshop_intakes (client_id, brought_at DESC, id DESC);
CREATE INDEX workshop_intakes_equipment_idx ON workshop_intakes (equipment_id, brought_at DESC);

CREATE TABLE workshop_loans (
    id            uuid PRIMARY KEY,
    intake_id     uuid NOT NULL REFERENCES workshop_intakes (id),
    equipment_id  uuid NOT NULL REFERENCES equipment (id),
    lent_at       timestamptz NOT NULL,
    lent_by       uuid NOT NULL REFERENCES users (id),
    returned_at   timestamptz,
    taken_back_by uuid REFERENCES users (id),
    CHECK (returned_at IS NULL OR (returned_at >= lent_at AND taken_back_by IS NOT NULL))
);
-- A loan device is lent once at a time.
CREATE UNIQUE INDEX workshop_loans_open_key ON workshop_loans (equipment_id) WHERE returned_at IS NULL;
CREATE INDEX workshop_loans_intake_idx ON workshop_loans (intake_id, lent_at);

-- The equipment a fault report is about (optional, one item per ticket).
CREATE TABLE ticket_equipment (
    ticket_id     uuid PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    equipment_id  uuid NOT NULL REFERENCES equipment (id)
);
CREATE INDEX ticket_equipment_equipment_idx ON ticket_equipment (equipment_id);

-- Warranty and licence expiry reminders, once per item, kind, date and lead time.
CREATE TABLE equipment_reminders (
    id            uuid PRIMARY KEY,
    equipment_id  uuid NOT NULL REFERENCES equipment (id),
    kind          text NOT NULL CHECK (kind IN ('warranty', 'licence')),
    due_on        date NOT NULL,
    lead_days     integer NOT NULL CHECK (lead_days >= 0),
    created_at    timestamptz NOT NULL,
    UNIQUE (equipment_id, kind, due_on, lead_days)
);
