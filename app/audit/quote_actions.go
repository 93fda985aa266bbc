package audit

// Quote actions: every change to a quote, from its draft to the client's decision.
const (
	QuoteCreated      = "quote.created"
	QuoteUpdated      = "quote.updated"
	QuoteDraftDeleted = "quote.draft_deleted"
	QuoteSent         = "quote.sent"
	QuoteRevised      = "quote.revised"
	QuoteReplaced     = "quote.replaced"
	QuoteWithdrawn    = "quote.withdrawn"
	QuoteExpired      = "quote.expired"
	QuoteAccepted     = "quote.accepted"
	QuoteDeclined     = "quote.declined"
)

// QuoteActions lists the quote actions, for the log filter (KnownActions).
var QuoteActions = []string{
	QuoteCreated, QuoteUpdated, QuoteDraftDeleted, QuoteSent, QuoteRevised, QuoteReplaced,
	QuoteWithdrawn, QuoteExpired, QuoteAccepted, QuoteDeclined,
}
