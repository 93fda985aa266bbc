// Package testutil gives tests the real parts: a PostgreSQL database of their own, the whole web
// application, an HTTP client that keeps cookies and CSRF tokens, an SMTP sink and a browser.
package testutil

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"maintenant/app/database"
)

var (
	dbOnce sync.Once
	dbErr  error
	shared *database.DB
)

// RepoRoot returns the repository's top folder (where go.mod is).
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// ServerURL returns the URL of the PostgreSQL server tests use: TEST_DATABASE_URL if set, else one
// found or started locally as for `make run` (a private cluster lives in .tmp/pg).
func ServerURL(ctx context.Context) (string, error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u, nil
	}
	return database.LocateServer(ctx, filepath.Join(RepoRoot(), ".tmp", "pg"), func(string, ...any) {})
}

// DB returns the test database of this package, migrated, with every table emptied. The database
// is created afresh at the first call of each test process and named after the package folder and
// the process, so tests running in parallel never share one.
func DB(t testing.TB) *database.DB {
	t.Helper()
	ctx := context.Background()
	dbOnce.Do(func() { shared, dbErr = createDB(ctx) })
	if dbErr != nil {
		t.Fatalf("testutil: database: %v", dbErr)
	}
	if err := Truncate(ctx, shared); err != nil {
		t.Fatalf("testutil: truncate: %v", err)
	}
	return shared
}

func createDB(ctx context.Context) (*database.DB, error) {
	server, err := ServerURL(ctx)
	if err != nil {
		return nil, err
	}
	wd, _ := os.Getwd()
	sum := sha256.Sum256([]byte(wd))
	prefix := "mt_test_" + strings.ToLower(filepath.Base(wd)) + "_" + hex.EncodeToString(sum[:4]) + "_"
	// One database per test process: two runs of the same package never share one. Databases left
	// by processes that have ended are dropped here.
	name := prefix + strconv.Itoa(os.Getpid())
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", server, err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix+"%")
	if err != nil {
		return nil, err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, old := range stale {
		pid, err := strconv.Atoi(strings.TrimPrefix(old, prefix))
		if err == nil && pid != os.Getpid() && processAlive(pid) {
			continue
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{old}.Sanitize()+" WITH (FORCE)"); err != nil {
			return nil, err
		}
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, err
	}
	url, err := database.WithDatabase(server, name)
	if err != nil {
		return nil, err
	}
	db, err := database.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := database.Migrate(ctx, db); err != nil {
		return nil, err
	}
	return db, nil
}

func processAlive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}

// Truncate empties every application and job table and restores the one-row tables.
func Truncate(ctx context.Context, db *database.DB) error {
	var tables []string
	if err := db.Bun.NewRaw(`SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'
		AND tablename NOT IN ('bun_migrations', 'bun_migration_locks', 'river_migration')`).Scan(ctx, &tables); err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	if _, err := db.Bun.ExecContext(ctx, "TRUNCATE "+strings.Join(tables, ", ")+" RESTART IDENTITY CASCADE"); err != nil {
		return err
	}
	_, err := db.Bun.ExecContext(ctx, "INSERT INTO organisation (name) VALUES ('Maintenant')")
	return err
}
