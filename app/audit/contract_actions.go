package audit

// Contract actions: every change to a contract or its terms.
const (
	ContractCreated        = "contract.created"
	ContractUpdated        = "contract.updated"
	ContractAmended        = "contract.amended"
	ContractStatusChanged  = "contract.status_changed"
	ContractNoticeRecorded = "contract.notice_recorded"
)

// ContractActions lists the contract actions, for the log filter.
var ContractActions = []string{
	ContractCreated, ContractUpdated, ContractAmended, ContractStatusChanged, ContractNoticeRecorded,
}
