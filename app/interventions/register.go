package interventions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/database"
)

// RegisterEntry is one line of the maintenance register: a completed intervention or an addendum.
type RegisterEntry struct {
	bun.BaseModel `bun:"table:register_entries,alias:r"`

	ID              uuid.UUID     `bun:"id,pk,type:uuid"`
	ClientID        uuid.UUID     `bun:"client_id,type:uuid"`
	Seq             int           `bun:"seq"`
	InterventionID  uuid.UUID     `bun:"intervention_id,type:uuid"`
	AddendumID      uuid.NullUUID `bun:"addendum_id,type:uuid"`
	OccurredOn      time.Time     `bun:"occurred_on,type:date"`
	ContractID      uuid.NullUUID `bun:"contract_id,type:uuid"`
	Kind            Kind          `bun:"kind"`
	Subject         string        `bun:"subject"`
	Actions         string        `bun:"actions"`
	MinutesWork     int           `bun:"minutes_work"`
	MinutesTravel   int           `bun:"minutes_travel"`
	MinutesOnSite   int           `bun:"minutes_on_site"`
	MinutesResearch int           `bun:"minutes_research"`
	MaterialsCents  int64         `bun:"materials_cents"`
	TimeCostCents   int64         `bun:"time_cost_cents"`
	TotalCostCents  int64         `bun:"total_cost_cents"`
	Technicians     string        `bun:"technicians"`
	SheetReference  string        `bun:"sheet_reference"`
	CreatedAt       time.Time     `bun:"created_at"`
	PrevHash        []byte        `bun:"prev_hash"`
	Hash            []byte        `bun:"hash"`

	ClientName        string `bun:"client_name,scanonly"`
	ContractReference string `bun:"contract_reference,scanonly"`
}

// TotalMinutes is the time of every category.
func (e *RegisterEntry) TotalMinutes() int {
	return e.MinutesWork + e.MinutesTravel + e.MinutesOnSite + e.MinutesResearch
}

// IsAddendum tells whether the entry records an addendum rather than a completion.
func (e *RegisterEntry) IsAddendum() bool { return e.AddendumID.Valid }

// ZeroHash is the previous hash of a client's first entry.
var ZeroHash = make([]byte, sha256.Size)

// ComputeHash returns SHA-256 over the canonical encoding of the entry's fields and PrevHash: each
// field in a fixed order as a 4-byte big-endian length and its bytes (UUIDs in their text form,
// the date as 2006-01-02, the creation instant as RFC 3339 in UTC with microseconds, numbers in
// decimal, an absent id as the empty string). Anyone holding an export can recompute it.
func ComputeHash(e *RegisterEntry) []byte {
	var b bytes.Buffer
	put := func(s string) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(s)))
		b.WriteString(s)
	}
	nullID := func(id uuid.NullUUID) string {
		if !id.Valid {
			return ""
		}
		return id.UUID.String()
	}
	put("maintenant-register-v1")
	put(e.ID.String())
	put(e.ClientID.String())
	put(strconv.Itoa(e.Seq))
	put(e.InterventionID.String())
	put(nullID(e.AddendumID))
	put(e.OccurredOn.Format(time.DateOnly))
	put(nullID(e.ContractID))
	put(string(e.Kind))
	put(e.Subject)
	put(e.Actions)
	for _, m := range []int{e.MinutesWork, e.MinutesTravel, e.MinutesOnSite, e.MinutesResearch} {
		put(strconv.Itoa(m))
	}
	for _, c := range []int64{e.MaterialsCents, e.TimeCostCents, e.TotalCostCents} {
		put(strconv.FormatInt(c, 10))
	}
	put(e.Technicians)
	put(e.SheetReference)
	put(e.CreatedAt.UTC().Format("2006-01-02T15:04:05.000000Z"))
	put(string(e.PrevHash))
	sum := sha256.Sum256(b.Bytes())
	return sum[:]
}

// Append writes e as the next entry of its client's register: it takes the client's register lock
// (an advisory lock held until the transaction ends), reads the last entry, and sets e's ID, Seq,
// CreatedAt (now), PrevHash and Hash. Run it in a transaction (database.DB.InTx): two appends for
// one client then never fork the chain.
func Append(ctx context.Context, db bun.IDB, e *RegisterEntry, now time.Time) error {
	if _, err := db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('register:' || ?::text, 0))", e.ClientID); err != nil {
		return fmt.Errorf("interventions: register lock: %w", err)
	}
	var last struct {
		Seq  int    `bun:"seq"`
		Hash []byte `bun:"hash"`
	}
	err := db.NewRaw("SELECT seq, hash FROM register_entries WHERE client_id = ? ORDER BY seq DESC LIMIT 1", e.ClientID).Scan(ctx, &last)
	switch {
	case database.NoRows(err):
		e.Seq, e.PrevHash = 1, ZeroHash
	case err != nil:
		return fmt.Errorf("interventions: register last: %w", err)
	default:
		e.Seq, e.PrevHash = last.Seq+1, last.Hash
	}
	e.ID = uuid.Must(uuid.NewV7())
	e.CreatedAt = stamp(now)
	e.OccurredOn = time.Date(e.OccurredOn.Year(), e.OccurredOn.Month(), e.OccurredOn.Day(), 0, 0, 0, 0, time.UTC)
	e.Hash = ComputeHash(e)
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("interventions: register append: %w", err)
	}
	return nil
}

// Verification is the result of checking a client's register chain.
type Verification struct {
	// Entries is how many entries were checked.
	Entries int
	// BrokenSeq is the first entry whose hash, previous hash or sequence does not hold (0: intact).
	BrokenSeq int
}

// OK tells whether the chain is intact.
func (v Verification) OK() bool { return v.BrokenSeq == 0 }

// Verify recomputes a client's chain from the first entry: each entry must follow the previous one
// (seq + 1, prev_hash = its hash) and its hash must match its fields. It reads by batches, never the
// whole register at once.
func Verify(ctx context.Context, db bun.IDB, clientID uuid.UUID) (Verification, error) {
	var v Verification
	prev, seq := ZeroHash, 0
	for {
		var batch []*RegisterEntry
		if err := db.NewSelect().Model(&batch).Where("r.client_id = ? AND r.seq > ?", clientID, seq).
			OrderExpr("r.seq").Limit(500).Scan(ctx); err != nil {
			return v, fmt.Errorf("interventions: verify register: %w", err)
		}
		for _, e := range batch {
			v.Entries++
			if e.Seq != seq+1 || !bytes.Equal(e.PrevHash, prev) || !bytes.Equal(ComputeHash(e), e.Hash) {
				v.BrokenSeq = e.Seq
				if e.Seq != seq+1 {
					v.BrokenSeq = seq + 1
				}
				return v, nil
			}
			prev, seq = e.Hash, e.Seq
		}
		if len(batch) < 500 {
			return v, nil
		}
	}
}

// RegisterFilter narrows the register. ClientID is mandatory for the portal (RegisterForClient).
type RegisterFilter struct {
	ClientID   uuid.UUID
	ContractID uuid.UUID
	Kind       Kind
	// Subject matches equipment or service names, case-insensitively.
	Subject string
	// From and To bound the day of the entry, both included (zero: open).
	From, To time.Time
	// Cursor is the keyset position of the next page (database.Cursor of CreatedAt, ID).
	Cursor string
	Limit  int
}

// RegisterTotals sums the whole filtered register (every page).
type RegisterTotals struct {
	Entries         int   `bun:"entries"`
	MinutesWork     int   `bun:"minutes_work"`
	MinutesTravel   int   `bun:"minutes_travel"`
	MinutesOnSite   int   `bun:"minutes_on_site"`
	MinutesResearch int   `bun:"minutes_research"`
	MaterialsCents  int64 `bun:"materials_cents"`
	TimeCostCents   int64 `bun:"time_cost_cents"`
	TotalCostCents  int64 `bun:"total_cost_cents"`
}

// TotalMinutes is the time of every category.
func (t RegisterTotals) TotalMinutes() int {
	return t.MinutesWork + t.MinutesTravel + t.MinutesOnSite + t.MinutesResearch
}

// RegisterPage is one page of the register, newest first, with the totals of the whole filter.
type RegisterPage struct {
	Entries []*RegisterEntry
	Totals  RegisterTotals
	// Next is the cursor of the next page ("" on the last).
	Next string
}

func (f RegisterFilter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if f.ClientID != uuid.Nil {
		q = q.Where("r.client_id = ?", f.ClientID)
	}
	if f.ContractID != uuid.Nil {
		q = q.Where("r.contract_id = ?", f.ContractID)
	}
	if f.Kind != "" {
		q = q.Where("r.kind = ?", f.Kind)
	}
	if s := strings.TrimSpace(f.Subject); s != "" {
		q = q.Where("r.subject ILIKE ?", "%"+database.EscapeLike(s)+"%")
	}
	if !f.From.IsZero() {
		q = q.Where("r.occurred_on >= ?::date", f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		q = q.Where("r.occurred_on <= ?::date", f.To.Format(time.DateOnly))
	}
	return q
}

// ListRegister returns a page of the register for staff (every client unless the filter names
// one), newest first, with totals of time and cost over the whole filter computed in SQL.
func ListRegister(ctx context.Context, db bun.IDB, f RegisterFilter) (*RegisterPage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	p := &RegisterPage{}
	q := f.apply(db.NewSelect().Model(&p.Entries).ColumnExpr("r.*").
		ColumnExpr("cl.name AS client_name").ColumnExpr("coalesce(ct.reference, '') AS contract_reference").
		Join("JOIN clients AS cl ON cl.id = r.client_id").
		Join("LEFT JOIN contracts AS ct ON ct.id = r.contract_id"))
	if at, id, ok := database.ParseCursor(f.Cursor); ok {
		q = q.Where("(r.created_at, r.id) < (?, ?)", at, id)
	}
	if err := q.OrderExpr("r.created_at DESC, r.id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("interventions: list register: %w", err)
	}
	if len(p.Entries) > f.Limit {
		p.Entries = p.Entries[:f.Limit]
		last := p.Entries[f.Limit-1]
		p.Next = database.Cursor(last.CreatedAt, last.ID)
	}
	tq := f.apply(db.NewSelect().TableExpr("register_entries AS r").
		ColumnExpr("count(*) AS entries").
		ColumnExpr("coalesce(sum(r.minutes_work), 0) AS minutes_work").
		ColumnExpr("coalesce(sum(r.minutes_travel), 0) AS minutes_travel").
		ColumnExpr("coalesce(sum(r.minutes_on_site), 0) AS minutes_on_site").
		ColumnExpr("coalesce(sum(r.minutes_research), 0) AS minutes_research").
		ColumnExpr("coalesce(sum(r.materials_cents), 0) AS materials_cents").
		ColumnExpr("coalesce(sum(r.time_cost_cents), 0) AS time_cost_cents").
		ColumnExpr("coalesce(sum(r.total_cost_cents), 0) AS total_cost_cents"))
	if err := tq.Scan(ctx, &p.Totals); err != nil {
		return nil, fmt.Errorf("interventions: register totals: %w", err)
	}
	return p, nil
}

// ListRegisterForClient is ListRegister for the portal: only entries of clientID, whatever the
// filter says.
func ListRegisterForClient(ctx context.Context, db bun.IDB, clientID uuid.UUID, f RegisterFilter) (*RegisterPage, error) {
	if clientID == uuid.Nil {
		return &RegisterPage{}, nil
	}
	f.ClientID = clientID
	return ListRegister(ctx, db, f)
}

// CSVColumns are the catalogue keys of the register export's header, in column order.
var CSVColumns = []string{
	"interventions.register.col.seq", "interventions.register.col.date", "interventions.register.col.client",
	"interventions.register.col.contract", "interventions.register.col.sheet", "interventions.register.col.kind",
	"interventions.register.col.subject", "interventions.register.col.actions",
	"interventions.category.work", "interventions.category.travel", "interventions.category.on_site",
	"interventions.category.research", "interventions.register.col.materials", "interventions.register.col.time_cost",
	"interventions.register.col.total_cost", "interventions.register.col.technicians", "interventions.register.col.hash",
}

// WriteCSV writes register entries as CSV: a header translated by t (catalogue key → text), then one
// line per entry, minutes as integers, amounts in euros with a point ("12.50"), the hash in hex so
// the export can be verified. Cells that a spreadsheet would read as a formula (starting with = + -
// @, tab or carriage return) are prefixed with a quote.
func WriteCSV(w io.Writer, entries []*RegisterEntry, t func(string) string) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(CSVColumns))
	for i, k := range CSVColumns {
		header[i] = SafeCell(t(k))
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("interventions: csv: %w", err)
	}
	euros := func(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
	for _, e := range entries {
		row := []string{
			strconv.Itoa(e.Seq), e.OccurredOn.Format(time.DateOnly), e.ClientName, e.ContractReference,
			e.SheetReference, t(e.Kind.Label()), e.Subject, e.Actions,
			strconv.Itoa(e.MinutesWork), strconv.Itoa(e.MinutesTravel), strconv.Itoa(e.MinutesOnSite),
			strconv.Itoa(e.MinutesResearch), euros(e.MaterialsCents), euros(e.TimeCostCents),
			euros(e.TotalCostCents), e.Technicians, fmt.Sprintf("%x", e.Hash),
		}
		for i := range row {
			row[i] = SafeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("interventions: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("interventions: csv: %w", err)
	}
	return nil
}

// SafeCell neutralises a cell a spreadsheet would run as a formula by prefixing a quote.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// stamp is now as the database keeps it (UTC, microseconds).
func stamp(now time.Time) time.Time { return now.UTC().Truncate(time.Microsecond) }
