DROP INDEX IF EXISTS invoices_issue_date_idx;
DROP TABLE IF EXISTS stripe_reconciliation_findings;
DROP TABLE IF EXISTS stripe_reconciliation_runs;
DROP TABLE IF EXISTS stripe_pending_refunds;
