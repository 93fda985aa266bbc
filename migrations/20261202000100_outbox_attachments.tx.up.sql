-- Files attached to an outbox message (the intervention sheet's PDF, say), written in the same
-- transaction as the message and read by the delivery job. Up to 10 MiB per file: the SMTP servers
-- we hand mail to refuse larger messages anyway.
CREATE TABLE outbox_attachments (
    message_id    uuid NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
    position      integer NOT NULL CHECK (position >= 0),
    filename      text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type  text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 200),
    content       bytea NOT NULL CHECK (length(content) BETWEEN 1 AND 10485760),
    PRIMARY KEY (message_id, position)
);
