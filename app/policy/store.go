package policy

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

// selectVersions selects versions with the name of the person who published them.
func selectVersions(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("pv.*").ColumnExpr("coalesce(u.name, '') AS published_by_name").
		Join("LEFT JOIN users AS u ON u.id = pv.published_by")
}

// GetDraft returns the draft being written; NotFound when there is none.
func GetDraft(ctx context.Context, db bun.IDB) (*Version, error) {
	v := new(Version)
	if err := selectVersions(db, v).Where("pv.status = 'draft'").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("policy draft")
		}
		return nil, fmt.Errorf("policy: draft: %w", err)
	}
	return v, nil
}

// Get returns published version number no; NotFound for a number never published.
func Get(ctx context.Context, db bun.IDB, no int) (*Version, error) {
	v := new(Version)
	if err := selectVersions(db, v).Where("pv.status = 'published' AND pv.no = ?", no).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("policy version")
		}
		return nil, fmt.Errorf("policy: get: %w", err)
	}
	return v, nil
}

// MaxVersions bounds the history read at once: a policy is revised a few times a year.
const MaxVersions = 500

// List returns every published version, the newest first.
func List(ctx context.Context, db bun.IDB) ([]*Version, error) {
	var vs []*Version
	if err := selectVersions(db, &vs).Where("pv.status = 'published'").OrderExpr("pv.no DESC").Limit(MaxVersions).Scan(ctx); err != nil {
		return nil, fmt.Errorf("policy: list: %w", err)
	}
	return vs, nil
}

// InForce returns the version in force on day: the published version of highest number effective
// on or before it. Before the first effective date there is none: NotFound.
func InForce(ctx context.Context, db bun.IDB, day time.Time) (*Version, error) {
	v := new(Version)
	err := selectVersions(db, v).Where("pv.status = 'published' AND pv.effective_on <= ?::date", Day(day).Format(time.DateOnly)).
		OrderExpr("pv.no DESC").Limit(1).Scan(ctx)
	if err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("policy version")
		}
		return nil, fmt.Errorf("policy: in force: %w", err)
	}
	return v, nil
}

// InForceNo returns the number of the version in force on day, or 0 when none is.
func InForceNo(ctx context.Context, db bun.IDB, day time.Time) (int, error) {
	v, err := InForce(ctx, db, day)
	if apperr.KindOf(err) == apperr.NotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return v.No, nil
}

// Upcoming returns the published versions that take effect after day, the soonest first.
func Upcoming(ctx context.Context, db bun.IDB, day time.Time) ([]*Version, error) {
	var vs []*Version
	err := selectVersions(db, &vs).Where("pv.status = 'published' AND pv.effective_on > ?::date", Day(day).Format(time.DateOnly)).
		OrderExpr("pv.no").Limit(MaxVersions).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: upcoming: %w", err)
	}
	return vs, nil
}

// lock reads a version row for update.
func lock(ctx context.Context, db bun.IDB, id uuid.UUID) (*Version, error) {
	v := new(Version)
	if err := db.NewSelect().Model(v).Where("pv.id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("policy version")
		}
		return nil, fmt.Errorf("policy: lock: %w", err)
	}
	return v, nil
}

// SaveDraft writes the draft: a new one when id is uuid.Nil (refused with ErrDraftExists when a draft
// is already being written), else the draft id read at expectedVersion. A published version is
// never changed: saving over it is a Conflict (ErrPublished), the manager makes a new revision.
func SaveDraft(ctx context.Context, db bun.IDB, id uuid.UUID, d Draft, expectedVersion int, by uuid.UUID, now time.Time) (*Version, error) {
	d.normalize()
	f := apperr.Fields{}
	d.check(f)
	var v *Version
	if id != uuid.Nil {
		var err error
		if v, err = lock(ctx, db, id); err != nil {
			return nil, err
		}
		if v.Published() {
			return nil, apperr.Conflictf(ErrPublished)
		}
		if v.Version != expectedVersion {
			return nil, apperr.Conflictf(ErrStale)
		}
	} else {
		n, err := db.NewSelect().Model((*Version)(nil)).Where("status = 'draft'").Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("policy: save draft: %w", err)
		}
		if n > 0 {
			return nil, apperr.Conflictf(ErrDraftExists)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now = now.UTC()
	if v == nil {
		v = &Version{ID: uuid.Must(uuid.NewV7()), Status: StatusDraft, CreatedBy: nullUUID(by), CreatedAt: now, Version: 0}
	}
	v.Title, v.Sections, v.ChangeSummary = d.Title, d.Sections, d.ChangeSummary
	v.UpdatedAt = now
	v.Version++
	if v.Version == 1 {
		if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
			return nil, fmt.Errorf("policy: save draft: %w", err)
		}
		return v, nil
	}
	if _, err := db.NewUpdate().Model(v).Column("title", "sections", "change_summary", "updated_at", "version").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("policy: save draft: %w", err)
	}
	return v, nil
}

// Publish saves the draft (as SaveDraft does) and publishes it as the next version number, with its
// approver, approval date and effective date, in one step. Refused: an empty policy (every section
// blank), a missing approver or date, an effective date before the approval or before the
// previous version's, a revision without what changed and why. The version is frozen afterwards.
func Publish(ctx context.Context, db bun.IDB, id uuid.UUID, d Draft, pub Publication, expectedVersion int, by uuid.UUID, now time.Time) (*Version, error) {
	d.normalize()
	pub.ApproverName = oneLine(pub.ApproverName)
	f := apperr.Fields{}
	d.check(f)
	var last *Version
	if vs, err := List(ctx, db); err != nil {
		return nil, err
	} else if len(vs) > 0 {
		last = vs[0]
	}
	empty := (&Version{Sections: d.Sections}).Empty()
	if empty {
		f.Add("sections", ErrEmpty)
	}
	if last != nil && d.ChangeSummary == "" {
		f.Add("change_summary", "policy.error.change_summary_required")
	}
	switch n := utf8.RuneCountInString(pub.ApproverName); {
	case n == 0:
		f.Add("approver_name", "error.required")
	case n > MaxApprover:
		f.Add("approver_name", "error.too_long")
	}
	checkDate := func(field string, t time.Time) {
		switch {
		case t.IsZero():
			f.Add(field, "error.required")
		case t.Year() < 2000 || t.Year() > 2100:
			f.Add(field, "policy.error.date_range")
		}
	}
	checkDate("approved_on", pub.ApprovedOn)
	checkDate("effective_on", pub.EffectiveOn)
	if !pub.ApprovedOn.IsZero() && !pub.EffectiveOn.IsZero() && Day(pub.EffectiveOn).Before(Day(pub.ApprovedOn)) {
		f.Add("effective_on", "policy.error.effective_before_approval")
	}
	if last != nil && !pub.EffectiveOn.IsZero() && Day(pub.EffectiveOn).Before(last.EffectiveOn.Time) {
		f.Add("effective_on", ErrEffectiveDate)
	}
	var v *Version
	if id != uuid.Nil {
		var err error
		if v, err = lock(ctx, db, id); err != nil {
			return nil, err
		}
		if v.Published() {
			return nil, apperr.Conflictf(ErrPublished)
		}
		if v.Version != expectedVersion {
			return nil, apperr.Conflictf(ErrStale)
		}
	} else {
		n, err := db.NewSelect().Model((*Version)(nil)).Where("status = 'draft'").Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("policy: publish: %w", err)
		}
		if n > 0 {
			return nil, apperr.Conflictf(ErrDraftExists)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now = now.UTC()
	no := 1
	if last != nil {
		no = last.No + 1
	}
	if v == nil {
		v = &Version{ID: uuid.Must(uuid.NewV7()), CreatedBy: nullUUID(by), CreatedAt: now}
	}
	v.No, v.Status = no, StatusPublished
	v.Title, v.Sections, v.ChangeSummary = d.Title, d.Sections, d.ChangeSummary
	v.ApproverName = pub.ApproverName
	v.ApprovedOn = bun.NullTime{Time: Day(pub.ApprovedOn)}
	v.EffectiveOn = bun.NullTime{Time: Day(pub.EffectiveOn)}
	v.PublishedAt, v.PublishedBy = bun.NullTime{Time: now}, nullUUID(by)
	v.UpdatedAt = now
	v.Version++
	if v.Version == 1 {
		if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
			return nil, fmt.Errorf("policy: publish: %w", err)
		}
		return v, nil
	}
	_, err := db.NewUpdate().Model(v).Column("no", "status", "title", "sections", "change_summary", "approver_name",
		"approved_on", "effective_on", "published_at", "published_by", "updated_at", "version").WherePK().Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: publish: %w", err)
	}
	return v, nil
}

// DiscardDraft deletes the draft read at expectedVersion (a published version is never deleted).
func DiscardDraft(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int) error {
	v, err := lock(ctx, db, id)
	if err != nil {
		return err
	}
	if v.Published() {
		return apperr.Conflictf(ErrPublished)
	}
	if v.Version != expectedVersion {
		return apperr.Conflictf(ErrStale)
	}
	if _, err := db.NewDelete().Model(v).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("policy: discard draft: %w", err)
	}
	return nil
}

// DueNotification returns the version in force on day when its clients were not told yet; NotFound
// when there is nothing to tell.
func DueNotification(ctx context.Context, db bun.IDB, day time.Time) (*Version, error) {
	v, err := InForce(ctx, db, day)
	if err != nil {
		return nil, err
	}
	if !v.NotifiedAt.IsZero() {
		return nil, apperr.NotFoundf("policy notification")
	}
	return v, nil
}

// MarkNotified records, once, that the clients were told version no took effect; versions before it
// that were never announced are superseded and marked too, so they are never announced late. It
// reports whether this call made the mark (false: another run did it first).
func MarkNotified(ctx context.Context, db bun.IDB, no int, now time.Time) (bool, error) {
	res, err := db.NewUpdate().Model((*Version)(nil)).Set("notified_at = ?", now.UTC()).
		Where("status = 'published' AND no = ? AND notified_at IS NULL", no).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("policy: mark notified: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return false, nil
	}
	if _, err := db.NewUpdate().Model((*Version)(nil)).Set("notified_at = ?", now.UTC()).
		Where("status = 'published' AND no < ? AND notified_at IS NULL", no).Exec(ctx); err != nil {
		return false, fmt.Errorf("policy: mark notified: %w", err)
	}
	return true, nil
}

func nullUUID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// trimmed trims a text typed in a textarea, with Unix line ends.
func trimmed(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// oneLine collapses a text to one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
