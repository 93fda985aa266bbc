-- Preventive maintenance (issue 6): each contract's plan of recurring tasks, the amendments that
-- changed the plan of a running contract, the visits generated from it (one per task and occurrence,
-- whatever runs the generation), the checklist ticked on each visit's sheet, the reschedules, and
-- the technicians' calendar feeds.

CREATE TABLE plan_amendments (
    id               uuid PRIMARY KEY,
    contract_id      uuid NOT NULL REFERENCES contracts (id),
    effective_from   date NOT NULL,
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 2000),
    created_by       uuid REFERENCES users (id),
    created_by_label text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL
);
CREATE INDEX plan_amendments_contract_idx ON plan_amendments (contract_id, created_at DESC);

CREATE TABLE maintenance_tasks (
    id                uuid PRIMARY KEY,
    contract_id       uuid NOT NULL REFERENCES contracts (id),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    target            text NOT NULL DEFAULT '' CHECK (length(target) <= 200),
    checklist         text[] NOT NULL DEFAULT '{}',
    estimated_minutes integer NOT NULL CHECK (estimated_minutes BETWEEN 1 AND 1440),
    technician_id     uuid REFERENCES users (id),
    place             text NOT NULL CHECK (place IN ('on_site', 'remote', 'workshop')),
    -- The RFC 5545 rule without DTSTART ("FREQ=MONTHLY;BYDAY=1TU"); first_on and at_minute are its
    -- DTSTART as a wall-clock time in the provider's zone.
    rrule             text NOT NULL CHECK (length(rrule) BETWEEN 1 AND 500),
    first_on          date NOT NULL,
    at_minute         integer NOT NULL CHECK (at_minute BETWEEN 0 AND 1439),
    exdates           date[] NOT NULL DEFAULT '{}',
    -- The task belongs to the plan from effective_from (NULL: the contract's start) to ended_on
    -- included (NULL: still in the plan); an amendment ends a task and adds its new version.
    effective_from    date,
    ended_on          date,
    amendment_id      uuid REFERENCES plan_amendments (id),
    replaces_id       uuid REFERENCES maintenance_tasks (id),
    created_at        timestamptz NOT NULL,
    CHECK (ended_on IS NULL OR effective_from IS NULL OR ended_on >= effective_from - 1)
);
CREATE INDEX maintenance_tasks_contract_idx ON maintenance_tasks (contract_id, created_at);

CREATE TABLE scheduled_visits (
    task_id         uuid NOT NULL REFERENCES maintenance_tasks (id),
    -- occurs_on is the rule's date; planned_on the day the visit was put on (the next business day
    -- when occurs_on is closed: shift_reason says why).
    occurs_on       date NOT NULL,
    planned_on      date NOT NULL,
    shift_reason    text NOT NULL DEFAULT '',
    intervention_id uuid UNIQUE REFERENCES interventions (id),
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (task_id, occurs_on)
);

CREATE TABLE visit_checklist_items (
    intervention_id uuid NOT NULL REFERENCES interventions (id),
    position        integer NOT NULL CHECK (position >= 0),
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 300),
    checked         boolean NOT NULL DEFAULT false,
    checked_at      timestamptz,
    checked_by      text NOT NULL DEFAULT '',
    PRIMARY KEY (intervention_id, position)
);

CREATE TABLE visit_reschedules (
    id               uuid PRIMARY KEY,
    intervention_id  uuid NOT NULL REFERENCES interventions (id),
    from_at          timestamptz,
    to_at            timestamptz NOT NULL,
    from_technicians text NOT NULL DEFAULT '',
    to_technicians   text NOT NULL DEFAULT '',
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    client_told      boolean NOT NULL DEFAULT false,
    created_by       uuid REFERENCES users (id),
    created_by_label text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL
);
CREATE INDEX visit_reschedules_intervention_idx ON visit_reschedules (intervention_id, created_at);

CREATE TABLE calendar_feeds (
    user_id    uuid PRIMARY KEY REFERENCES users (id),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

CREATE INDEX interventions_scheduled_idx ON interventions (scheduled_at) WHERE scheduled_at IS NOT NULL;
