-- Gapless counters for human references (C-2026-001, later quotes and invoices): one row per series
-- and year, incremented in the transaction that issues the reference.
CREATE TABLE counters (
    series  text    NOT NULL,
    year    integer NOT NULL,
    value   integer NOT NULL CHECK (value >= 0),
    PRIMARY KEY (series, year)
);

-- Client companies: identity and billing details.
ALTER TABLE clients
    ADD COLUMN siren           text NOT NULL DEFAULT '' CHECK (siren = '' OR siren ~ '^[0-9]{9}$'),
    ADD COLUMN siret           text NOT NULL DEFAULT '' CHECK (siret = '' OR siret ~ '^[0-9]{14}$'),
    ADD COLUMN vat_number      text NOT NULL DEFAULT '' CHECK (length(vat_number) <= 20),
    ADD COLUMN address_line1   text NOT NULL DEFAULT '' CHECK (length(address_line1) <= 200),
    ADD COLUMN address_line2   text NOT NULL DEFAULT '' CHECK (length(address_line2) <= 200),
    ADD COLUMN postal_code     text NOT NULL DEFAULT '' CHECK (length(postal_code) <= 20),
    ADD COLUMN city            text NOT NULL DEFAULT '' CHECK (length(city) <= 100),
    ADD COLUMN country         text NOT NULL DEFAULT 'FR' CHECK (country ~ '^[A-Z]{2}$'),
    ADD COLUMN billing_email   text NOT NULL DEFAULT '' CHECK (length(billing_email) <= 254),
    ADD COLUMN phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    ADD COLUMN notes           text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000);
CREATE INDEX clients_list_idx ON clients (archived, lower(name), id);

-- SLA policies: a service-hours calendar and, per priority, reaction and resolution targets in
-- business minutes; a penalty rule. Reusable across contracts.
CREATE TABLE sla_policies (
    id                      uuid PRIMARY KEY,
    name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description             text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    -- Opening hours per weekday, ISO order (Monday first): {"monday": ["09:00-12:30", "13:30-18:00"], ...}
    hours                   jsonb NOT NULL,
    french_holidays         boolean NOT NULL DEFAULT true,
    alsace_moselle          boolean NOT NULL DEFAULT false,
    closures                date[] NOT NULL DEFAULT '{}',
    -- Penalty: basis points of the monthly fee per started hour of delay, capped per month.
    penalty_bp_per_hour     integer NOT NULL DEFAULT 0 CHECK (penalty_bp_per_hour BETWEEN 0 AND 10000),
    penalty_cap_bp          integer NOT NULL DEFAULT 0 CHECK (penalty_cap_bp BETWEEN 0 AND 10000),
    archived                boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX sla_policies_name_key ON sla_policies (lower(name));

CREATE TABLE sla_targets (
    policy_id           uuid NOT NULL REFERENCES sla_policies (id) ON DELETE CASCADE,
    priority            text NOT NULL CHECK (priority IN ('critical', 'high', 'normal', 'low')),
    reaction_minutes    integer NOT NULL CHECK (reaction_minutes > 0),
    resolution_minutes  integer NOT NULL CHECK (resolution_minutes > 0),
    PRIMARY KEY (policy_id, priority),
    CHECK (reaction_minutes <= resolution_minutes)
);

-- A maintenance contract. Its terms live in contract_versions: version 1 is the original, each
-- amendment (avenant) adds the next. The row here holds what is not a term: reference, client,
-- status, termination notice.
CREATE TABLE contracts (
    id                        uuid PRIMARY KEY,
    reference                 text NOT NULL UNIQUE,
    client_id                 uuid NOT NULL REFERENCES clients (id),
    status                    text NOT NULL DEFAULT 'draft'
                              CHECK (status IN ('draft', 'active', 'suspended', 'terminated', 'expired')),
    activated_at              timestamptz,
    status_changed_at         timestamptz NOT NULL,
    status_reason             text NOT NULL DEFAULT '' CHECK (length(status_reason) <= 2000),
    -- Termination notice, given by the client from the portal or recorded by staff.
    notice_given_at           timestamptz,
    notice_given_by           uuid REFERENCES users (id),
    notice_given_by_label     text NOT NULL DEFAULT '',
    notice_reason             text NOT NULL DEFAULT '' CHECK (length(notice_reason) <= 2000),
    ends_on                   date,
    current_version           integer NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    version                   integer NOT NULL DEFAULT 1
);
CREATE INDEX contracts_client_idx ON contracts (client_id, status);
CREATE INDEX contracts_list_idx ON contracts (status, reference);

CREATE TABLE contract_versions (
    contract_id               uuid NOT NULL REFERENCES contracts (id),
    no                        integer NOT NULL CHECK (no >= 1),
    effective_from            date NOT NULL,
    reason                    text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    created_by                uuid REFERENCES users (id),
    created_at                timestamptz NOT NULL,

    title                     text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    object                    text NOT NULL DEFAULT '' CHECK (length(object) <= 10000),
    -- [{"kind": "website", "description": "..."}]
    services                  jsonb NOT NULL DEFAULT '[]',
    maintenance_kinds         text[] NOT NULL DEFAULT '{}',
    start_date                date NOT NULL,
    initial_months            integer NOT NULL CHECK (initial_months BETWEEN 1 AND 120),
    renewal_months            integer NOT NULL DEFAULT 0 CHECK (renewal_months BETWEEN 0 AND 120),
    notice_months             integer NOT NULL DEFAULT 0 CHECK (notice_months BETWEEN 0 AND 24),
    termination_terms         text NOT NULL DEFAULT '' CHECK (length(termination_terms) <= 10000),
    fee_cents                 bigint NOT NULL CHECK (fee_cents BETWEEN 0 AND 100000000000),
    billing_period            text NOT NULL CHECK (billing_period IN ('monthly', 'quarterly', 'yearly')),
    payment_terms_days        integer NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 120),
    included_minutes          integer NOT NULL DEFAULT 0 CHECK (included_minutes BETWEEN 0 AND 100000),
    hourly_rate_cents         bigint NOT NULL DEFAULT 0 CHECK (hourly_rate_cents BETWEEN 0 AND 10000000),
    sla_policy_id             uuid REFERENCES sla_policies (id),
    provider_obligations      text NOT NULL DEFAULT '' CHECK (length(provider_obligations) <= 10000),
    client_obligations        text NOT NULL DEFAULT '' CHECK (length(client_obligations) <= 10000),
    confidentiality           text NOT NULL DEFAULT '' CHECK (length(confidentiality) <= 10000),
    specific_conditions       text NOT NULL DEFAULT '' CHECK (length(specific_conditions) <= 10000),
    exclusions                text NOT NULL DEFAULT '' CHECK (length(exclusions) <= 10000),
    PRIMARY KEY (contract_id, no)
);

-- Reminders of contract deadlines, one per contract, deadline and lead time: the unique key makes
-- the daily job idempotent across runs and instances.
CREATE TABLE contract_reminders (
    id           uuid PRIMARY KEY,
    contract_id  uuid NOT NULL REFERENCES contracts (id),
    kind         text NOT NULL CHECK (kind IN ('renewal', 'notice', 'end')),
    due_on       date NOT NULL,
    lead_days    integer NOT NULL CHECK (lead_days >= 0),
    created_at   timestamptz NOT NULL,
    UNIQUE (contract_id, kind, due_on, lead_days)
);

-- Lead times of the deadline reminders, in days, set by the manager.
ALTER TABLE organisation ADD COLUMN reminder_lead_days integer[] NOT NULL DEFAULT '{90,30,7}';
