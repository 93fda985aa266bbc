-- The provider's maintenance policy: a draft written by sections, published as numbered, immutable
-- versions (approver, approval date, effective date, what changed and why).
CREATE TABLE policy_versions (
    id              uuid PRIMARY KEY,
    no              integer UNIQUE CHECK (no >= 1),
    status          text NOT NULL CHECK (status IN ('draft', 'published')),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- {"purpose": "markdown", "scope": "...", ...}
    sections        jsonb NOT NULL DEFAULT '{}',
    change_summary  text NOT NULL DEFAULT '' CHECK (length(change_summary) <= 4000),
    approver_name   text NOT NULL DEFAULT '' CHECK (length(approver_name) <= 200),
    approved_on     date,
    effective_on    date,
    published_at    timestamptz,
    published_by    uuid REFERENCES users (id),
    -- When the clients' users were told the version took effect (once).
    notified_at     timestamptz,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    CHECK (status = 'draft' OR (no IS NOT NULL AND approver_name <> '' AND approved_on IS NOT NULL
        AND effective_on IS NOT NULL AND published_at IS NOT NULL AND effective_on >= approved_on))
);
-- One draft at a time.
CREATE UNIQUE INDEX policy_versions_one_draft ON policy_versions ((true)) WHERE status = 'draft';
CREATE INDEX policy_versions_effective_idx ON policy_versions (effective_on, no) WHERE status = 'published';

-- A published version never changes (only the notification mark is set once) and is never deleted.
CREATE FUNCTION policy_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'published' THEN
            RAISE EXCEPTION 'policy version % is published: it cannot be deleted', OLD.no USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'published' AND (NEW.no, NEW.status, NEW.title, NEW.sections, NEW.change_summary, NEW.approver_name,
            NEW.approved_on, NEW.effective_on, NEW.published_at, NEW.published_by, NEW.created_by, NEW.created_at)
        IS DISTINCT FROM (OLD.no, OLD.status, OLD.title, OLD.sections, OLD.change_summary, OLD.approver_name,
            OLD.approved_on, OLD.effective_on, OLD.published_at, OLD.published_by, OLD.created_by, OLD.created_at)
        OR (OLD.notified_at IS NOT NULL AND NEW.notified_at IS DISTINCT FROM OLD.notified_at) THEN
        RAISE EXCEPTION 'policy version % is published: make a new revision', OLD.no USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER policy_versions_frozen BEFORE UPDATE OR DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_versions_frozen();

-- Each version of a contract's terms records the policy version in force when it was signed or
-- amended.
ALTER TABLE contract_versions ADD COLUMN policy_version_no integer REFERENCES policy_versions (no);

-- Contract templates per kind of contract: default terms and preventive plan, copied into a new
-- contract (later changes of the template never reach existing contracts).
CREATE TABLE contract_templates (
    id                      uuid PRIMARY KEY,
    name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    kind                    text NOT NULL CHECK (kind IN ('website', 'ecommerce', 'social_network', 'it_park', 'other')),
    description             text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    title                   text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    object                  text NOT NULL DEFAULT '' CHECK (length(object) <= 10000),
    services                jsonb NOT NULL DEFAULT '[]',
    maintenance_kinds       text[] NOT NULL DEFAULT '{}',
    initial_months          integer NOT NULL CHECK (initial_months BETWEEN 1 AND 120),
    renewal_months          integer NOT NULL DEFAULT 0 CHECK (renewal_months BETWEEN 0 AND 120),
    notice_months           integer NOT NULL DEFAULT 0 CHECK (notice_months BETWEEN 0 AND 24),
    termination_terms       text NOT NULL DEFAULT '' CHECK (length(termination_terms) <= 10000),
    fee_cents               bigint NOT NULL CHECK (fee_cents BETWEEN 0 AND 100000000000),
    billing_period          text NOT NULL CHECK (billing_period IN ('monthly', 'quarterly', 'yearly')),
    payment_terms_days      integer NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 120),
    included_minutes        integer NOT NULL DEFAULT 0 CHECK (included_minutes BETWEEN 0 AND 100000),
    hourly_rate_cents       bigint NOT NULL DEFAULT 0 CHECK (hourly_rate_cents BETWEEN 0 AND 10000000),
    sla_policy_id           uuid NOT NULL REFERENCES sla_policies (id),
    provider_obligations    text NOT NULL DEFAULT '' CHECK (length(provider_obligations) <= 10000),
    client_obligations      text NOT NULL DEFAULT '' CHECK (length(client_obligations) <= 10000),
    confidentiality         text NOT NULL DEFAULT '' CHECK (length(confidentiality) <= 10000),
    specific_conditions     text NOT NULL DEFAULT '' CHECK (length(specific_conditions) <= 10000),
    exclusions              text NOT NULL DEFAULT '' CHECK (length(exclusions) <= 10000),
    review_months           integer NOT NULL DEFAULT 0 CHECK (review_months BETWEEN 0 AND 60),
    -- The default preventive plan: [{"title": "...", "checklist": [...], "minutes": 60, "rule": "FREQ=MONTHLY", "at_minute": 540, "place": "remote"}]
    plan                    jsonb NOT NULL DEFAULT '[]',
    archived                boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX contract_templates_name_key ON contract_templates (lower(name));

-- Periodic reviews: the interval agreed with the client (0: none) and the template a contract was
-- made from.
ALTER TABLE contracts
    ADD COLUMN review_months integer NOT NULL DEFAULT 0 CHECK (review_months BETWEEN 0 AND 60),
    ADD COLUMN template_id uuid REFERENCES contract_templates (id);

-- A review meeting held with the client: who, what was said and decided, the amendment it led to.
CREATE TABLE contract_reviews (
    id              uuid PRIMARY KEY,
    contract_id     uuid NOT NULL REFERENCES contracts (id),
    held_on         date NOT NULL,
    participants    text NOT NULL CHECK (length(participants) BETWEEN 1 AND 1000),
    notes           text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    decisions       text NOT NULL DEFAULT '' CHECK (length(decisions) <= 10000),
    amendment_no    integer,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    FOREIGN KEY (contract_id, amendment_no) REFERENCES contract_versions (contract_id, no)
);
CREATE INDEX contract_reviews_contract_idx ON contract_reviews (contract_id, held_on DESC);

-- Review reminders, once per contract, due date and lead time (the daily job is idempotent).
CREATE TABLE contract_review_reminders (
    contract_id  uuid NOT NULL REFERENCES contracts (id),
    due_on       date NOT NULL,
    lead_days    integer NOT NULL CHECK (lead_days >= 0),
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (contract_id, due_on, lead_days)
);
