package audit

// Invoice actions: drafts, issuing, credit notes, payments and what Stripe reports.
const (
	InvoiceCreated      = "invoice.created"
	InvoiceUpdated      = "invoice.updated"
	InvoiceDraftDeleted = "invoice.draft_deleted"
	InvoiceIssued       = "invoice.issued"
	CreditNoteIssued    = "invoice.credit_note_issued"
	PaymentRecorded     = "invoice.payment_recorded"
	PaymentRefunded     = "invoice.payment_refunded"
	PaymentFlagged      = "invoice.payment_flagged"
	PaymentDisputed     = "invoice.payment_disputed"
	// PaymentReconciled is a paid Checkout Session whose webhook was missed, booked by the daily
	// reconciliation with Stripe.
	PaymentReconciled = "invoice.payment_reconciled"
	// ReconciliationHandled is a reconciliation finding marked handled by staff.
	ReconciliationHandled = "invoice.reconciliation_handled"
)

// InvoiceActions lists the invoice actions, for the log filter (KnownActions).
var InvoiceActions = []string{
	InvoiceCreated, InvoiceUpdated, InvoiceDraftDeleted, InvoiceIssued, CreditNoteIssued,
	PaymentRecorded, PaymentRefunded, PaymentFlagged, PaymentDisputed, PaymentReconciled, ReconciliationHandled,
}
