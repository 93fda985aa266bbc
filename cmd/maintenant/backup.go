package main

// backup and restore: one archive holding the database (pg_dump's custom format) and every uploaded
// file, with a manifest of row counts and checksums that restore checks before it says it is done.

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"maintenant/app/config"
	"maintenant/app/database"
	"maintenant/app/storage"
)

// backupFormat is the archive layout's version, written in the manifest.
const backupFormat = 1

// manifest describes an archive: what restore must find once it has put everything back.
type manifest struct {
	Format    int              `json:"format"`
	CreatedAt time.Time        `json:"created_at"`
	Tables    map[string]int64 `json:"tables"`
	Files     []backupFile     `json:"files"`
}

type backupFile struct {
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// pgTool finds pg_dump or pg_restore: on the PATH, else the newest Debian server's binaries.
func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Strings(matches)
	if len(matches) == 0 {
		return "", fmt.Errorf("%s not found: install postgresql-client", name)
	}
	return matches[len(matches)-1], nil
}

// libpqURL keeps what libpq understands of the application's URL (pgx also takes pool settings).
func libpqURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("database url: %w", err)
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") || k == "statement_cache_capacity" || k == "default_query_exec_mode" {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// databaseURL is the URL setup connects to: DATABASE_URL, or the dev database it provisions.
func databaseURL(ctx context.Context, cfg *config.Config) (string, error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, nil
	}
	server, err := database.LocateServer(ctx, filepath.Join(cfg.DataDir, "pg"), func(string, ...any) {})
	if err != nil {
		return "", err
	}
	return database.EnsureDatabase(ctx, server, "maintenant")
}

// tableCounts counts the rows of every table of the public schema.
func tableCounts(ctx context.Context, conn *pgx.Conn) (map[string]int64, error) {
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{n}.Sanitize()).Scan(&c); err != nil {
			return nil, err
		}
		out[n] = c
	}
	return out, nil
}

func backupCmd(args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("out", "", "archive to write (default maintenant-YYYYMMDD-HHMMSS.backup)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		*out = "maintenant-" + time.Now().UTC().Format("20060102-150405") + ".backup"
	}
	ctx := context.Background()
	cfg, err := config.FromEnvironment()
	if err != nil {
		return err
	}
	files, err := fileStore(cfg)
	if err != nil {
		return err
	}
	raw, err := databaseURL(ctx, cfg)
	if err != nil {
		return err
	}
	started := time.Now()
	m, err := writeBackup(ctx, raw, files, *out)
	if err != nil {
		_ = os.Remove(*out)
		return err
	}
	var rows int64
	for _, n := range m.Tables {
		rows += n
	}
	fmt.Printf("backup written to %s in %.1fs: %d tables, %d rows, %d files\n", *out, time.Since(started).Seconds(), len(m.Tables), rows, len(m.Files))
	return nil
}

// writeBackup dumps the database and copies the files into the archive at path (written to a
// temporary name, renamed once complete).
func writeBackup(ctx context.Context, rawURL string, files storage.Store, path string) (*manifest, error) {
	lister, ok := files.(storage.Lister)
	if !ok {
		return nil, errors.New("backup: this file store cannot list its files")
	}
	dbURL, err := libpqURL(rawURL)
	if err != nil {
		return nil, err
	}
	pgDump, err := pgTool("pg_dump")
	if err != nil {
		return nil, err
	}
	tmpDir, err := os.MkdirTemp("", "maintenant-backup-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmpDir)
	dump := filepath.Join(tmpDir, "database.dump")
	// One snapshot: the counts are taken in a repeatable-read transaction whose snapshot pg_dump
	// shares, so the manifest describes exactly what was dumped.
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("backup: connect: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var snap string
	if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&snap); err != nil {
		return nil, err
	}
	m := &manifest{Format: backupFormat, CreatedAt: time.Now().UTC()}
	if m.Tables, err = tableCounts(ctx, tx.Conn()); err != nil {
		return nil, fmt.Errorf("backup: count rows: %w", err)
	}
	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-owner", "--no-privileges", "--snapshot="+snap, "--file="+dump, "--dbname="+dbURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("backup: pg_dump: %v: %s", err, strings.TrimSpace(string(out)))
	}
	_ = tx.Rollback(ctx)

	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	tw := tar.NewWriter(f)
	addFile := func(name string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	df, err := os.Open(dump)
	if err != nil {
		return nil, err
	}
	st, _ := df.Stat()
	err = addFile("database.dump", st.Size(), df)
	df.Close()
	if err != nil {
		return nil, fmt.Errorf("backup: archive: %w", err)
	}
	// Each file is read into a temporary copy first: its size goes in the tar header before it.
	err = lister.List(ctx, func(key string) error {
		rc, err := files.Open(ctx, key)
		if err != nil {
			return err
		}
		defer rc.Close()
		cp, err := os.CreateTemp(tmpDir, "file-")
		if err != nil {
			return err
		}
		defer os.Remove(cp.Name())
		defer cp.Close()
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(cp, h), rc)
		if err != nil {
			return err
		}
		if _, err := cp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := addFile("files/"+key, n, cp); err != nil {
			return err
		}
		m.Files = append(m.Files, backupFile{Key: key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: files: %w", err)
	}
	mj, _ := json.MarshalIndent(m, "", "  ")
	if err := addFile("manifest.json", int64(len(mj)), strings.NewReader(string(mj))); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return m, os.Rename(tmp, path)
}

func restoreCmd(args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	force := fs.Bool("force", false, "replace a database that already holds data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: maintenant restore [--force] ARCHIVE")
	}
	ctx := context.Background()
	cfg, err := config.FromEnvironment()
	if err != nil {
		return err
	}
	files, err := fileStore(cfg)
	if err != nil {
		return err
	}
	raw, err := databaseURL(ctx, cfg)
	if err != nil {
		return err
	}
	started := time.Now()
	m, err := restoreBackup(ctx, raw, files, fs.Arg(0), *force)
	if err != nil {
		return err
	}
	fmt.Printf("restored %s in %.1fs: %d tables and %d files checked against the manifest of %s\n",
		fs.Arg(0), time.Since(started).Seconds(), len(m.Tables), len(m.Files), m.CreatedAt.Format(time.RFC3339))
	return nil
}

// restoreBackup puts an archive back: the database through pg_restore in one transaction, the files
// into the store, then checks every table's row count and every file's checksum.
func restoreBackup(ctx context.Context, rawURL string, files storage.Store, path string, force bool) (*manifest, error) {
	dbURL, err := libpqURL(rawURL)
	if err != nil {
		return nil, err
	}
	pgRestore, err := pgTool("pg_restore")
	if err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("restore: connect: %w", err)
	}
	defer conn.Close(ctx)
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
		return nil, err
	}
	if tables > 0 && !force {
		return nil, fmt.Errorf("restore: the database already has %d tables; stop the application and use --force to replace them", tables)
	}
	// The archive is read twice: the manifest (written last) first, then the contents.
	m, err := readManifest(path)
	if err != nil {
		return nil, err
	}
	if m.Format != backupFormat {
		return nil, fmt.Errorf("restore: archive format %d, this version reads %d", m.Format, backupFormat)
	}
	want := map[string]backupFile{}
	for _, f := range m.Files {
		want[f.Key] = f
	}
	tmpDir, err := os.MkdirTemp("", "maintenant-restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmpDir)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	dump := ""
	seen := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("restore: read archive: %w", err)
		}
		switch {
		case h.Name == "database.dump":
			dump = filepath.Join(tmpDir, "database.dump")
			out, err := os.Create(dump)
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, err
			}
		case strings.HasPrefix(h.Name, "files/"):
			key := strings.TrimPrefix(h.Name, "files/")
			w, ok := want[key]
			if !ok {
				return nil, fmt.Errorf("restore: %s is not in the manifest", key)
			}
			hs := sha256.New()
			n, err := files.Put(ctx, key, io.TeeReader(tr, hs), w.Size)
			if err != nil {
				return nil, fmt.Errorf("restore: file %s: %w", key, err)
			}
			if n != w.Size || hex.EncodeToString(hs.Sum(nil)) != w.SHA256 {
				return nil, fmt.Errorf("restore: file %s does not match its checksum", key)
			}
			seen++
		}
	}
	if dump == "" {
		return nil, errors.New("restore: the archive holds no database dump")
	}
	if seen != len(m.Files) {
		return nil, fmt.Errorf("restore: %d files in the archive, %d in the manifest", seen, len(m.Files))
	}
	args := []string{"--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname=" + dbURL}
	if tables > 0 {
		args = append(args, "--clean", "--if-exists")
	}
	if out, err := exec.CommandContext(ctx, pgRestore, append(args, dump)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("restore: pg_restore: %v: %s", err, strings.TrimSpace(string(out)))
	}
	got, err := tableCounts(ctx, conn)
	if err != nil {
		return nil, err
	}
	for name, n := range m.Tables {
		if got[name] != n {
			return nil, fmt.Errorf("restore: table %s has %d rows, the backup had %d", name, got[name], n)
		}
	}
	return m, nil
}

func readManifest(path string) (*manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("restore: the archive has no manifest (incomplete backup?)")
		}
		if err != nil {
			return nil, fmt.Errorf("restore: read archive: %w", err)
		}
		if h.Name == "manifest.json" {
			var m manifest
			if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(&m); err != nil {
				return nil, fmt.Errorf("restore: manifest: %w", err)
			}
			return &m, nil
		}
	}
}
