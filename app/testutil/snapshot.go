package testutil

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"maintenant/app/database"
	"maintenant/app/seed"
	"maintenant/app/storage"
)

// Writing the demo data takes about a second (several seconds under the race detector), and most
// tests start from it. The first test of a process that asks for the demo data at a given time
// writes it for real, then copies every table into a schema of its own and the uploaded files into
// a folder; later tests at the same time copy them back, which takes a fraction of that. The copy
// is made with triggers off (session_replication_role = replica), so rows come back exactly as the
// seed wrote them, hash chains included. Where that is not allowed (a server where the test role
// is not a superuser), every test writes the demo data itself.

type snapshot struct {
	schema string
	sql    string            // one script that copies the rows back and restores the sequences
	files  map[string][]byte // the seeded uploads by path under the storage folder
}

var (
	snapMu       sync.Mutex
	snapshots    = map[int64]*snapshot{}
	snapDisabled bool
	snapErr      error // why the shortcut was given up, for the test that checks it
)

// seedDemo leaves db (already emptied) holding the demo data written at now, with its uploads in
// files.
func seedDemo(ctx context.Context, db *database.DB, now time.Time, files *storage.Local) error {
	snapMu.Lock()
	defer snapMu.Unlock()
	key := now.UnixNano()
	if s := snapshots[key]; s != nil {
		return s.restore(ctx, db, files)
	}
	if err := seed.Demo(ctx, db, now, files); err != nil {
		return err
	}
	if snapDisabled {
		return nil
	}
	s, err := takeSnapshot(ctx, db, fmt.Sprintf("snap_%d", len(snapshots)), files)
	if err != nil {
		// The data is in place; only the shortcut is lost for the tests that follow.
		snapDisabled, snapErr = true, err
		return nil
	}
	snapshots[key] = s
	return nil
}

func takeSnapshot(ctx context.Context, db *database.DB, schema string, files *storage.Local) (*snapshot, error) {
	var can bool
	if err := db.Bun.NewRaw("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(ctx, &can); err != nil || !can {
		return nil, fmt.Errorf("testutil: snapshot needs a superuser")
	}
	var tables []string
	if err := db.Bun.NewRaw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'
		AND tablename NOT IN ('bun_migrations', 'bun_migration_locks', 'river_migration') ORDER BY tablename`).Scan(ctx, &tables); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema + ";")
	for _, t := range tables {
		fmt.Fprintf(&b, "CREATE TABLE %s.%q AS TABLE public.%q;", schema, t, t)
	}
	if _, err := db.Bun.ExecContext(ctx, b.String()); err != nil {
		return nil, err
	}

	// The restore script: rows back with triggers off, generated columns left to the database,
	// then every sequence where the seed left it.
	var restore strings.Builder
	restore.WriteString("BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM organisation;")
	for _, t := range tables {
		var cols []string
		if err := db.Bun.NewRaw(`SELECT quote_ident(column_name) FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = ? AND is_generated = 'NEVER'
			ORDER BY ordinal_position`, t).Scan(ctx, &cols); err != nil {
			return nil, err
		}
		list := strings.Join(cols, ", ")
		fmt.Fprintf(&restore, "INSERT INTO public.%q (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s.%q;", t, list, list, schema, t)
	}
	var seqs []struct {
		Name   string `bun:"name"`
		Value  *int64 `bun:"value"`
		Called bool   `bun:"called"`
	}
	if err := db.Bun.NewRaw(`SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS name,
		last_value AS value, last_value IS NOT NULL AS called FROM pg_sequences WHERE schemaname = 'public'`).Scan(ctx, &seqs); err != nil {
		return nil, err
	}
	for _, s := range seqs {
		if s.Value != nil {
			fmt.Fprintf(&restore, "SELECT setval('%s', %d, true);", s.Name, *s.Value)
		}
	}
	restore.WriteString("COMMIT;")

	uploads, err := readTree(files.Dir)
	if err != nil {
		return nil, err
	}
	return &snapshot{schema: schema, sql: restore.String(), files: uploads}, nil
}

func (s *snapshot) restore(ctx context.Context, db *database.DB, files *storage.Local) error {
	if _, err := db.Bun.ExecContext(ctx, s.sql); err != nil {
		_, _ = db.Bun.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("testutil: restore demo data: %w", err)
	}
	for rel, data := range s.files {
		target := filepath.Join(files.Dir, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// readTree reads every regular file under dir, by path relative to it.
func readTree(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		out[rel] = data
		return err
	})
	return out, err
}
