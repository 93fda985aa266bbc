-- Fault reports (tickets): reported from the portal, by email or by phone; triaged, diagnosed,
-- resolved against the SLA of the contract version in force when they were opened.
CREATE TABLE tickets (
    id                   uuid PRIMARY KEY,
    number               integer NOT NULL UNIQUE CHECK (number > 0),
    client_id            uuid NOT NULL REFERENCES clients (id),
    contract_id          uuid REFERENCES contracts (id),
    contract_version     integer,
    service_label        text NOT NULL DEFAULT '' CHECK (length(service_label) <= 300),
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description          text NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    priority             text NOT NULL CHECK (priority IN ('critical', 'high', 'normal', 'low')),
    channel              text NOT NULL CHECK (channel IN ('portal', 'email', 'phone')),
    reporter_id          uuid REFERENCES users (id),
    reporter_label       text NOT NULL DEFAULT '',
    contact_phone        text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
    status               text NOT NULL DEFAULT 'new' CHECK (status IN
                         ('new', 'acknowledged', 'diagnosed', 'in_progress', 'waiting_client', 'resolved', 'closed')),
    assignee_id          uuid REFERENCES users (id),
    escalation_level     integer NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
    diagnosis            text NOT NULL DEFAULT '' CHECK (length(diagnosis) <= 20000),
    repair_plan          text NOT NULL DEFAULT '' CHECK (length(repair_plan) <= 20000),
    -- The SLA in force at opening: the policy and its targets for the priority, in business minutes.
    sla_policy_id        uuid REFERENCES sla_policies (id),
    reaction_minutes     integer,
    resolution_minutes   integer,
    opened_at            timestamptz NOT NULL,
    reaction_due_at      timestamptz,
    resolution_due_at    timestamptz,
    acknowledged_at      timestamptz,
    resolved_at          timestamptz,
    closed_at            timestamptz,
    reaction_breached    boolean NOT NULL DEFAULT false,
    resolution_breached  boolean NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL,
    version              integer NOT NULL DEFAULT 1,
    CHECK ((contract_id IS NULL) = (contract_version IS NULL))
);
CREATE INDEX tickets_client_idx ON tickets (client_id, opened_at DESC, id DESC);
CREATE INDEX tickets_queue_idx ON tickets (status, resolution_due_at NULLS LAST, id);
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, status);
CREATE INDEX tickets_contract_idx ON tickets (contract_id, opened_at);

-- Periods when the resolution clock stood still (waiting on the client).
CREATE TABLE ticket_pauses (
    ticket_id   uuid NOT NULL REFERENCES tickets (id),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    PRIMARY KEY (ticket_id, started_at),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX ticket_pauses_open_key ON ticket_pauses (ticket_id) WHERE ended_at IS NULL;

-- The conversation: public messages (client and staff) and internal notes (staff only).
CREATE TABLE ticket_messages (
    id            uuid PRIMARY KEY,
    ticket_id     uuid NOT NULL REFERENCES tickets (id),
    author_id     uuid REFERENCES users (id),
    author_label  text NOT NULL DEFAULT '',
    from_staff    boolean NOT NULL,
    internal      boolean NOT NULL DEFAULT false,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_at    timestamptz NOT NULL,
    CHECK (NOT internal OR from_staff)
);
CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, created_at, id);

CREATE TABLE ticket_attachments (
    id            uuid PRIMARY KEY,
    ticket_id     uuid NOT NULL REFERENCES tickets (id),
    message_id    uuid REFERENCES ticket_messages (id),
    storage_key   text NOT NULL UNIQUE,
    filename      text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    sha256        text NOT NULL,
    uploaded_by   uuid REFERENCES users (id),
    internal      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);
CREATE INDEX ticket_attachments_ticket_idx ON ticket_attachments (ticket_id, created_at);

-- What happened to a ticket: status changes, assignments, escalations, priority changes.
CREATE TABLE ticket_events (
    id           uuid PRIMARY KEY,
    ticket_id    uuid NOT NULL REFERENCES tickets (id),
    at           timestamptz NOT NULL,
    actor_id     uuid REFERENCES users (id),
    actor_label  text NOT NULL DEFAULT '',
    kind         text NOT NULL CHECK (kind IN ('opened', 'status', 'assigned', 'escalated', 'priority', 'reopened')),
    from_value   text NOT NULL DEFAULT '',
    to_value     text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 2000)
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, at, id);
