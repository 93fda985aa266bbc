package audit

// Inbound mail actions: staff's decisions on the mails waiting in triage.
const (
	InboundAttached  = "inbound.attached"
	InboundDiscarded = "inbound.discarded"
)

// InboundActions lists the inbound mail actions, for the log filter (KnownActions).
var InboundActions = []string{InboundAttached, InboundDiscarded}
