package contracts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/policy"
)

// ReferenceSeries is the counter series of contract references (C-2026-001).
const ReferenceSeries = "C"

// Reference formats the human reference of the n-th contract of a year: C-2026-001 (three digits,
// more once a year passes 999 contracts).
func Reference(year, n int) string { return fmt.Sprintf("%s-%d-%03d", ReferenceSeries, year, n) }

// Catalogue keys of the conflicts the store reports.
const (
	ErrStale             = "error.stale"
	ErrTransition        = "contract.error.transition"
	ErrIncomplete        = "contract.error.incomplete"
	ErrNotDraft          = "contract.error.not_draft"
	ErrNotAmendable      = "contract.error.not_amendable"
	ErrNoticeGiven       = "contract.error.notice_already_given"
	ErrNoticeNotRunning  = "contract.error.notice_not_running"
	ErrAmendmentNoChange = "contract.error.amend_no_change"
)

// CheckTerms normalizes and validates terms, including that their service-level policy exists and
// is not archived: an unknown policy is a field error, not a failure.
func CheckTerms(ctx context.Context, db bun.IDB, v *Version) error {
	f := apperr.Fields{}
	if err := checkTerms(ctx, db, v, uuid.NullUUID{}, f); err != nil {
		return err
	}
	return f.Err()
}

// checkTerms records the problems of v in f. keep is a policy the contract already uses: it stays
// acceptable even if it was archived since.
func checkTerms(ctx context.Context, db bun.IDB, v *Version, keep uuid.NullUUID, f apperr.Fields) error {
	v.Normalize()
	v.check(f)
	if !v.SLAPolicyID.Valid {
		return nil
	}
	p, err := GetSLAPolicy(ctx, db, v.SLAPolicyID.UUID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		f.Add("sla_policy_id", "contract.error.policy_unknown")
	case err != nil:
		return err
	case p.Archived && !(keep.Valid && keep.UUID == p.ID):
		f.Add("sla_policy_id", "contract.error.policy_archived")
	}
	return nil
}

// checkClient records a problem with the contract's client in f.
func checkClient(ctx context.Context, db bun.IDB, clientID uuid.UUID, f apperr.Fields) error {
	if clientID == uuid.Nil {
		f.Add("client_id", "error.required")
		return nil
	}
	cl, err := clients.Get(ctx, db, clientID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		f.Add("client_id", "contract.error.client_unknown")
	case err != nil:
		return err
	case cl.Archived:
		f.Add("client_id", "contract.error.client_archived")
	}
	return nil
}

// Create writes a new draft contract for c.ClientID with terms v as version 1, and gives it the
// next reference of the year of now (pass now in the provider's zone). Run it in the caller's
// transaction: the reference counter is part of it. by is the author (uuid.Nil for the system).
func Create(ctx context.Context, db bun.IDB, c *Contract, v *Version, by uuid.UUID, now time.Time) error {
	f := apperr.Fields{}
	if err := checkClient(ctx, db, c.ClientID, f); err != nil {
		return err
	}
	if err := checkTerms(ctx, db, v, uuid.NullUUID{}, f); err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	n, err := database.NextNumber(ctx, db, ReferenceSeries, now.Year())
	if err != nil {
		return fmt.Errorf("contracts: create: %w", err)
	}
	c.ID = uuid.Must(uuid.NewV7())
	c.Reference = Reference(now.Year(), n)
	c.Status = StatusDraft
	c.StatusChangedAt, c.CreatedAt, c.UpdatedAt = now.UTC(), now.UTC(), now.UTC()
	c.CurrentVersion, c.Version = 1, 1
	if _, err := db.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("contracts: create: %w", err)
	}
	v.ContractID, v.No, v.EffectiveFrom, v.Reason = c.ID, 1, v.StartDate, ""
	v.CreatedBy = nullUUID(by)
	v.CreatedAt = now.UTC()
	if v.PolicyVersionNo, err = policy.InForceNo(ctx, db, now); err != nil {
		return fmt.Errorf("contracts: create: %w", err)
	}
	if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
		return fmt.Errorf("contracts: create version: %w", err)
	}
	c.Terms = v
	return nil
}

func nullUUID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// nullInt is n, or NULL when n is 0.
func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// selectContract selects contracts with their client's name.
func selectContract(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("c.*").ColumnExpr("cl.name AS client_name").
		Join("JOIN clients AS cl ON cl.id = c.client_id")
}

// selectVersions selects versions with their author's and policy's names.
func selectVersions(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("v.*").
		ColumnExpr("coalesce(u.name, '') AS created_by_name").ColumnExpr("coalesce(p.name, '') AS policy_name").
		Join("LEFT JOIN users AS u ON u.id = v.created_by").
		Join("LEFT JOIN sla_policies AS p ON p.id = v.sla_policy_id")
}

// Get returns a contract with its client's name and its current terms (with the policy's name).
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Contract, error) {
	return get(ctx, db, id, nil)
}

// GetForClient returns a contract of one client, for the portal: another client's contract is
// NotFound, exactly like a missing one.
func GetForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Contract, error) {
	if clientID == uuid.Nil {
		return nil, apperr.NotFoundf("contract")
	}
	return get(ctx, db, id, &clientID)
}

func get(ctx context.Context, db bun.IDB, id uuid.UUID, clientID *uuid.UUID) (*Contract, error) {
	c := new(Contract)
	q := selectContract(db, c).Where("c.id = ?", id)
	if clientID != nil {
		q = q.Where("c.client_id = ?", *clientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("contract")
		}
		return nil, fmt.Errorf("contracts: get: %w", err)
	}
	if err := loadTerms(ctx, db, []*Contract{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// loadTerms reads the current version of each contract in one query.
func loadTerms(ctx context.Context, db bun.IDB, cs []*Contract) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	var vs []*Version
	err := selectVersions(db, &vs).
		Join("JOIN contracts AS cur ON cur.id = v.contract_id AND cur.current_version = v.no").
		Where("v.contract_id IN (?)", bun.List(ids)).Scan(ctx)
	if err != nil {
		return fmt.Errorf("contracts: load terms: %w", err)
	}
	byID := make(map[uuid.UUID]*Version, len(vs))
	for _, v := range vs {
		byID[v.ContractID] = v
	}
	for _, c := range cs {
		if c.Terms = byID[c.ID]; c.Terms == nil {
			return fmt.Errorf("contracts: load terms: contract %s has no version %d", c.ID, c.CurrentVersion)
		}
	}
	return nil
}

// List sorts.
const (
	// SortReference lists the newest contracts first.
	SortReference = "reference"
	// SortDeadline lists the contracts whose next deadline (Schedule.Next) comes first; contracts
	// that are over come last.
	SortDeadline = "deadline"
)

// PageSize is the number of contracts of a list page.
const PageSize = 25

// Filter narrows and orders the list of contracts.
type Filter struct {
	Status   Status
	ClientID uuid.UUID
	// Search matches the reference or the title, anywhere, ignoring case.
	Search string
	Sort   string
	// After is the cursor of the previous page's last row ("" for the first page).
	After string
	// Today is the day deadlines are computed for (the provider's today).
	Today time.Time
	Limit int
}

// Page is one page of contracts and the cursor of the next one ("" when it is the last).
type Page struct {
	Contracts []*Contract
	Next      string
}

// nextDeadlineJoin computes, for the current version v of contract c and the day ?0, the date of
// the next deadline exactly as Schedule.Next does (PostgreSQL's date + months clamps to the end of
// the month like AddMonths): the end date if any, else the last day to give notice while it is
// ahead, else the renewal date; none for contracts that are over.
const nextDeadlineJoin = `LEFT JOIN LATERAL (
	SELECT CASE
		WHEN c.status IN ('terminated', 'expired') THEN NULL
		WHEN c.ends_on IS NOT NULL THEN c.ends_on
		WHEN v.renewal_months = 0 THEN b.boundary - 1
		WHEN (b.boundary - 1 - make_interval(months => v.notice_months))::date >= ?0::date
			THEN (b.boundary - 1 - make_interval(months => v.notice_months))::date
		ELSE b.boundary
	END AS next_due
	FROM (SELECT CASE
			WHEN v.renewal_months = 0 OR ?0::date < (v.start_date + make_interval(months => v.initial_months))::date
				THEN (v.start_date + make_interval(months => v.initial_months))::date
			WHEN (v.start_date + make_interval(months => v.initial_months + k.k0 * v.renewal_months))::date > ?0::date
				THEN (v.start_date + make_interval(months => v.initial_months + k.k0 * v.renewal_months))::date
			ELSE (v.start_date + make_interval(months => v.initial_months + (k.k0 + 1) * v.renewal_months))::date
		END AS boundary
		FROM (SELECT greatest(0, ((extract(year FROM ?0::date) - extract(year FROM v.start_date)) * 12
			+ extract(month FROM ?0::date) - extract(month FROM v.start_date) - v.initial_months)::int
			/ NULLIF(v.renewal_months, 0)) AS k0) AS k
	) AS b
) AS d ON true`

// listRow is a contract with the sort key of its next deadline.
type listRow struct {
	Contract `bun:",extend"`
	NextDue  bun.NullTime `bun:"next_due,scanonly"`
}

// List returns a page of contracts with their client's name and current terms, in two queries
// whatever the page.
func List(ctx context.Context, db bun.IDB, f Filter) (*Page, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = PageSize
	}
	today := Day(f.Today).Format(time.DateOnly)
	var rows []*listRow
	q := db.NewSelect().Model(&rows).ColumnExpr("c.*").ColumnExpr("cl.name AS client_name").ColumnExpr("d.next_due").
		Join("JOIN clients AS cl ON cl.id = c.client_id").
		Join("JOIN contract_versions AS v ON v.contract_id = c.id AND v.no = c.current_version").
		Join(nextDeadlineJoin, today).
		Limit(int64(f.Limit + 1))
	if f.Status != "" {
		q = q.Where("c.status = ?", f.Status)
	}
	if f.ClientID != uuid.Nil {
		q = q.Where("c.client_id = ?", f.ClientID)
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		pattern := "%" + database.EscapeLike(s) + "%"
		q = q.Where(`(c.reference ILIKE ? ESCAPE '\' OR v.title ILIKE ? ESCAPE '\')`, pattern, pattern)
	}
	if f.Sort == SortDeadline {
		q = q.OrderExpr("coalesce(d.next_due, 'infinity'::date), length(c.reference), c.reference")
		if due, ref, ok := parseDeadlineCursor(f.After); ok {
			q = q.Where("(coalesce(d.next_due, 'infinity'::date), length(c.reference), c.reference) > (?::date, length(?), ?)", due, ref, ref)
		}
	} else {
		q = q.OrderExpr("length(c.reference) DESC, c.reference DESC")
		if ref, ok := parseReferenceCursor(f.After); ok {
			q = q.Where("(length(c.reference), c.reference) < (length(?), ?)", ref, ref)
		}
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("contracts: list: %w", err)
	}
	p := &Page{}
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		if f.Sort == SortDeadline {
			due := "infinity"
			if !last.NextDue.IsZero() {
				due = last.NextDue.Time.Format(time.DateOnly)
			}
			p.Next = due + "_" + last.Reference
		} else {
			p.Next = last.Reference
		}
	}
	p.Contracts = make([]*Contract, len(rows))
	for i, r := range rows {
		p.Contracts[i] = &r.Contract
	}
	if err := loadTerms(ctx, db, p.Contracts); err != nil {
		return nil, err
	}
	return p, nil
}

func parseReferenceCursor(s string) (string, bool) {
	if s == "" || len(s) > 40 || !strings.HasPrefix(s, ReferenceSeries+"-") {
		return "", false
	}
	return s, true
}

func parseDeadlineCursor(s string) (due, ref string, ok bool) {
	due, ref, ok = strings.Cut(s, "_")
	if !ok {
		return "", "", false
	}
	if _, ok := parseReferenceCursor(ref); !ok {
		return "", "", false
	}
	if due != "infinity" {
		if _, err := time.Parse(time.DateOnly, due); err != nil {
			return "", "", false
		}
	}
	return due, ref, true
}

// ListByClient returns every contract of one client with its current terms, running ones first,
// then the newest: for the client's page in the backoffice and for the portal.
func ListByClient(ctx context.Context, db bun.IDB, clientID uuid.UUID) ([]*Contract, error) {
	var cs []*Contract
	err := selectContract(db, &cs).Where("c.client_id = ?", clientID).
		OrderExpr(`CASE c.status WHEN 'active' THEN 0 WHEN 'suspended' THEN 1 WHEN 'draft' THEN 2 ELSE 3 END`).
		OrderExpr("length(c.reference) DESC, c.reference DESC").
		Limit(200).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: list by client: %w", err)
	}
	if err := loadTerms(ctx, db, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// lock reads a contract row for update, so that checks and the change it leads to see the same row.
func lock(ctx context.Context, db bun.IDB, id uuid.UUID) (*Contract, error) {
	c := new(Contract)
	if err := db.NewSelect().Model(c).Where("c.id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("contract")
		}
		return nil, fmt.Errorf("contracts: lock: %w", err)
	}
	return c, nil
}

// versionNo returns one version of a contract.
func versionNo(ctx context.Context, db bun.IDB, id uuid.UUID, no int) (*Version, error) {
	v := new(Version)
	if err := selectVersions(db, v).Where("v.contract_id = ? AND v.no = ?", id, no).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("contract version")
		}
		return nil, fmt.Errorf("contracts: version: %w", err)
	}
	return v, nil
}

// termColumns are the columns of a version that hold terms.
var termColumns = []string{
	"title", "object", "services", "maintenance_kinds", "start_date", "initial_months", "renewal_months",
	"notice_months", "termination_terms", "fee_cents", "billing_period", "payment_terms_days",
	"included_minutes", "hourly_rate_cents", "sla_policy_id", "provider_obligations", "client_obligations",
	"confidentiality", "specific_conditions", "exclusions",
}

// UpdateDraft changes a draft's client and terms in place (a draft has only version 1, and nothing
// was agreed yet). expectedVersion is the contract version the form was read at: another change
// since gives a Conflict (ErrStale); a contract that is no longer a draft gives ErrNotDraft.
func UpdateDraft(ctx context.Context, db bun.IDB, id, clientID uuid.UUID, v *Version, expectedVersion int, now time.Time) error {
	c, err := lock(ctx, db, id)
	if err != nil {
		return err
	}
	if c.Status != StatusDraft {
		return apperr.Conflictf(ErrNotDraft)
	}
	if c.Version != expectedVersion {
		return apperr.Conflictf(ErrStale)
	}
	cur, err := versionNo(ctx, db, id, 1)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	if err := checkClient(ctx, db, clientID, f); err != nil {
		return err
	}
	if err := checkTerms(ctx, db, v, cur.SLAPolicyID, f); err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	v.ContractID, v.No, v.EffectiveFrom = id, 1, v.StartDate
	v.Reason, v.CreatedBy, v.CreatedAt = cur.Reason, cur.CreatedBy, cur.CreatedAt
	if _, err := db.NewUpdate().Model(v).Column(append(termColumns, "effective_from")...).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("contracts: update draft: %w", err)
	}
	_, err = db.NewUpdate().Model((*Contract)(nil)).
		Set("client_id = ?", clientID).Set("version = version + 1").Set("updated_at = ?", now.UTC()).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("contracts: update draft: %w", err)
	}
	return nil
}

// Amend records an amendment of a running (active or suspended) contract: terms v become version
// n+1, effective from effectiveFrom (on or after the start date; it may be in the past or the
// future), for the reason given (required). expectedVersion is the contract version the form was read
// at. Terms identical to the current ones are refused.
func Amend(ctx context.Context, db bun.IDB, id uuid.UUID, v *Version, reason string, effectiveFrom time.Time,
	by uuid.UUID, expectedVersion int, now time.Time) error {
	c, err := lock(ctx, db, id)
	if err != nil {
		return err
	}
	if !c.Status.IsRunning() {
		return apperr.Conflictf(ErrNotAmendable)
	}
	if c.Version != expectedVersion {
		return apperr.Conflictf(ErrStale)
	}
	cur, err := versionNo(ctx, db, id, c.CurrentVersion)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		f.Add("reason", "contract.error.reason_required")
	case n > MaxReason:
		f.Add("reason", "error.too_long")
	}
	if err := checkTerms(ctx, db, v, cur.SLAPolicyID, f); err != nil {
		return err
	}
	switch {
	case effectiveFrom.IsZero():
		f.Add("effective_from", "error.required")
	case !v.StartDate.IsZero() && Day(effectiveFrom).Before(v.StartDate):
		f.Add("effective_from", "contract.error.effective_before_start")
	case Day(effectiveFrom).Year() > 2100:
		f.Add("effective_from", "contract.error.date_range")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if termsEqual(cur, v) {
		return apperr.Invalidf(ErrAmendmentNoChange)
	}
	v.ContractID, v.No, v.EffectiveFrom, v.Reason = id, c.CurrentVersion+1, Day(effectiveFrom), reason
	v.CreatedBy, v.CreatedAt = nullUUID(by), now.UTC()
	// The maintenance policy in force the day the amendment is agreed.
	if v.PolicyVersionNo, err = policy.InForceNo(ctx, db, now); err != nil {
		return fmt.Errorf("contracts: amend: %w", err)
	}
	if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
		return fmt.Errorf("contracts: amend: %w", err)
	}
	_, err = db.NewUpdate().Model((*Contract)(nil)).
		Set("current_version = ?", v.No).Set("version = version + 1").Set("updated_at = ?", now.UTC()).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("contracts: amend: %w", err)
	}
	return nil
}

// Versions returns every version of a contract's terms, the original first.
func Versions(ctx context.Context, db bun.IDB, id uuid.UUID) ([]*Version, error) {
	var vs []*Version
	if err := selectVersions(db, &vs).Where("v.contract_id = ?", id).OrderExpr("v.no").Limit(1000).Scan(ctx); err != nil {
		return nil, fmt.Errorf("contracts: versions: %w", err)
	}
	if len(vs) == 0 {
		return nil, apperr.NotFoundf("contract")
	}
	return vs, nil
}

// VersionAt returns the version of the terms in force on a day: the latest version (highest number)
// effective on or before that day. A later amendment with an earlier effective date supersedes
// earlier ones, since it was agreed knowing them. Before the first effective date there is none:
// NotFound.
func VersionAt(ctx context.Context, db bun.IDB, id uuid.UUID, day time.Time) (*Version, error) {
	v := new(Version)
	err := selectVersions(db, v).Where("v.contract_id = ? AND v.effective_from <= ?::date", id, Day(day).Format(time.DateOnly)).
		OrderExpr("v.no DESC").Limit(1).Scan(ctx)
	if err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("contract version")
		}
		return nil, fmt.Errorf("contracts: version at: %w", err)
	}
	return v, nil
}

// Transition moves a contract to another status, if the status machine allows it, recording the
// reason (optional). Activating a draft requires complete terms: a service, an active service-level
// policy, a fee and a start date. expectedVersion is the contract version the page was read at. It
// returns the contract after the change and the status it left.
func Transition(ctx context.Context, db bun.IDB, id uuid.UUID, to Status, reason string, expectedVersion int, now time.Time) (*Contract, Status, error) {
	c, err := lock(ctx, db, id)
	if err != nil {
		return nil, "", err
	}
	from := c.Status
	if !CanTransition(from, to) {
		return nil, from, apperr.Conflictf(ErrTransition)
	}
	if c.Version != expectedVersion {
		return nil, from, apperr.Conflictf(ErrStale)
	}
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	if utf8.RuneCountInString(reason) > MaxReason {
		return nil, from, apperr.Fields{"reason": "error.too_long"}.Err()
	}
	if from == StatusDraft && to == StatusActive {
		v, err := versionNo(ctx, db, id, c.CurrentVersion)
		if err != nil {
			return nil, from, err
		}
		ok, err := complete(ctx, db, v)
		if err != nil {
			return nil, from, err
		}
		if !ok {
			return nil, from, apperr.Conflictf(ErrIncomplete)
		}
		// Signed: the terms record the maintenance policy in force on the day of signature.
		no, err := policy.InForceNo(ctx, db, now)
		if err != nil {
			return nil, from, err
		}
		if _, err := db.NewUpdate().Model((*Version)(nil)).Set("policy_version_no = ?", nullInt(no)).
			Where("contract_id = ? AND no = ?", id, c.CurrentVersion).Exec(ctx); err != nil {
			return nil, from, fmt.Errorf("contracts: transition: %w", err)
		}
	}
	q := db.NewUpdate().Model((*Contract)(nil)).
		Set("status = ?", to).Set("status_changed_at = ?", now.UTC()).Set("status_reason = ?", reason).
		Set("version = version + 1").Set("updated_at = ?", now.UTC()).Where("id = ?", id)
	if to == StatusActive && c.ActivatedAt.IsZero() {
		q = q.Set("activated_at = ?", now.UTC())
	}
	if _, err := q.Exec(ctx); err != nil {
		return nil, from, fmt.Errorf("contracts: transition: %w", err)
	}
	c, err = Get(ctx, db, id)
	return c, from, err
}

// complete tells whether terms may be activated.
func complete(ctx context.Context, db bun.IDB, v *Version) (bool, error) {
	if len(v.Services) == 0 || v.FeeCents < 0 || v.StartDate.IsZero() || !v.SLAPolicyID.Valid {
		return false, nil
	}
	p, err := GetSLAPolicy(ctx, db, v.SLAPolicyID.UUID)
	if apperr.KindOf(err) == apperr.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !p.Archived, nil
}

// RecordNotice records termination notice given on day today (at instant now) by a person (byUserID,
// uuid.Nil when unknown, and a label such as their name or "letter received"), for a running
// contract without notice yet. The end date comes from Term.NoticeEffect on the current terms; it
// is stored with the notice and returned.
func RecordNotice(ctx context.Context, db bun.IDB, id, byUserID uuid.UUID, byLabel, reason string, now, today time.Time) (*Contract, Notice, error) {
	c, err := lock(ctx, db, id)
	if err != nil {
		return nil, Notice{}, err
	}
	if !c.Status.IsRunning() {
		return nil, Notice{}, apperr.Conflictf(ErrNoticeNotRunning)
	}
	if !c.NoticeGivenAt.IsZero() {
		return nil, Notice{}, apperr.Conflictf(ErrNoticeGiven)
	}
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	if utf8.RuneCountInString(reason) > MaxReason {
		return nil, Notice{}, apperr.Fields{"reason": "error.too_long"}.Err()
	}
	v, err := versionNo(ctx, db, id, c.CurrentVersion)
	if err != nil {
		return nil, Notice{}, err
	}
	n := v.Dates().NoticeEffect(today)
	_, err = db.NewUpdate().Model((*Contract)(nil)).
		Set("notice_given_at = ?", now.UTC()).Set("notice_given_by = ?", nullUUID(byUserID)).
		Set("notice_given_by_label = ?", truncate(strings.TrimSpace(byLabel), 200)).Set("notice_reason = ?", reason).
		Set("ends_on = ?::date", n.EndsOn.Format(time.DateOnly)).
		Set("version = version + 1").Set("updated_at = ?", now.UTC()).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return nil, Notice{}, fmt.Errorf("contracts: record notice: %w", err)
	}
	c, err = Get(ctx, db, id)
	return c, n, err
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ClientChoice is a client offered in a contract form or filter.
type ClientChoice struct {
	ID   uuid.UUID
	Name string
}

// MaxClientChoices bounds the clients a form's select offers (a provider has a few hundred).
const MaxClientChoices = 5000

// ClientChoices lists the clients a contract may be written for (not archived), by name, plus the
// one given (a contract's current client, even archived). It reads only the identity of clients, and
// at most MaxClientChoices of them.
func ClientChoices(ctx context.Context, db bun.IDB, include uuid.UUID) ([]ClientChoice, error) {
	var out []ClientChoice
	err := db.NewSelect().Table("clients").Column("id", "name").
		Where("NOT archived OR id = ?", include).OrderExpr("lower(name), id").Limit(MaxClientChoices).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("contracts: client choices: %w", err)
	}
	return out, nil
}

// SelectedClient is the client a list is filtered by, as the only choice its filter shows before
// the whole list is fetched (/admin/clients/choices): none for uuid.Nil or an unknown id, without a
// query for uuid.Nil.
func SelectedClient(ctx context.Context, db bun.IDB, id uuid.UUID) ([]ClientChoice, error) {
	if id == uuid.Nil {
		return nil, nil
	}
	var out []ClientChoice
	if err := db.NewSelect().Table("clients").Column("id", "name").Where("id = ?", id).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("contracts: selected client: %w", err)
	}
	return out, nil
}
