package audit

// Changes to SLA policies (service hours, targets, penalties), which every contract using a policy
// depends on.
const (
	SLAPolicyCreated    = "sla_policy.created"
	SLAPolicyUpdated    = "sla_policy.updated"
	SLAPolicyArchived   = "sla_policy.archived"
	SLAPolicyUnarchived = "sla_policy.unarchived"
)

// SLAPolicyActions lists the SLA policy actions, for the log filter (KnownActions).
var SLAPolicyActions = []string{SLAPolicyCreated, SLAPolicyUpdated, SLAPolicyArchived, SLAPolicyUnarchived}
