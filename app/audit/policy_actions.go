package audit

// The provider's house rules: the maintenance policy, contract templates and periodic contract
// reviews.
const (
	PolicyDraftSaved       = "policy.draft_saved"
	PolicyDraftDiscarded   = "policy.draft_discarded"
	PolicyPublished        = "policy.published"
	TemplateCreated        = "contract_template.created"
	TemplateUpdated        = "contract_template.updated"
	TemplateArchived       = "contract_template.archived"
	TemplateUnarchived     = "contract_template.unarchived"
	ContractReviewRecorded = "contract.review_recorded"
	ContractReviewInterval = "contract.review_interval_set"
)

// PolicyActions lists the house-rules actions, for the log filter (KnownActions).
var PolicyActions = []string{
	PolicyDraftSaved, PolicyDraftDiscarded, PolicyPublished, TemplateCreated, TemplateUpdated, TemplateArchived,
	TemplateUnarchived, ContractReviewRecorded, ContractReviewInterval,
}
