// Package equipment holds the clients' equipment (machines, hosting accounts, software licences)
// with their warranty and licence dates, the provider's stock of loan devices, and the workshop:
// a client machine entering the office gets an intake record, a disk backup (or the client's
// documented refusal) before any work, possibly a loan device, and a return.
package equipment

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

// Limits of what people type (the database holds the same ones).
const (
	MaxName     = 100
	MaxShort    = 100
	MaxLocation = 200
	MaxNotes    = 5000
	MaxSeats    = 100000
)

// Catalogue keys of the conflicts the store reports.
const (
	// ErrStale: someone changed the record since the page was read.
	ErrStale = "error.stale"
	// ErrInWorkshop: the machine already has an open workshop stay.
	ErrInWorkshop = "equipment.error.in_workshop"
	// ErrReturned: the stay is closed; nothing more can be recorded on it.
	ErrReturned = "equipment.error.returned"
)

// Kind is what an item is.
type Kind string

// The kinds of equipment.
const (
	KindWorkstation Kind = "workstation"
	KindLaptop      Kind = "laptop"
	KindServer      Kind = "server"
	KindPrinter     Kind = "printer"
	KindNetwork     Kind = "network"
	KindPhone       Kind = "phone"
	KindHosting     Kind = "hosting"
	KindLicence     Kind = "licence"
	KindOther       Kind = "other"
)

// Kinds lists the kinds in the order forms offer them.
func Kinds() []Kind {
	return []Kind{KindWorkstation, KindLaptop, KindServer, KindPrinter, KindNetwork, KindPhone, KindHosting, KindLicence, KindOther}
}

// Valid tells whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Label is the catalogue key naming the kind.
func (k Kind) Label() string { return "equipment.kind." + string(k) }

// Machine tells whether items of this kind are physical machines that can enter the workshop and
// are named by the provider's convention (the installation date).
func (k Kind) Machine() bool {
	return k != KindHosting && k != KindLicence && k.Valid()
}

// Status is where an item stands.
type Status string

// The statuses of equipment.
const (
	StatusInService  Status = "in_service"
	StatusInWorkshop Status = "in_workshop"
	StatusOnLoan     Status = "on_loan"
	StatusInStock    Status = "in_stock"
	StatusRetired    Status = "retired"
)

// Statuses lists the statuses in the order forms offer them.
func Statuses() []Status {
	return []Status{StatusInService, StatusInWorkshop, StatusOnLoan, StatusInStock, StatusRetired}
}

// Valid tells whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Workshop tells whether the status is set by the workshop alone (check-in, loans, return).
func (s Status) Workshop() bool { return s == StatusInWorkshop || s == StatusOnLoan }

// Label is the catalogue key naming the status.
func (s Status) Label() string { return "equipment.status." + string(s) }

// Badge is the colour family of the status badge.
func (s Status) Badge() string {
	switch s {
	case StatusInService:
		return "green"
	case StatusInWorkshop:
		return "blue"
	case StatusOnLoan:
		return "amber"
	default:
		return "grey"
	}
}

// Equipment is one item of a client (or, with no client, a device of the provider's stock).
type Equipment struct {
	bun.BaseModel `bun:"table:equipment,alias:e"`

	ID               uuid.UUID     `bun:"id,pk,type:uuid"`
	ClientID         uuid.NullUUID `bun:"client_id,type:uuid"`
	Kind             Kind          `bun:"kind"`
	Name             string        `bun:"name"`
	Make             string        `bun:"make"`
	Model            string        `bun:"model"`
	Serial           string        `bun:"serial"`
	Location         string        `bun:"location"`
	InstalledOn      time.Time     `bun:"installed_on,type:date,nullzero"`
	PurchasedOn      time.Time     `bun:"purchased_on,type:date,nullzero"`
	WarrantyEndsOn   time.Time     `bun:"warranty_ends_on,type:date,nullzero"`
	ContractID       uuid.NullUUID `bun:"contract_id,type:uuid"`
	Status           Status        `bun:"status"`
	Notes            string        `bun:"notes"`
	Seats            int           `bun:"seats,nullzero"`
	LicenceExpiresOn time.Time     `bun:"licence_expires_on,type:date,nullzero"`
	// BoxLocation is where the item's box is kept for its warranty ("" when none is kept);
	// BoxDiscardedAt when it was thrown away (boxes.go).
	BoxLocation    string    `bun:"box_location"`
	BoxDiscardedAt time.Time `bun:"box_discarded_at,nullzero"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
	Version        int       `bun:"version"`

	ClientName        string `bun:"client_name,scanonly"`
	ContractReference string `bun:"contract_reference,scanonly"`
}

// Stock tells whether the item is the provider's own (a loan device), not a client's.
func (e *Equipment) Stock() bool { return !e.ClientID.Valid }

// Title is the name with make and model when known: "2026-03-14 (Dell Latitude 5440)".
func (e *Equipment) Title() string {
	mm := strings.TrimSpace(e.Make + " " + e.Model)
	if mm == "" {
		return e.Name
	}
	return e.Name + " (" + mm + ")"
}

// Input is what staff type to create or edit an item.
type Input struct {
	ClientID         uuid.UUID // uuid.Nil: the provider's stock
	Kind             Kind
	Name             string
	Make             string
	Model            string
	Serial           string
	Location         string
	InstalledOn      time.Time
	PurchasedOn      time.Time
	WarrantyEndsOn   time.Time
	ContractID       uuid.UUID
	Status           Status
	Notes            string
	Seats            int
	LicenceExpiresOn time.Time
}

// Normalize trims the text and keeps only the dates (UTC midnight).
func (in *Input) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Make = strings.TrimSpace(in.Make)
	in.Model = strings.TrimSpace(in.Model)
	in.Serial = strings.TrimSpace(in.Serial)
	in.Location = strings.TrimSpace(in.Location)
	in.Notes = strings.TrimSpace(strings.ReplaceAll(in.Notes, "\r\n", "\n"))
	in.InstalledOn, in.PurchasedOn, in.WarrantyEndsOn = Day(in.InstalledOn), Day(in.PurchasedOn), Day(in.WarrantyEndsOn)
	in.LicenceExpiresOn = Day(in.LicenceExpiresOn)
	if in.Status == "" {
		in.Status = StatusInService
	}
}

// Validate checks the input alone (the store checks names, serials and references).
func (in *Input) Validate() error {
	f := apperr.Fields{}
	in.check(f)
	return f.Err()
}

func (in *Input) check(f apperr.Fields) {
	if !in.Kind.Valid() {
		f.Add("kind", "equipment.error.kind")
	}
	if n := utf8.RuneCountInString(in.Name); n > MaxName {
		f.Add("name", "error.too_long")
	}
	for k, v := range map[string]string{"make": in.Make, "model": in.Model, "serial": in.Serial} {
		if utf8.RuneCountInString(v) > MaxShort {
			f.Add(k, "error.too_long")
		}
	}
	if utf8.RuneCountInString(in.Location) > MaxLocation {
		f.Add("location", "error.too_long")
	}
	if utf8.RuneCountInString(in.Notes) > MaxNotes {
		f.Add("notes", "error.too_long")
	}
	if !in.Status.Valid() {
		f.Add("status", "equipment.error.status")
	}
	if in.ClientID == uuid.Nil && in.Status == StatusInWorkshop {
		f.Add("status", "equipment.error.status")
	}
	if in.ClientID != uuid.Nil && in.Status == StatusOnLoan {
		f.Add("status", "equipment.error.loan_status")
	}
	if !in.PurchasedOn.IsZero() && !in.WarrantyEndsOn.IsZero() && in.WarrantyEndsOn.Before(in.PurchasedOn) {
		f.Add("warranty_ends_on", "equipment.error.warranty_before_purchase")
	}
	if in.Kind == KindLicence {
		if in.Seats < 0 || in.Seats > MaxSeats {
			f.Add("seats", "equipment.error.seats")
		}
	} else if in.Seats != 0 || !in.LicenceExpiresOn.IsZero() {
		if in.Seats != 0 {
			f.Add("seats", "equipment.error.licence_only")
		} else {
			f.Add("licence_expires_on", "equipment.error.licence_only")
		}
	}
}

// Day returns the civil date of t at UTC midnight (the zero time stays zero).
func Day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// NameFor proposes the provider's name of a machine installed on day: the date as YYYY-MM-DD, then
// with a letter when several machines share it (2026-03-14, 2026-03-14B, 2026-03-14C … 2026-03-14Z,
// 2026-03-14AA …), skipping the names already taken (compared without case).
func NameFor(day time.Time, taken []string) string {
	base := day.Format(time.DateOnly)
	used := map[string]bool{}
	for _, t := range taken {
		used[strings.ToLower(t)] = true
	}
	if !used[strings.ToLower(base)] {
		return base
	}
	for n := 2; ; n++ {
		name := base + letters(n)
		if !used[strings.ToLower(name)] {
			return name
		}
	}
}

// letters writes n ≥ 1 in bijective base 26: 1 A, 2 B … 26 Z, 27 AA.
func letters(n int) string {
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}

// IntakeSeries is the counter series of workshop intakes; the year is always 0 (A-0001).
const IntakeSeries = "A"

// IntakeReference formats the human reference of intake number n: A-0042.
func IntakeReference(n int) string { return fmt.Sprintf("%s-%04d", IntakeSeries, n) }
