package database

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// NextNumber returns the next number of a series for a year (1, 2, 3…), incrementing the counter row
// in the caller's transaction: the row lock serialises concurrent issuers, and a rolled-back
// transaction gives its number back, so numbers never skip nor repeat.
func NextNumber(ctx context.Context, tx bun.IDB, series string, year int) (int, error) {
	var n int
	err := tx.NewRaw(`INSERT INTO counters (series, year, value) VALUES (?, ?, 1)
		ON CONFLICT (series, year) DO UPDATE SET value = counters.value + 1
		RETURNING value`, series, year).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("database: next number %s-%d: %w", series, year, err)
	}
	return n, nil
}
