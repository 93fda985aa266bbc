package equipment

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// Limits of the intake's text.
const (
	MaxPerson      = 200
	MaxIntakeText  = 5000
	MaxAccessories = 2000
	MaxLabel       = 50
	MaxBackupPlace = 500
)

// BackupState is where the backup gate stands.
type BackupState string

// The states of the backup gate: pending blocks any work on the intervention.
const (
	BackupPending BackupState = "pending"
	BackupDone    BackupState = "done"
	BackupRefused BackupState = "refused"
)

// Label is the catalogue key naming the state.
func (s BackupState) Label() string { return "equipment.backup." + string(s) }

// Badge is the colour family of the state's badge.
func (s BackupState) Badge() string {
	switch s {
	case BackupDone:
		return "green"
	case BackupRefused:
		return "amber"
	default:
		return "red"
	}
}

// Intake is one stay of a client machine in the workshop.
type Intake struct {
	bun.BaseModel `bun:"table:workshop_intakes,alias:wi"`

	ID              uuid.UUID     `bun:"id,pk,type:uuid"`
	Number          int           `bun:"number"`
	ClientID        uuid.UUID     `bun:"client_id,type:uuid"`
	EquipmentID     uuid.UUID     `bun:"equipment_id,type:uuid"`
	InterventionID  uuid.UUID     `bun:"intervention_id,type:uuid"`
	BroughtBy       string        `bun:"brought_by"`
	BroughtAt       time.Time     `bun:"brought_at"`
	Reason          string        `bun:"reason"`
	Condition       string        `bun:"condition"`
	Accessories     string        `bun:"accessories"`
	Label           string        `bun:"label"`
	CheckedInBy     uuid.UUID     `bun:"checked_in_by,type:uuid"`
	BackupState     BackupState   `bun:"backup_state"`
	BackupLocation  string        `bun:"backup_location"`
	BackupBy        uuid.NullUUID `bun:"backup_by,type:uuid"`
	BackupAt        time.Time     `bun:"backup_at,nullzero"`
	RefusedBy       string        `bun:"refused_by"`
	RefusedHow      string        `bun:"refused_how"`
	RefusedAt       time.Time     `bun:"refused_at,nullzero"`
	ReturnedAt      time.Time     `bun:"returned_at,nullzero"`
	ReturnedTo      string        `bun:"returned_to"`
	ReturnedBy      uuid.NullUUID `bun:"returned_by,type:uuid"`
	AccessoriesBack bool          `bun:"accessories_back"`
	KeptInStock     bool          `bun:"kept_in_stock"`
	ReturnNotes     string        `bun:"return_notes"`
	CreatedAt       time.Time     `bun:"created_at"`
	UpdatedAt       time.Time     `bun:"updated_at"`
	Version         int           `bun:"version"`

	ClientName         string `bun:"client_name,scanonly"`
	EquipmentName      string `bun:"equipment_name,scanonly"`
	EquipmentKind      Kind   `bun:"equipment_kind,scanonly"`
	EquipmentMakeModel string `bun:"equipment_make_model,scanonly"`
	EquipmentSerial    string `bun:"equipment_serial,scanonly"`
	InterventionNumber int    `bun:"intervention_number,scanonly"`
	InterventionStatus string `bun:"intervention_status,scanonly"`
	CheckedInByName    string `bun:"checked_in_by_name,scanonly"`
	BackupByName       string `bun:"backup_by_name,scanonly"`
	ReturnedByName     string `bun:"returned_by_name,scanonly"`

	// Loans are filled by GetIntake and the board, oldest first.
	Loans []*Loan `bun:"-"`
}

// Reference is the human reference of the stay (A-0042).
func (i *Intake) Reference() string { return IntakeReference(i.Number) }

// Open tells whether the machine is still in the workshop.
func (i *Intake) Open() bool { return i.ReturnedAt.IsZero() }

// GateOpen tells whether work may be logged: a backup or a documented refusal is recorded.
func (i *Intake) GateOpen() bool { return i.BackupState != BackupPending }

// OpenLoan returns the loan device still out, if any.
func (i *Intake) OpenLoan() *Loan {
	for _, l := range i.Loans {
		if l.ReturnedAt.IsZero() {
			return l
		}
	}
	return nil
}

// Loan is a device of the provider's stock lent to the client during a stay.
type Loan struct {
	bun.BaseModel `bun:"table:workshop_loans,alias:wl"`

	ID          uuid.UUID     `bun:"id,pk,type:uuid"`
	IntakeID    uuid.UUID     `bun:"intake_id,type:uuid"`
	EquipmentID uuid.UUID     `bun:"equipment_id,type:uuid"`
	LentAt      time.Time     `bun:"lent_at"`
	LentBy      uuid.UUID     `bun:"lent_by,type:uuid"`
	ReturnedAt  time.Time     `bun:"returned_at,nullzero"`
	TakenBackBy uuid.NullUUID `bun:"taken_back_by,type:uuid"`

	EquipmentName      string `bun:"equipment_name,scanonly"`
	EquipmentMakeModel string `bun:"equipment_make_model,scanonly"`
}

// Out tells whether the device is still with the client.
func (l *Loan) Out() bool { return l.ReturnedAt.IsZero() }

// CheckIn is what staff record when a client machine enters the workshop.
type CheckIn struct {
	EquipmentID uuid.UUID
	BroughtBy   string
	BroughtAt   time.Time
	Reason      string
	Condition   string
	Accessories string
	Label       string
}

// Normalize trims the text.
func (in *CheckIn) Normalize() {
	in.BroughtBy = strings.TrimSpace(in.BroughtBy)
	in.Reason = cleanText(in.Reason)
	in.Condition = cleanText(in.Condition)
	in.Accessories = cleanText(in.Accessories)
	in.Label = strings.TrimSpace(in.Label)
}

func cleanText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// Validate checks the check-in alone.
func (in *CheckIn) Validate() error {
	f := apperr.Fields{}
	in.check(f)
	return f.Err()
}

func (in *CheckIn) check(f apperr.Fields) {
	if in.EquipmentID == uuid.Nil {
		f.Add("equipment_id", "error.required")
	}
	text(f, "brought_by", in.BroughtBy, MaxPerson, true)
	if in.BroughtAt.IsZero() {
		f.Add("brought_at", "error.required")
	}
	text(f, "reason", in.Reason, MaxIntakeText, true)
	text(f, "condition", in.Condition, MaxIntakeText, false)
	text(f, "accessories", in.Accessories, MaxAccessories, false)
	text(f, "label", in.Label, MaxLabel, false)
}

func text(f apperr.Fields, field, v string, max int, required bool) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0 && required:
		f.Add(field, "error.required")
	case n > max:
		f.Add(field, "error.too_long")
	}
}

// ClientOf returns the client of a client's machine, for the web layer to open the workshop
// intervention before CheckInMachine: a stock device or a retired item cannot be checked in (the
// field "equipment_id"), one already in the workshop is a conflict.
func ClientOf(ctx context.Context, db bun.IDB, equipmentID uuid.UUID) (uuid.UUID, error) {
	e, err := Get(ctx, db, equipmentID)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return uuid.Nil, apperr.Fields{"equipment_id": "equipment.error.unknown"}.Err()
		}
		return uuid.Nil, err
	}
	if e.Stock() || e.Status == StatusRetired || !e.Kind.Machine() {
		return uuid.Nil, apperr.Fields{"equipment_id": "equipment.error.not_checkable"}.Err()
	}
	if e.Status == StatusInWorkshop {
		return uuid.Nil, apperr.Conflictf(ErrInWorkshop)
	}
	return e.ClientID.UUID, nil
}

// CheckInMachine records a client machine entering the workshop, with the workshop intervention
// the caller opened for it in the same transaction; the machine's status becomes in_workshop. A
// machine already in the workshop is a Conflict (ErrInWorkshop), also when two check-ins race (the
// database keeps one open stay per machine).
func CheckInMachine(ctx context.Context, db bun.IDB, in CheckIn, interventionID, staffID uuid.UUID, now time.Time) (*Intake, error) {
	now = stamp(now)
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	e, err := lock(ctx, db, in.EquipmentID, 0)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return nil, apperr.Fields{"equipment_id": "equipment.error.unknown"}.Err()
		}
		return nil, err
	}
	if e.Stock() || e.Status == StatusRetired || !e.Kind.Machine() {
		return nil, apperr.Fields{"equipment_id": "equipment.error.not_checkable"}.Err()
	}
	if e.Status == StatusInWorkshop {
		return nil, apperr.Conflictf(ErrInWorkshop)
	}
	if in.BroughtAt.After(now) {
		return nil, apperr.Fields{"brought_at": "equipment.error.future"}.Err()
	}
	i := &Intake{
		ID: uuid.Must(uuid.NewV7()), ClientID: e.ClientID.UUID, EquipmentID: e.ID, InterventionID: interventionID,
		BroughtBy: in.BroughtBy, BroughtAt: stamp(in.BroughtAt), Reason: in.Reason, Condition: in.Condition,
		Accessories: in.Accessories, Label: in.Label, CheckedInBy: staffID, BackupState: BackupPending,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if i.Number, err = database.NextNumber(ctx, db, IntakeSeries, 0); err != nil {
		return nil, fmt.Errorf("equipment: check in: %w", err)
	}
	if _, err := db.NewInsert().Model(i).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Conflictf(ErrInWorkshop)
		}
		return nil, fmt.Errorf("equipment: check in: %w", err)
	}
	if err := setStatus(ctx, db, e, StatusInWorkshop, now); err != nil {
		return nil, err
	}
	return GetIntake(ctx, db, i.ID)
}

// selectIntakes selects stays with their machine, client, intervention and people.
func selectIntakes(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("wi.*").
		ColumnExpr("cl.name AS client_name").
		ColumnExpr("e.name AS equipment_name, e.kind AS equipment_kind, e.serial AS equipment_serial").
		ColumnExpr("trim(e.make || ' ' || e.model) AS equipment_make_model").
		ColumnExpr("i.number AS intervention_number, i.status AS intervention_status").
		ColumnExpr("coalesce(uc.name, '') AS checked_in_by_name").
		ColumnExpr("coalesce(ub.name, '') AS backup_by_name").
		ColumnExpr("coalesce(ur.name, '') AS returned_by_name").
		Join("JOIN clients AS cl ON cl.id = wi.client_id").
		Join("JOIN equipment AS e ON e.id = wi.equipment_id").
		Join("JOIN interventions AS i ON i.id = wi.intervention_id").
		Join("LEFT JOIN users AS uc ON uc.id = wi.checked_in_by").
		Join("LEFT JOIN users AS ub ON ub.id = wi.backup_by").
		Join("LEFT JOIN users AS ur ON ur.id = wi.returned_by")
}

// GetIntake returns a stay with its loans, for staff.
func GetIntake(ctx context.Context, db bun.IDB, id uuid.UUID) (*Intake, error) {
	return getIntake(ctx, db, id, uuid.Nil)
}

// GetIntakeForClient returns a stay of one client, for the portal: another client's is NotFound.
func GetIntakeForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Intake, error) {
	if clientID == uuid.Nil {
		return nil, apperr.NotFoundf("intake")
	}
	return getIntake(ctx, db, id, clientID)
}

func getIntake(ctx context.Context, db bun.IDB, id, clientID uuid.UUID) (*Intake, error) {
	i := new(Intake)
	q := selectIntakes(db, i).Where("wi.id = ?", id)
	if clientID != uuid.Nil {
		q = q.Where("wi.client_id = ?", clientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("intake")
		}
		return nil, fmt.Errorf("equipment: get intake: %w", err)
	}
	if err := loadLoans(ctx, db, []*Intake{i}); err != nil {
		return nil, err
	}
	return i, nil
}

// loadLoans fills the loans of stays in one query.
func loadLoans(ctx context.Context, db bun.IDB, is []*Intake) error {
	if len(is) == 0 {
		return nil
	}
	byID := map[uuid.UUID]*Intake{}
	ids := make([]uuid.UUID, 0, len(is))
	for _, i := range is {
		byID[i.ID], i.Loans = i, nil
		ids = append(ids, i.ID)
	}
	var ls []*Loan
	err := db.NewSelect().Model(&ls).ColumnExpr("wl.*").
		ColumnExpr("e.name AS equipment_name, trim(e.make || ' ' || e.model) AS equipment_make_model").
		Join("JOIN equipment AS e ON e.id = wl.equipment_id").
		Where("wl.intake_id IN (?)", bun.List(ids)).OrderExpr("wl.lent_at, wl.id").Scan(ctx)
	if err != nil {
		return fmt.Errorf("equipment: loans: %w", err)
	}
	for _, l := range ls {
		byID[l.IntakeID].Loans = append(byID[l.IntakeID].Loans, l)
	}
	return nil
}

// Board returns every machine now in the workshop, oldest first, with its loans (two queries).
func Board(ctx context.Context, db bun.IDB) ([]*Intake, error) {
	var is []*Intake
	if err := selectIntakes(db, &is).Where("wi.returned_at IS NULL").OrderExpr("wi.brought_at, wi.id").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("equipment: board: %w", err)
	}
	if err := loadLoans(ctx, db, is); err != nil {
		return nil, err
	}
	return is, nil
}

// Stays returns the stays of one item, newest first (two queries); clientID scopes them for the
// portal (uuid.Nil for staff).
func Stays(ctx context.Context, db bun.IDB, clientID, equipmentID uuid.UUID) ([]*Intake, error) {
	var is []*Intake
	q := selectIntakes(db, &is).Where("wi.equipment_id = ?", equipmentID)
	if clientID != uuid.Nil {
		q = q.Where("wi.client_id = ?", clientID)
	}
	if err := q.OrderExpr("wi.brought_at DESC, wi.id DESC").Limit(200).Scan(ctx); err != nil {
		return nil, fmt.Errorf("equipment: stays: %w", err)
	}
	if err := loadLoans(ctx, db, is); err != nil {
		return nil, err
	}
	return is, nil
}

// IntakeOfIntervention returns the stay an intervention was opened for, or NotFound.
func IntakeOfIntervention(ctx context.Context, db bun.IDB, interventionID uuid.UUID) (*Intake, error) {
	i := new(Intake)
	if err := selectIntakes(db, i).Where("wi.intervention_id = ?", interventionID).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("intake")
		}
		return nil, fmt.Errorf("equipment: intake of intervention: %w", err)
	}
	return i, loadLoans(ctx, db, []*Intake{i})
}

// WorkBlocked tells whether work logged on an intervention must be refused: the intervention was
// opened for a machine still in the workshop whose backup gate is pending (no backup and no
// documented refusal). Interventions without a stay are never blocked.
func WorkBlocked(ctx context.Context, db bun.IDB, interventionID uuid.UUID) (bool, error) {
	n, err := db.NewSelect().Table("workshop_intakes").
		Where("intervention_id = ? AND returned_at IS NULL AND backup_state = ?", interventionID, BackupPending).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("equipment: backup gate: %w", err)
	}
	return n > 0, nil
}

// lockIntake reads an open stay for update and checks the version the page was read at.
func lockIntake(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int) (*Intake, error) {
	i := new(Intake)
	if err := db.NewSelect().Model(i).Where("wi.id = ?", id).For("NO KEY UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("intake")
		}
		return nil, fmt.Errorf("equipment: lock intake: %w", err)
	}
	if !i.Open() {
		return nil, apperr.Conflictf(ErrReturned)
	}
	if i.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	return i, nil
}

func bumpIntake(ctx context.Context, db bun.IDB, i *Intake, now time.Time) error {
	i.UpdatedAt = stamp(now)
	i.Version++
	if _, err := db.NewUpdate().Model(i).WherePK().ExcludeColumn("id", "number", "created_at").Exec(ctx); err != nil {
		return fmt.Errorf("equipment: update intake: %w", err)
	}
	return nil
}

// RecordBackup records the disk backup made before any work: where it is stored, who made it
// (active staff) and when. It opens the backup gate (a refusal recorded before is replaced).
func RecordBackup(ctx context.Context, db bun.IDB, id uuid.UUID, location string, by uuid.UUID, at time.Time, expectedVersion int, now time.Time) (*Intake, error) {
	location = strings.TrimSpace(location)
	f := apperr.Fields{}
	text(f, "backup_location", location, MaxBackupPlace, true)
	if at.IsZero() {
		f.Add("backup_at", "error.required")
	} else if at.After(stamp(now)) {
		f.Add("backup_at", "equipment.error.future")
	}
	n, err := db.NewSelect().Table("users").Where("id = ? AND kind = 'staff' AND active", by).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("equipment: check staff: %w", err)
	}
	if n == 0 {
		f.Add("backup_by", "equipment.error.staff_unknown")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	i, err := lockIntake(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	i.BackupState, i.BackupLocation, i.BackupBy, i.BackupAt = BackupDone, location, nullID(by), stamp(at)
	i.RefusedBy, i.RefusedHow, i.RefusedAt = "", "", time.Time{}
	if err := bumpIntake(ctx, db, i, now); err != nil {
		return nil, err
	}
	return GetIntake(ctx, db, id)
}

// RecordRefusal records the client's documented refusal of the backup: who refused, how (by phone,
// in writing…) and when. It opens the backup gate; a backup already recorded cannot be replaced by
// a refusal (Conflict).
func RecordRefusal(ctx context.Context, db bun.IDB, id uuid.UUID, who, how string, at time.Time, expectedVersion int, now time.Time) (*Intake, error) {
	who, how = strings.TrimSpace(who), cleanText(how)
	f := apperr.Fields{}
	text(f, "refused_by", who, MaxPerson, true)
	text(f, "refused_how", how, MaxBackupPlace, true)
	if at.IsZero() {
		f.Add("refused_at", "error.required")
	} else if at.After(stamp(now)) {
		f.Add("refused_at", "equipment.error.future")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	i, err := lockIntake(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if i.BackupState == BackupDone {
		return nil, apperr.Conflictf("equipment.error.backup_done")
	}
	i.BackupState, i.RefusedBy, i.RefusedHow, i.RefusedAt = BackupRefused, who, how, stamp(at)
	if err := bumpIntake(ctx, db, i, now); err != nil {
		return nil, err
	}
	return GetIntake(ctx, db, id)
}

// Lend lends a device of the provider's stock (status in_stock) to the client during the stay; the
// device goes on_loan. A device that is not in stock is refused on the field "loan_equipment_id".
func Lend(ctx context.Context, db bun.IDB, id, deviceID, staffID uuid.UUID, expectedVersion int, now time.Time) (*Intake, error) {
	now = stamp(now)
	i, err := lockIntake(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	d, err := lock(ctx, db, deviceID, 0)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return nil, apperr.Fields{"loan_equipment_id": "equipment.error.loan_unavailable"}.Err()
		}
		return nil, err
	}
	if !d.Stock() || d.Status != StatusInStock {
		return nil, apperr.Fields{"loan_equipment_id": "equipment.error.loan_unavailable"}.Err()
	}
	l := &Loan{ID: uuid.Must(uuid.NewV7()), IntakeID: i.ID, EquipmentID: d.ID, LentAt: now, LentBy: staffID}
	if _, err := db.NewInsert().Model(l).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Fields{"loan_equipment_id": "equipment.error.loan_unavailable"}.Err()
		}
		return nil, fmt.Errorf("equipment: lend: %w", err)
	}
	if err := setStatus(ctx, db, d, StatusOnLoan, now); err != nil {
		return nil, err
	}
	if err := bumpIntake(ctx, db, i, now); err != nil {
		return nil, err
	}
	return GetIntake(ctx, db, id)
}

// TakeBack records a loan device given back; the device returns to stock. A loan that is not of
// this stay, or already given back, is a Conflict ("equipment.error.not_lent").
func TakeBack(ctx context.Context, db bun.IDB, id, loanID, staffID uuid.UUID, expectedVersion int, now time.Time) (*Intake, error) {
	now = stamp(now)
	i, err := lockIntake(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	l := new(Loan)
	if err := db.NewSelect().Model(l).Where("wl.id = ? AND wl.intake_id = ?", loanID, i.ID).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.Conflictf("equipment.error.not_lent")
		}
		return nil, fmt.Errorf("equipment: take back: %w", err)
	}
	if !l.Out() {
		return nil, apperr.Conflictf("equipment.error.not_lent")
	}
	if err := takeBack(ctx, db, l, staffID, now); err != nil {
		return nil, err
	}
	if err := bumpIntake(ctx, db, i, now); err != nil {
		return nil, err
	}
	return GetIntake(ctx, db, id)
}

func takeBack(ctx context.Context, db bun.IDB, l *Loan, staffID uuid.UUID, now time.Time) error {
	l.ReturnedAt, l.TakenBackBy = now, nullID(staffID)
	if _, err := db.NewUpdate().Model(l).Column("returned_at", "taken_back_by").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("equipment: take back: %w", err)
	}
	d, err := lock(ctx, db, l.EquipmentID, 0)
	if err != nil {
		return err
	}
	return setStatus(ctx, db, d, StatusInStock, now)
}

// Return is what staff record when the stay ends.
type Return struct {
	// ReturnedTo is the person the machine was handed back to (empty when kept in stock).
	ReturnedTo      string
	ReturnedAt      time.Time
	AccessoriesBack bool
	// KeptInStock: the machine stays at the provider's, whole, its origin noted.
	KeptInStock bool
	Notes       string
}

// ReturnMachine closes the stay: the machine goes back into service (or into stock, kept whole
// with its origin noted). Every loan device must be given back first ("loan": still out), and the
// accessories left at check-in must be checked back when the machine is handed back.
func ReturnMachine(ctx context.Context, db bun.IDB, id uuid.UUID, r Return, staffID uuid.UUID, expectedVersion int, now time.Time) (*Intake, error) {
	now = stamp(now)
	r.ReturnedTo, r.Notes = strings.TrimSpace(r.ReturnedTo), cleanText(r.Notes)
	i, err := lockIntake(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if err := loadLoans(ctx, db, []*Intake{i}); err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if !r.KeptInStock {
		text(f, "returned_to", r.ReturnedTo, MaxPerson, true)
		if i.Accessories != "" && !r.AccessoriesBack {
			f.Add("accessories_back", "equipment.error.accessories_back")
		}
	} else {
		text(f, "returned_to", r.ReturnedTo, MaxPerson, false)
	}
	text(f, "return_notes", r.Notes, MaxIntakeText, false)
	switch {
	case r.ReturnedAt.IsZero():
		f.Add("returned_at", "error.required")
	case r.ReturnedAt.After(now):
		f.Add("returned_at", "equipment.error.future")
	case r.ReturnedAt.Before(i.BroughtAt):
		f.Add("returned_at", "equipment.error.before_intake")
	}
	if i.OpenLoan() != nil {
		f.Add("loan", "equipment.error.loan_out")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	i.ReturnedAt, i.ReturnedTo, i.ReturnedBy = stamp(r.ReturnedAt), r.ReturnedTo, nullID(staffID)
	i.AccessoriesBack, i.KeptInStock, i.ReturnNotes = r.AccessoriesBack, r.KeptInStock, r.Notes
	if err := bumpIntake(ctx, db, i, now); err != nil {
		return nil, err
	}
	e, err := lock(ctx, db, i.EquipmentID, 0)
	if err != nil {
		return nil, err
	}
	to := StatusInService
	if r.KeptInStock {
		to = StatusInStock
	}
	if err := setStatus(ctx, db, e, to, now); err != nil {
		return nil, err
	}
	return GetIntake(ctx, db, id)
}

// IntakesForClient returns the latest stays of one client, newest first, for its portal.
func IntakesForClient(ctx context.Context, db bun.IDB, clientID uuid.UUID, limit int) ([]*Intake, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var is []*Intake
	if err := selectIntakes(db, &is).Where("wi.client_id = ?", clientID).
		OrderExpr("wi.brought_at DESC, wi.id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("equipment: client intakes: %w", err)
	}
	return is, loadLoans(ctx, db, is)
}
