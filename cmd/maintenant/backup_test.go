package main_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// fingerprint is what a restore must give back: every table's row count and a checksum of its rows,
// every sequence's position, and every stored file's checksum.
func fingerprint(t *testing.T, dbURL, filesDir string) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	out := map[string]string{}
	rows, _ := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tables {
		var n int64
		var sum string
		q := "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM " + pgx.Identifier{name}.Sanitize() + " t"
		if err := conn.QueryRow(ctx, q).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		out["table "+name] = strings.Join([]string{itoa(n), sum}, " ")
	}
	rows, _ = conn.Query(ctx, `SELECT schemaname || '.' || sequencename, coalesce(last_value, 0) FROM pg_sequences ORDER BY 1`)
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			t.Fatal(err)
		}
		out["sequence "+name] = itoa(v)
	}
	rows.Close()
	_ = filepath.WalkDir(filesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		rel, _ := filepath.Rel(filesDir, p)
		out["file "+filepath.ToSlash(rel)] = hex.EncodeToString(h[:])
		return nil
	})
	return out
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// TestBackupRestoreDrill seeds a database and its files, backs them up, wipes both, restores, and
// compares every table's rows, every sequence and every file with what was there before.
func TestBackupRestoreDrill(t *testing.T) {
	bin := binary(t)
	dbURL := freshDB(t, "mt_test_cmd_drill")
	data := t.TempDir()
	files := filepath.Join(data, "files")
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "DATA_DIR="+data, "APP_ENV=dev", "S3_URL=")
	runCmd := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := runCmd("seed", "--demo"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	// A file in a nested key, as attachments are stored, besides what the demo wrote.
	if err := os.MkdirAll(filepath.Join(files, "attachments"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(files, "attachments", "0123abcd"), []byte("journal d'erreurs\x00\xff"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, dbURL, files)
	var nTables, nFiles int
	for k := range before {
		switch {
		case strings.HasPrefix(k, "table "):
			nTables++
		case strings.HasPrefix(k, "file "):
			nFiles++
		}
	}
	if nTables < 30 || nFiles < 1 {
		t.Fatalf("seeded %d tables and %d files: the drill would prove little", nTables, nFiles)
	}

	archive := filepath.Join(t.TempDir(), "drill.backup")
	out, err := runCmd("backup", "--out", archive)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	if _, err := os.Stat(archive + ".partial"); !os.IsNotExist(err) {
		t.Error("the partial archive was left behind")
	}

	// A restore over live data is refused without --force.
	if out, err := runCmd("restore", archive); err == nil || !strings.Contains(out, "--force") {
		t.Errorf("restore over a full database: %v\n%s", err, out)
	}
	// A truncated archive (the manifest is written last) is refused before anything is touched.
	b, _ := os.ReadFile(archive)
	cut := filepath.Join(t.TempDir(), "cut.backup")
	_ = os.WriteFile(cut, b[:len(b)/2], 0o600)

	// Wipe: a new empty database under the same name, no files.
	dbURL = freshDB(t, "mt_test_cmd_drill")
	if err := os.RemoveAll(files); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd("restore", cut); err == nil {
		t.Errorf("a truncated archive was restored:\n%s", out)
	}
	out, err = runCmd("restore", archive)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	after := fingerprint(t, dbURL, files)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %q after the restore, %q before", k, after[k], v)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s appeared with the restore", k)
		}
	}
	t.Logf("drill: %d tables, %d sequences and files compared", nTables, len(before)-nTables)

	// --force replaces a database that holds data.
	if out, err := runCmd("restore", "--force", archive); err != nil {
		t.Fatalf("restore --force: %v\n%s", err, out)
	}
	if again := fingerprint(t, dbURL, files); len(again) != len(before) {
		t.Errorf("after restore --force: %d entries, want %d", len(again), len(before))
	}
}
