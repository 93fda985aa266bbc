-- What the tickets package keeps beside the first tickets schema: a snapshot of the SLA in force at
-- opening (so that later edits of the policy never move a ticket's deadlines), the instants at which
-- each clock becomes "at risk", the nearest running deadline for the queue, the business time each
-- clock actually took, and how often a ticket was reopened.
ALTER TABLE tickets
    -- Service hours, holidays, closures, time zone and the targets of every priority of the policy
    -- in force at opening (tickets.SLASnapshot); NULL when the ticket has no SLA.
    ADD COLUMN sla_snapshot               jsonb,
    -- When less than 25 % of each target's business time is left (NULL when not running/unknown).
    ADD COLUMN reaction_risk_at           timestamptz,
    ADD COLUMN resolution_risk_at         timestamptz,
    -- The deadline of the clock running now (reaction until acknowledged, then resolution), and its
    -- at-risk instant: the queue sorts on the first, the escalation job looks for the second.
    ADD COLUMN next_due_at                timestamptz,
    ADD COLUMN risk_at                    timestamptz,
    -- Business time taken, in seconds, once each clock has stopped (pauses excluded).
    ADD COLUMN reaction_elapsed_seconds   integer CHECK (reaction_elapsed_seconds >= 0),
    ADD COLUMN resolution_elapsed_seconds integer CHECK (resolution_elapsed_seconds >= 0),
    ADD COLUMN reopened_count             integer NOT NULL DEFAULT 0 CHECK (reopened_count >= 0),
    ADD CONSTRAINT tickets_sla_shape CHECK ((sla_policy_id IS NULL) = (sla_snapshot IS NULL));

-- The queue sorted by the nearest deadline (tickets without one last), and the newest first.
CREATE INDEX tickets_next_due_idx ON tickets ((coalesce(next_due_at, 'infinity'::timestamptz)), id);
CREATE INDEX tickets_opened_idx ON tickets (opened_at DESC, id DESC);
-- The escalation job: tickets whose running clock is at risk.
CREATE INDEX tickets_risk_idx ON tickets (risk_at) WHERE risk_at IS NOT NULL;
-- The portal's "mine" filter.
CREATE INDEX tickets_reporter_idx ON tickets (reporter_id, opened_at DESC, id DESC) WHERE reporter_id IS NOT NULL;

-- A pause is either a wait on the client (status waiting_client) or the time a ticket stayed
-- resolved before it was reopened (the client had a working service meanwhile).
ALTER TABLE ticket_pauses
    ADD COLUMN kind text NOT NULL DEFAULT 'waiting_client' CHECK (kind IN ('waiting_client', 'reopened'));

-- Recording or changing the diagnosis and repair plan is part of the ticket's history.
ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_kind_check;
ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_kind_check
    CHECK (kind IN ('opened', 'status', 'assigned', 'escalated', 'priority', 'reopened', 'diagnosis'));

CREATE INDEX ticket_attachments_message_idx ON ticket_attachments (message_id) WHERE message_id IS NOT NULL;
