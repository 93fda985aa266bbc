package audit

// Kit actions: every change to the technicians' kits (content, outings, returns, reports, restocks,
// consumables put on sheets) and to the boxes kept for warranty.
const (
	KitCreated      = "kit.created"
	KitUpdated      = "kit.updated"
	KitTaken        = "kit.taken"
	KitReturned     = "kit.returned"
	KitItemReported = "kit.item_reported"
	KitRestocked    = "kit.restocked"
	KitUsed         = "kit.used"
	BoxStored       = "equipment.box_stored"
	BoxDiscarded    = "equipment.box_discarded"
)

// KitActions lists the kit and warranty-box actions, for the log filter (KnownActions).
var KitActions = []string{
	KitCreated, KitUpdated, KitTaken, KitReturned, KitItemReported, KitRestocked, KitUsed, BoxStored, BoxDiscarded,
}
