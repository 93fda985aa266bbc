package database

import (
	"context"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun/migrate"

	"maintenant/migrations"
)

// migrationLockKey is the advisory lock that serialises migrations across instances.
const migrationLockKey = 0x6d61696e74656e // "mainten"

func migrator(db *DB) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrations.FS); err != nil {
		return nil, fmt.Errorf("database: discover migrations: %w", err)
	}
	return migrate.NewMigrator(db.Bun, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// withLock holds the migration advisory lock while fn runs, so that two instances starting together
// never migrate at once.
func withLock(ctx context.Context, db *DB, fn func() error) error {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("database: acquire for lock: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return fmt.Errorf("database: migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
	}()
	return fn()
}

// Migrate applies River's migrations and then every pending application migration, under the lock.
// It returns the names of the application migrations it applied.
func Migrate(ctx context.Context, db *DB) ([]string, error) {
	var applied []string
	err := withLock(ctx, db, func() error {
		rm, err := rivermigrate.New(riverpgxv5.New(db.Pool), nil)
		if err != nil {
			return fmt.Errorf("database: river migrator: %w", err)
		}
		if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("database: river migrations: %w", err)
		}
		m, err := migrator(db)
		if err != nil {
			return err
		}
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("database: init migrations: %w", err)
		}
		group, err := m.Migrate(ctx)
		if err != nil {
			return fmt.Errorf("database: migrate: %w", err)
		}
		for _, mg := range group.Migrations {
			applied = append(applied, mg.Name+"_"+mg.Comment)
		}
		return nil
	})
	return applied, err
}

// Rollback undoes the last group of application migrations.
func Rollback(ctx context.Context, db *DB) ([]string, error) {
	var undone []string
	err := withLock(ctx, db, func() error {
		m, err := migrator(db)
		if err != nil {
			return err
		}
		if err := m.Init(ctx); err != nil {
			return err
		}
		group, err := m.Rollback(ctx)
		if err != nil {
			return fmt.Errorf("database: rollback: %w", err)
		}
		for _, mg := range group.Migrations {
			undone = append(undone, mg.Name+"_"+mg.Comment)
		}
		return nil
	})
	return undone, err
}

// MigrationStatus lists applied and pending application migrations by name.
func MigrationStatus(ctx context.Context, db *DB) (applied, pending []string, err error) {
	m, err := migrator(db)
	if err != nil {
		return nil, nil, err
	}
	var exists bool
	if err := db.Bun.NewRaw("SELECT to_regclass('bun_migrations') IS NOT NULL").Scan(ctx, &exists); err != nil {
		return nil, nil, fmt.Errorf("database: migration status: %w", err)
	}
	if !exists {
		ms := migrate.NewMigrations()
		if err := ms.Discover(migrations.FS); err != nil {
			return nil, nil, err
		}
		for _, mg := range ms.Sorted() {
			pending = append(pending, mg.Name+"_"+mg.Comment)
		}
		return nil, pending, nil
	}
	all, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("database: migration status: %w", err)
	}
	for _, mg := range all {
		if mg.IsApplied() {
			applied = append(applied, mg.Name+"_"+mg.Comment)
		} else {
			pending = append(pending, mg.Name+"_"+mg.Comment)
		}
	}
	return applied, pending, nil
}
