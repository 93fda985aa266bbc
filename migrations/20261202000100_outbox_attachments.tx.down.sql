DROP TABLE IF EXISTS outbox_attachments;
