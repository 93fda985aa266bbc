package audit

// Preventive maintenance actions: a running contract's plan amended, a visit moved.
const (
	PlanChanged             = "contract.plan_changed"
	InterventionRescheduled = "intervention.rescheduled"
)

// SchedulingActions lists the preventive maintenance actions, for the log filter (KnownActions).
var SchedulingActions = []string{PlanChanged, InterventionRescheduled}
