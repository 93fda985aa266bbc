// Package kits holds the technicians' kits (the "valises"): each kit has a content list (item,
// quantity, consumable or not, minimum level) and what it holds now. A technician takes a kit out
// and returns it with a check of the content list; missing items, and consumables about to run
// out, go on a restock list with who reported them and when, and the kit stays incomplete until
// the manager restocks it. Consumables used on an intervention are taken from the kit the
// technician holds and written on the intervention sheet as materials, in one transaction.
//
// The house rule it follows: "Je prends quelque chose, je le remets ! Je respecte les contenus en
// suivant les listes établies. Je signale les choses manquantes, ou mieux, allant manquer."
package kits

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
)

// Limits of what people type (the database holds the same ones).
const (
	MaxName        = 100
	MaxDescription = 2000
	MaxItemName    = 200
	MaxQuantity    = 10000
	MaxItems       = 100
	MaxPriceCents  = 100_000_000_000
)

// Catalogue keys of the conflicts the store reports (409 in the web layer).
const (
	ErrStale     = "error.stale"
	ErrOut       = "kits.error.out"
	ErrNotOut    = "kits.error.not_out"
	ErrReported  = "kits.error.reported"
	ErrFull      = "kits.error.full"
	ErrNotHolder = "kits.error.not_holder"
)

// Kit is a technician's kit with, when read for display, where it is.
type Kit struct {
	bun.BaseModel `bun:"table:kits,alias:k"`

	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	Name        string    `bun:"name"`
	Description string    `bun:"description"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
	Version     int       `bun:"version"`

	// OutingID is the current outing, when the kit is out.
	OutingID   uuid.NullUUID `bun:"outing_id,scanonly,type:uuid"`
	HolderID   uuid.NullUUID `bun:"holder_id,scanonly,type:uuid"`
	HolderName string        `bun:"holder_name,scanonly"`
	TakenAt    time.Time     `bun:"taken_at,scanonly"`
	// Lines is the number of lines of its content list.
	Lines int `bun:"lines,scanonly"`
	// ShortLines counts the lines missing or low now; OpenRestocks the lines on the restock list.
	ShortLines   int `bun:"short_lines,scanonly"`
	OpenRestocks int `bun:"open_restocks,scanonly"`
}

// Out tells whether a technician has the kit.
func (k *Kit) Out() bool { return k.OutingID.Valid }

// Incomplete tells whether something is missing or low, or reported so and not restocked yet.
func (k *Kit) Incomplete() bool { return k.ShortLines > 0 || k.OpenRestocks > 0 }

// State is how a line of the content list stands.
type State string

// The states of a line.
const (
	StateOK      State = "ok"
	StateLow     State = "low"
	StateMissing State = "missing"
)

// Label is the catalogue key naming the state.
func (s State) Label() string { return "kits.state." + string(s) }

// Badge is the colour family of the state's badge.
func (s State) Badge() string {
	switch s {
	case StateMissing:
		return "red"
	case StateLow:
		return "amber"
	default:
		return "green"
	}
}

// Item is a line of a kit's content list.
type Item struct {
	bun.BaseModel `bun:"table:kit_items,alias:ki"`

	ID       uuid.UUID `bun:"id,pk,type:uuid"`
	KitID    uuid.UUID `bun:"kit_id,type:uuid"`
	Position int       `bun:"position"`
	Name     string    `bun:"name"`
	// Quantity is the full content of the line; OnHand what the kit holds now.
	Quantity   int  `bun:"quantity"`
	OnHand     int  `bun:"on_hand"`
	Consumable bool `bun:"consumable"`
	// MinLevel is the level under which a consumable is to be restocked (a tool must be all there).
	MinLevel       int       `bun:"min_level"`
	UnitPriceCents int64     `bun:"unit_price_cents"`
	CreatedAt      time.Time `bun:"created_at"`

	// The line's open restock request, if any.
	RestockID     uuid.NullUUID `bun:"restock_id,scanonly,type:uuid"`
	RestockReason Reason        `bun:"restock_reason,scanonly"`
	RestockByName string        `bun:"restock_by_name,scanonly"`
	RestockAt     time.Time     `bun:"restock_at,scanonly"`
}

// StateOf is the state of a line holding onHand: a tool is missing when any is missing; a
// consumable is missing when none is left and low under its minimum level.
func StateOf(quantity, onHand, minLevel int, consumable bool) State {
	switch {
	case onHand <= 0 || (!consumable && onHand < quantity):
		return StateMissing
	case consumable && onHand < minLevel:
		return StateLow
	default:
		return StateOK
	}
}

// State is the line's state now.
func (it *Item) State() State { return StateOf(it.Quantity, it.OnHand, it.MinLevel, it.Consumable) }

// Reported tells whether the line is on the restock list.
func (it *Item) Reported() bool { return it.RestockID.Valid }

// Reason is why a line is on the restock list.
type Reason string

// The reasons.
const (
	ReasonMissing Reason = "missing"
	ReasonLow     Reason = "low"
)

// Label is the catalogue key naming the reason.
func (r Reason) Label() string { return "kits.reason." + string(r) }

// Badge is the colour family of the reason's badge.
func (r Reason) Badge() string {
	if r == ReasonMissing {
		return "red"
	}
	return "amber"
}

// ItemInput is a line of the content list as the manager types it; ID is uuid.Nil for a new line.
type ItemInput struct {
	ID             uuid.UUID
	Name           string
	Quantity       int
	Consumable     bool
	MinLevel       int
	UnitPriceCents int64
	// Remove drops the line (an existing one).
	Remove bool
}

// Input is a kit as the manager types it: its name, a description, its content list.
type Input struct {
	Name        string
	Description string
	Items       []ItemInput
}

// normalize trims the text and drops the empty new lines; a tool's minimum level is its quantity.
func (in *Input) normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	for n := range in.Items {
		it := &in.Items[n]
		it.Name = strings.TrimSpace(it.Name)
	}
}

// blank tells whether a line is a new one left empty (the form's spare rows).
func (it *ItemInput) blank() bool {
	return it.ID == uuid.Nil && it.Name == "" && it.Quantity == 0 && it.MinLevel == 0 && it.UnitPriceCents == 0
}

// Validate checks the input alone; line problems are keyed "items.N.<field>" by the row N.
func (in *Input) Validate() error {
	in.normalize()
	f := apperr.Fields{}
	in.check(f)
	return f.Err()
}

func (in *Input) check(f apperr.Fields) {
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		f.Add("name", "error.required")
	case n > MaxName:
		f.Add("name", "error.too_long")
	}
	if utf8.RuneCountInString(in.Description) > MaxDescription {
		f.Add("description", "error.too_long")
	}
	if len(in.Items) > MaxItems {
		f.Add("items", "kits.error.too_many_items")
	}
	names := map[string]bool{}
	kept := 0
	for n := range in.Items {
		it := &in.Items[n]
		if it.Remove || it.blank() {
			continue
		}
		kept++
		key := "items." + strconv.Itoa(n) + "."
		switch l := utf8.RuneCountInString(it.Name); {
		case l == 0:
			f.Add(key+"name", "error.required")
		case l > MaxItemName:
			f.Add(key+"name", "error.too_long")
		}
		if low := strings.ToLower(it.Name); it.Name != "" {
			if names[low] {
				f.Add(key+"name", "kits.error.item_twice")
			}
			names[low] = true
		}
		if it.Quantity < 1 || it.Quantity > MaxQuantity {
			f.Add(key+"quantity", "kits.error.quantity_line")
		}
		if !it.Consumable {
			it.MinLevel = it.Quantity
		} else if it.MinLevel < 0 || it.MinLevel > it.Quantity {
			f.Add(key+"min_level", "kits.error.min_level")
		}
		if it.UnitPriceCents < 0 || it.UnitPriceCents > MaxPriceCents {
			f.Add(key+"unit_price", "kits.error.unit_price")
		}
	}
	if kept == 0 {
		f.Add("items", "kits.error.no_items")
	}
}

// Outing is one time a kit was out, from taken to returned.
type Outing struct {
	bun.BaseModel `bun:"table:kit_outings,alias:o"`

	ID           uuid.UUID     `bun:"id,pk,type:uuid"`
	KitID        uuid.UUID     `bun:"kit_id,type:uuid"`
	TechnicianID uuid.UUID     `bun:"technician_id,type:uuid"`
	TakenAt      time.Time     `bun:"taken_at"`
	ReturnedAt   time.Time     `bun:"returned_at,nullzero"`
	ReturnedBy   uuid.NullUUID `bun:"returned_by,type:uuid"`
	ShortLines   int           `bun:"short_lines"`

	TechnicianName string `bun:"technician_name,scanonly"`
	ReturnedByName string `bun:"returned_by_name,scanonly"`
	// Short are the lines found missing or low at the return check; Uses what went on sheets.
	Short []Check `bun:"-"`
	Uses  []*Use  `bun:"-"`
}

// Open tells whether the kit is still out.
func (o *Outing) Open() bool { return o.ReturnedAt.IsZero() }

// Check is a line of a return check.
type Check struct {
	bun.BaseModel `bun:"table:kit_checks,alias:kc"`

	OutingID uuid.UUID     `bun:"outing_id,pk,type:uuid"`
	Position int           `bun:"position,pk"`
	ItemID   uuid.NullUUID `bun:"item_id,type:uuid"`
	Name     string        `bun:"name"`
	Quantity int           `bun:"quantity"`
	Present  int           `bun:"present"`
}

// Restock is a line reported missing or low, on the restock list until the manager restocks it.
type Restock struct {
	bun.BaseModel `bun:"table:kit_restocks,alias:r"`

	ID          uuid.UUID     `bun:"id,pk,type:uuid"`
	KitID       uuid.UUID     `bun:"kit_id,type:uuid"`
	ItemID      uuid.UUID     `bun:"item_id,type:uuid"`
	Reason      Reason        `bun:"reason"`
	OnHand      int           `bun:"on_hand"`
	ReportedBy  uuid.UUID     `bun:"reported_by,type:uuid"`
	ReportedAt  time.Time     `bun:"reported_at"`
	RestockedAt time.Time     `bun:"restocked_at,nullzero"`
	RestockedBy uuid.NullUUID `bun:"restocked_by,type:uuid"`

	KitName  string `bun:"kit_name,scanonly"`
	ItemName string `bun:"item_name,scanonly"`
	Quantity int    `bun:"quantity,scanonly"`
	// Current is what the kit holds of the line now.
	Current      int    `bun:"current,scanonly"`
	Consumable   bool   `bun:"consumable,scanonly"`
	ReporterName string `bun:"reporter_name,scanonly"`
}

// Missing is how many to put back to fill the line now.
func (r *Restock) Missing() int {
	if n := r.Quantity - r.Current; n > 0 {
		return n
	}
	return 0
}

// Use is a consumable taken from a kit for an intervention (also a material line of its sheet).
type Use struct {
	bun.BaseModel `bun:"table:kit_uses,alias:ku"`

	ID             uuid.UUID     `bun:"id,pk,type:uuid"`
	KitID          uuid.UUID     `bun:"kit_id,type:uuid"`
	ItemID         uuid.NullUUID `bun:"item_id,type:uuid"`
	OutingID       uuid.UUID     `bun:"outing_id,type:uuid"`
	InterventionID uuid.UUID     `bun:"intervention_id,type:uuid"`
	MaterialID     uuid.NullUUID `bun:"material_id,type:uuid"`
	Name           string        `bun:"name"`
	Quantity       int           `bun:"quantity"`
	UsedBy         uuid.UUID     `bun:"used_by,type:uuid"`
	UsedAt         time.Time     `bun:"used_at"`

	InterventionNumber int `bun:"intervention_number,scanonly"`
}
