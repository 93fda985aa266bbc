DROP INDEX interventions_late_idx;
DROP INDEX invoices_client_unpaid_idx;
DROP INDEX register_entries_occurred_idx;
DROP INDEX tickets_status_due_idx;
DROP INDEX tickets_client_open_idx;
