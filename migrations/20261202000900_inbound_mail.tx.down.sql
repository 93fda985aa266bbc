ALTER TABLE outbox_messages DROP COLUMN reply_to, DROP COLUMN thread_ref;
DROP TABLE inbound_state;
DROP TABLE inbound_messages;
