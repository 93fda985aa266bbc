package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Limit is a number of attempts allowed per key in a sliding window. Attempts are counted in
// PostgreSQL so that every instance sees the same numbers.
type Limit struct {
	Bucket string
	Max    int
	Window time.Duration
}

// The rate limits on authentication.
var (
	LoginPerAccount = Limit{Bucket: "login-account", Max: 5, Window: 15 * time.Minute}
	LoginPerIP      = Limit{Bucket: "login-ip", Max: 30, Window: 15 * time.Minute}
	ResetPerAccount = Limit{Bucket: "reset-account", Max: 3, Window: time.Hour}
	ResetPerIP      = Limit{Bucket: "reset-ip", Max: 10, Window: time.Hour}
)

type attempt struct {
	bun.BaseModel `bun:"table:auth_attempts"`

	ID     int64     `bun:"id,pk,autoincrement"`
	Bucket string    `bun:"bucket"`
	Key    string    `bun:"key"`
	At     time.Time `bun:"at"`
}

// Exceeded tells whether key has used up its attempts in the window ending now.
func Exceeded(ctx context.Context, db bun.IDB, l Limit, key string, now time.Time) (bool, error) {
	n, err := db.NewSelect().Model((*attempt)(nil)).
		Where("bucket = ? AND key = ? AND at > ?", l.Bucket, key, now.Add(-l.Window).UTC()).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("accounts: count attempts: %w", err)
	}
	return n >= int64(l.Max), nil
}

// Record counts one attempt for key.
func Record(ctx context.Context, db bun.IDB, l Limit, key string, now time.Time) error {
	if _, err := db.NewInsert().Model(&attempt{Bucket: l.Bucket, Key: key, At: now.UTC()}).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: record attempt: %w", err)
	}
	return nil
}

// PurgeAttempts forgets attempts older than a day.
func PurgeAttempts(ctx context.Context, db bun.IDB, now time.Time) error {
	if _, err := db.NewDelete().Model((*attempt)(nil)).Where("at < ?", now.Add(-24*time.Hour).UTC()).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: purge attempts: %w", err)
	}
	return nil
}
