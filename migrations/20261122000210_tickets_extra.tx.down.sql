DROP INDEX IF EXISTS ticket_attachments_message_idx;
DELETE FROM ticket_events WHERE kind = 'diagnosis';
ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_kind_check;
ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_kind_check
    CHECK (kind IN ('opened', 'status', 'assigned', 'escalated', 'priority', 'reopened'));
ALTER TABLE ticket_pauses DROP COLUMN IF EXISTS kind;
DROP INDEX IF EXISTS tickets_reporter_idx;
DROP INDEX IF EXISTS tickets_risk_idx;
DROP INDEX IF EXISTS tickets_opened_idx;
DROP INDEX IF EXISTS tickets_next_due_idx;
ALTER TABLE tickets
    DROP CONSTRAINT IF EXISTS tickets_sla_shape,
    DROP COLUMN IF EXISTS reopened_count,
    DROP COLUMN IF EXISTS resolution_elapsed_seconds,
    DROP COLUMN IF EXISTS reaction_elapsed_seconds,
    DROP COLUMN IF EXISTS risk_at,
    DROP COLUMN IF EXISTS next_due_at,
    DROP COLUMN IF EXISTS resolution_risk_at,
    DROP COLUMN IF EXISTS reaction_risk_at,
    DROP COLUMN IF EXISTS sla_snapshot;
