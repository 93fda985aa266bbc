// Package provider holds the identity and house settings of the maintenance provider running this
// instance (one row).
package provider

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"maintenant/app/apperr"
)

// Organisation is the provider: its name and its security settings.
type Organisation struct {
	bun.BaseModel `bun:"table:organisation"`

	ID               int16     `bun:"id,pk"`
	Name             string    `bun:"name"`
	RequireStaffTOTP bool      `bun:"require_staff_totp"`
	UpdatedAt        time.Time `bun:"updated_at"`
	Version          int       `bun:"version"`
}

// Get returns the provider's settings.
func Get(ctx context.Context, db bun.IDB) (*Organisation, error) {
	o := new(Organisation)
	if err := db.NewSelect().Model(o).Where("id = 1").Scan(ctx); err != nil {
		return nil, fmt.Errorf("provider: get: %w", err)
	}
	return o, nil
}

// Update saves the settings if nobody changed them since version was read; otherwise Conflict.
func Update(ctx context.Context, db bun.IDB, o *Organisation, now time.Time) error {
	f := apperr.Fields{}
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		f.Add("name", "error.required")
	} else if utf8.RuneCountInString(o.Name) > 200 {
		f.Add("name", "error.too_long")
	}
	if err := f.Err(); err != nil {
		return err
	}
	res, err := db.NewUpdate().Model(o).Column("name", "require_staff_totp").
		Set("updated_at = ?", now.UTC()).Set("version = version + 1").
		Where("id = 1 AND version = ?", o.Version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("provider: update: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflictf("error.stale")
	}
	o.Version++
	return nil
}
