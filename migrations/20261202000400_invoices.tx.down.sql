DROP TABLE IF EXISTS invoice_reminders;
DROP TABLE IF EXISTS stripe_events;
DROP TABLE IF EXISTS payment_attempts;
DROP TABLE IF EXISTS payments;
DROP TABLE IF EXISTS invoice_sources;
DROP TABLE IF EXISTS invoice_lines;
DROP TABLE IF EXISTS invoices;
DROP FUNCTION IF EXISTS invoice_lines_guard();
DROP FUNCTION IF EXISTS invoices_guard();
ALTER TABLE organisation
    DROP COLUMN IF EXISTS iban,
    DROP COLUMN IF EXISTS bic,
    DROP COLUMN IF EXISTS invoice_footer,
    DROP COLUMN IF EXISTS default_vat_bp,
    DROP COLUMN IF EXISTS vat_exempt,
    DROP COLUMN IF EXISTS late_penalty_bp,
    DROP COLUMN IF EXISTS internal_hourly_cost_cents,
    DROP COLUMN IF EXISTS invoice_reminder_days;
DELETE FROM counters WHERE series IN ('F', 'A');
