-- Faults reported by email: every message read from the support mailbox, once (its Message-ID, or
-- the digest of its source when it has none, is unique), with what became of it: a new ticket, a
-- message on a ticket, the triage list, or ignored (auto-replies, lists, bounces, our own mail).
CREATE TABLE inbound_messages (
    id                 uuid PRIMARY KEY,
    dedupe_key         text NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 1100),
    message_id         text NOT NULL DEFAULT '' CHECK (length(message_id) <= 1000),
    digest             text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
    received_at        timestamptz NOT NULL,
    sent_at            timestamptz,
    from_address       text NOT NULL DEFAULT '' CHECK (length(from_address) <= 320),
    from_name          text NOT NULL DEFAULT '' CHECK (length(from_name) <= 300),
    subject            text NOT NULL DEFAULT '' CHECK (length(subject) <= 1000),
    size_bytes         bigint NOT NULL CHECK (size_bytes >= 0),
    -- The source as read; only its header when the message was over the size limit (raw_complete false).
    raw                bytea NOT NULL,
    raw_complete       boolean NOT NULL DEFAULT true,
    -- body_text is what went into the ticket (quoted reply and signature trimmed); full_text the whole text.
    body_text          text NOT NULL DEFAULT '',
    full_text          text NOT NULL DEFAULT '',
    status             text NOT NULL CHECK (status IN ('ticket', 'message', 'triage', 'ignored', 'discarded')),
    reason             text NOT NULL DEFAULT '' CHECK (length(reason) <= 50),
    notes              text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    client_id          uuid REFERENCES clients (id),
    ticket_id          uuid REFERENCES tickets (id),
    ticket_message_id  uuid REFERENCES ticket_messages (id),
    ack_sent_at        timestamptz,
    decided_by         uuid REFERENCES users (id),
    decided_at         timestamptz,
    CHECK ((status IN ('ticket', 'message')) = (ticket_id IS NOT NULL)),
    CHECK ((status = 'message') = (ticket_message_id IS NOT NULL))
);
CREATE INDEX inbound_messages_status_idx ON inbound_messages (status, received_at DESC, id DESC);
CREATE INDEX inbound_messages_ticket_idx ON inbound_messages (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX inbound_messages_acks_idx ON inbound_messages (from_address, ack_sent_at) WHERE ack_sent_at IS NOT NULL;

-- The mailbox as the last poll saw it, for the settings page (one row).
CREATE TABLE inbound_state (
    id               smallint PRIMARY KEY CHECK (id = 1),
    last_poll_at     timestamptz,
    last_success_at  timestamptz,
    last_error       text NOT NULL DEFAULT '' CHECK (length(last_error) <= 1000),
    last_error_at    timestamptz,
    waiting          integer NOT NULL DEFAULT 0 CHECK (waiting >= 0),
    processed_last   integer NOT NULL DEFAULT 0 CHECK (processed_last >= 0),
    -- A poll running holds this lease, so a second poll (another instance, a click) waits its turn.
    polling_until    timestamptz
);
INSERT INTO inbound_state (id) VALUES (1);

-- Ticket mails thread back: the ticket reference they belong to and the support mailbox as Reply-To.
ALTER TABLE outbox_messages
    ADD COLUMN thread_ref text NOT NULL DEFAULT '' CHECK (length(thread_ref) <= 20),
    ADD COLUMN reply_to text NOT NULL DEFAULT '' CHECK (length(reply_to) <= 320);
