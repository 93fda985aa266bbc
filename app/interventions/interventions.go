package interventions

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
)

// Limits of what people type, checked by the validations (the database holds the same ones).
const (
	MaxTitle            = 200
	MaxText             = 20000
	MaxReason           = 2000
	MaxNote             = 2000
	MaxTarget           = 200
	MaxActionText       = 10000
	MaxDescription      = 300
	MaxAddendum         = 10000
	MaxSignerName       = 200
	MaxEstimatedMinutes = 60000
	// MaxEntryMinutes is the longest time entry: one day.
	MaxEntryMinutes = 24 * 60
	// MaxQuantityMilli is the largest material quantity, in thousandths (999 999,999).
	MaxQuantityMilli = 999_999_999
	// MaxUnitPriceCents is the highest unit price of a material.
	MaxUnitPriceCents = 100_000_000_000
	// MaxSignatureBytes is the largest signature image.
	MaxSignatureBytes = 512 << 10
)

// Catalogue keys of the conflicts the store reports (apperr Conflict, 409 in the web layer).
const (
	// ErrStale: someone changed the intervention or its sheet since the page was read.
	ErrStale = "error.stale"
	// ErrTransition: the status machine does not allow the move.
	ErrTransition = "interventions.error.transition"
	// ErrFrozen: the sheet is completed (or cancelled): corrections go in an addendum.
	ErrFrozen = "interventions.error.frozen"
	// ErrNotDone: addenda are for completed sheets only.
	ErrNotDone = "interventions.error.not_done"
	// ErrAlreadySigned: a sheet is signed once.
	ErrAlreadySigned = "interventions.error.already_signed"
	// ErrBackupGate (a field error on the time form): the workshop machine's backup is not recorded.
	ErrBackupGate = "equipment.error.backup_gate"
)

// NumberSeries is the counter series of intervention numbers; the year is always 0 (I-0001, I-0042).
const NumberSeries = "I"

// Reference formats the human reference of intervention number n: I-0042.
func Reference(n int) string { return fmt.Sprintf("%s-%04d", NumberSeries, n) }

// Kind is the kind of maintenance an intervention does.
type Kind string

// The kinds.
const (
	KindPreventive   Kind = "preventive"
	KindCorrective   Kind = "corrective"
	KindEvolutive    Kind = "evolutive"
	KindInstallation Kind = "installation"
)

// Kinds lists the kinds in the order forms offer them.
func Kinds() []Kind { return []Kind{KindPreventive, KindCorrective, KindEvolutive, KindInstallation} }

// Valid tells whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Label is the catalogue key naming the kind ("interventions.kind.corrective").
func (k Kind) Label() string { return "interventions.kind." + string(k) }

// Place is where the work is done.
type Place string

// The places.
const (
	PlaceOnSite   Place = "on_site"
	PlaceRemote   Place = "remote"
	PlaceWorkshop Place = "workshop"
)

// Places lists the places in the order forms offer them.
func Places() []Place { return []Place{PlaceOnSite, PlaceRemote, PlaceWorkshop} }

// Valid tells whether p is a known place.
func (p Place) Valid() bool { return slices.Contains(Places(), p) }

// Label is the catalogue key naming the place ("interventions.place.on_site").
func (p Place) Label() string { return "interventions.place." + string(p) }

// Status is where an intervention stands.
type Status string

// The statuses (see the package documentation, rule 1).
const (
	StatusTodo       Status = "todo"
	StatusScheduled  Status = "scheduled"
	StatusInProgress Status = "in_progress"
	StatusDone       Status = "done"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists every status in the order of an intervention's life, for filters.
func Statuses() []Status {
	return []Status{StatusTodo, StatusScheduled, StatusInProgress, StatusDone, StatusCancelled}
}

// PendingStatuses are the statuses of work still waiting or going on.
func PendingStatuses() []Status { return []Status{StatusTodo, StatusScheduled, StatusInProgress} }

// ParseStatus returns the status named s, if there is one.
func ParseStatus(s string) (Status, bool) {
	st := Status(s)
	return st, slices.Contains(Statuses(), st)
}

// Label is the catalogue key naming the status ("interventions.status.in_progress").
func (s Status) Label() string { return "interventions.status." + string(s) }

// IsFinal tells whether nothing leaves s (done, cancelled): the sheet is frozen.
func (s Status) IsFinal() bool { return s == StatusDone || s == StatusCancelled }

var transitions = map[Status][]Status{
	StatusTodo:       {StatusScheduled, StatusInProgress, StatusCancelled},
	StatusScheduled:  {StatusInProgress, StatusCancelled, StatusTodo},
	StatusInProgress: {StatusDone, StatusCancelled},
}

// Next lists the statuses s may move to, in the order buttons show them.
func (s Status) Next() []Status { return slices.Clone(transitions[s]) }

// CanTransition tells whether the status machine allows from → to.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Category is a kind of time counted on a sheet.
type Category string

// The categories the source counts: effective work, travel, time on site with the client (breaks
// taken with the client included), research (information, products).
const (
	CategoryWork     Category = "work"
	CategoryTravel   Category = "travel"
	CategoryOnSite   Category = "on_site"
	CategoryResearch Category = "research"
)

// Categories lists the categories in the order sheets show them.
func Categories() []Category {
	return []Category{CategoryWork, CategoryTravel, CategoryOnSite, CategoryResearch}
}

// Valid tells whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories(), c) }

// Label is the catalogue key naming the category ("interventions.category.travel").
func (c Category) Label() string { return "interventions.category." + string(c) }

// Intervention is one piece of work for a client, and the header of its sheet.
type Intervention struct {
	bun.BaseModel `bun:"table:interventions,alias:i"`

	ID               uuid.UUID     `bun:"id,pk,type:uuid"`
	Number           int           `bun:"number"`
	ClientID         uuid.UUID     `bun:"client_id,type:uuid"`
	ContractID       uuid.NullUUID `bun:"contract_id,type:uuid"`
	TicketID         uuid.NullUUID `bun:"ticket_id,type:uuid"`
	Kind             Kind          `bun:"kind"`
	Place            Place         `bun:"place"`
	Status           Status        `bun:"status"`
	CancelReason     string        `bun:"cancel_reason"`
	Title            string        `bun:"title"`
	EstimatedMinutes int           `bun:"estimated_minutes,nullzero"`
	ScheduledAt      time.Time     `bun:"scheduled_at,nullzero"`
	StartedAt        time.Time     `bun:"started_at,nullzero"`
	CompletedAt      time.Time     `bun:"completed_at,nullzero"`
	Summary          string        `bun:"summary"`
	InternalNotes    string        `bun:"internal_notes"`
	SignLater        bool          `bun:"sign_later"`
	CreatedAt        time.Time     `bun:"created_at"`
	UpdatedAt        time.Time     `bun:"updated_at"`
	Version          int           `bun:"version"`
	// QuoteID is the accepted quote this intervention carries out (billing sets it).
	QuoteID uuid.NullUUID `bun:"quote_id,type:uuid"`

	ClientName        string `bun:"client_name,scanonly"`
	ContractReference string `bun:"contract_reference,scanonly"`
	// Technicians are filled by Get and the lists (selectInterventions), ordered by name.
	Technicians []Technician `bun:"technicians,scanonly,type:jsonb"`
}

// Reference is the human reference (I-0042).
func (i *Intervention) Reference() string { return Reference(i.Number) }

// Estimated tells whether someone estimated the duration; pages show ">999" otherwise.
func (i *Intervention) Estimated() bool { return i.EstimatedMinutes > 0 }

// Technician is a staff user assigned to an intervention.
type Technician struct {
	ID   uuid.UUID `bun:"id,type:uuid" json:"id"`
	Name string    `bun:"name" json:"name"`
}

// Input is what staff type to create or edit an intervention's header.
type Input struct {
	ClientID         uuid.UUID
	ContractID       uuid.UUID
	TicketID         uuid.UUID
	Kind             Kind
	Place            Place
	Title            string
	EstimatedMinutes int
	ScheduledAt      time.Time
	Summary          string
	InternalNotes    string
	Technicians      []uuid.UUID
}

// Normalize trims the text.
func (in *Input) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = cleanText(in.Summary)
	in.InternalNotes = cleanText(in.InternalNotes)
}

func cleanText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// Validate checks the input alone (the store checks what needs the database).
func (in *Input) Validate() error {
	f := apperr.Fields{}
	in.check(f)
	return f.Err()
}

func (in *Input) check(f apperr.Fields) {
	if in.ClientID == uuid.Nil {
		f.Add("client_id", "error.required")
	}
	if !in.Kind.Valid() {
		f.Add("kind", "interventions.error.kind")
	}
	if !in.Place.Valid() {
		f.Add("place", "interventions.error.place")
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		f.Add("title", "error.required")
	case n > MaxTitle:
		f.Add("title", "error.too_long")
	}
	if in.EstimatedMinutes < 0 || in.EstimatedMinutes > MaxEstimatedMinutes {
		f.Add("estimated_minutes", "interventions.error.estimate")
	}
	if utf8.RuneCountInString(in.Summary) > MaxText {
		f.Add("summary", "error.too_long")
	}
	if utf8.RuneCountInString(in.InternalNotes) > MaxText {
		f.Add("internal_notes", "error.too_long")
	}
}

// TimeEntry is time one technician spent on an intervention, in one category.
type TimeEntry struct {
	bun.BaseModel `bun:"table:time_entries,alias:te"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	InterventionID uuid.UUID `bun:"intervention_id,type:uuid"`
	TechnicianID   uuid.UUID `bun:"technician_id,type:uuid"`
	Category       Category  `bun:"category"`
	StartedAt      time.Time `bun:"started_at"`
	Minutes        int       `bun:"minutes"`
	// Billable time is invoiced at the contract's rate; the rest is covered by the contract and
	// consumes its included hours.
	Billable  bool      `bun:"billable"`
	Note      string    `bun:"note"`
	CreatedAt time.Time `bun:"created_at"`

	TechnicianName string `bun:"technician_name,scanonly"`
}

// End is when the entry's time ends.
func (e *TimeEntry) End() time.Time { return e.StartedAt.Add(time.Duration(e.Minutes) * time.Minute) }

// Overlaps tells whether two spans of time share a moment (touching ends do not overlap).
func (e *TimeEntry) Overlaps(o *TimeEntry) bool {
	return e.StartedAt.Before(o.End()) && o.StartedAt.Before(e.End())
}

// Validate checks the entry alone: a known category and technician, a start, and 1 minute to 24 hours.
func (e *TimeEntry) Validate() error {
	f := apperr.Fields{}
	if e.TechnicianID == uuid.Nil {
		f.Add("technician_id", "error.required")
	}
	if !e.Category.Valid() {
		f.Add("category", "interventions.error.category")
	}
	if e.StartedAt.IsZero() {
		f.Add("started_at", "error.required")
	}
	if e.Minutes <= 0 || e.Minutes > MaxEntryMinutes {
		f.Add("minutes", "interventions.error.minutes")
	}
	e.Note = cleanText(e.Note)
	if utf8.RuneCountInString(e.Note) > MaxNote {
		f.Add("note", "error.too_long")
	}
	return f.Err()
}

// EquipmentAction is what was done on one machine or service, and what remains to do.
type EquipmentAction struct {
	bun.BaseModel `bun:"table:equipment_actions,alias:ea"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	InterventionID uuid.UUID `bun:"intervention_id,type:uuid"`
	Position       int       `bun:"position"`
	Target         string    `bun:"target"`
	Done           string    `bun:"done"`
	Remaining      string    `bun:"remaining"`
}

// Material is material handed over to the client for good, with its price excluding VAT.
type Material struct {
	bun.BaseModel `bun:"table:materials,alias:m"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	InterventionID uuid.UUID `bun:"intervention_id,type:uuid"`
	Description    string    `bun:"description"`
	// QuantityMilli is the quantity in thousandths (1,5 → 1500).
	QuantityMilli  Quantity  `bun:"quantity,type:numeric"`
	UnitPriceCents int64     `bun:"unit_price_cents"`
	Billable       bool      `bun:"billable"`
	FromQuote      bool      `bun:"from_quote"`
	CreatedAt      time.Time `bun:"created_at"`
}

// LineCents is quantity × unit price, rounded half away from zero to the cent.
func (m *Material) LineCents() int64 { return roundDiv(int64(m.QuantityMilli)*m.UnitPriceCents, 1000) }

// BilledCents is what the sheet bills for this material: its line when billable, else 0.
func (m *Material) BilledCents() int64 {
	if !m.Billable || m.FromQuote {
		return 0
	}
	return m.LineCents()
}

// Validate checks the material: a description, a quantity above 0, a price of 0 or more; material
// from a quote is not billable (the quote bills it).
func (m *Material) Validate() error {
	f := apperr.Fields{}
	m.Description = strings.TrimSpace(m.Description)
	switch n := utf8.RuneCountInString(m.Description); {
	case n == 0:
		f.Add("description", "error.required")
	case n > MaxDescription:
		f.Add("description", "error.too_long")
	}
	if m.QuantityMilli <= 0 || m.QuantityMilli > MaxQuantityMilli {
		f.Add("quantity", "interventions.error.quantity")
	}
	if m.UnitPriceCents < 0 || m.UnitPriceCents > MaxUnitPriceCents {
		f.Add("unit_price", "interventions.error.unit_price")
	}
	if m.FromQuote {
		m.Billable = false
	}
	return f.Err()
}

// Signature is the client's signature of a sheet: a typed name and a drawn image, with evidence.
type Signature struct {
	bun.BaseModel `bun:"table:signatures,alias:sg"`

	InterventionID uuid.UUID     `bun:"intervention_id,pk,type:uuid"`
	SignerName     string        `bun:"signer_name"`
	Image          []byte        `bun:"image"`
	ImageType      string        `bun:"image_type"`
	SignedAt       time.Time     `bun:"signed_at"`
	SignedBy       uuid.NullUUID `bun:"signed_by,type:uuid"`
	IP             string        `bun:"ip"`
	UserAgent      string        `bun:"user_agent"`
	SignedFrom     string        `bun:"signed_from"`
}

// Where a signature was given.
const (
	SignedOnSite = "onsite"
	SignedPortal = "portal"
)

// Addendum is a correction or complement written after a sheet was completed.
type Addendum struct {
	bun.BaseModel `bun:"table:addenda,alias:ad"`

	ID             uuid.UUID     `bun:"id,pk,type:uuid"`
	InterventionID uuid.UUID     `bun:"intervention_id,type:uuid"`
	AuthorID       uuid.NullUUID `bun:"author_id,type:uuid"`
	AuthorLabel    string        `bun:"author_label"`
	Body           string        `bun:"body"`
	CreatedAt      time.Time     `bun:"created_at"`
}

// Sheet is an intervention with every part of its sheet.
type Sheet struct {
	*Intervention
	TimeEntries []*TimeEntry
	Actions     []*EquipmentAction
	Materials   []*Material
	Signature   *Signature
	Addenda     []*Addendum
}

// MinutesBy sums the sheet's time per category.
func (s *Sheet) MinutesBy() map[Category]int {
	out := map[Category]int{}
	for _, e := range s.TimeEntries {
		out[e.Category] += e.Minutes
	}
	return out
}

// roundDiv divides a by b (b > 0), rounding half away from zero.
func roundDiv(a, b int64) int64 {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}
