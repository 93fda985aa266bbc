package database

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoPostgres says that no server was found and none can be started: the message names the package.
var ErrNoPostgres = errors.New("no PostgreSQL server found on 127.0.0.1:5432 or /var/run/postgresql, and no PostgreSQL binaries to start one: install them with `apt-get install postgresql` (Debian) or set DATABASE_URL")

// LocateServer finds a PostgreSQL server for development and tests, in this order: one listening on
// 127.0.0.1:5432 or the Debian socket with trust authentication for user postgres; else a private
// cluster under dir (created with initdb on first use and started with pg_ctl). It returns the URL of
// the server's "postgres" database.
func LocateServer(ctx context.Context, dir string, logf func(string, ...any)) (string, error) {
	for _, candidate := range []string{
		"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"postgres://postgres@/postgres?host=/var/run/postgresql&sslmode=disable",
	} {
		if reachable(ctx, candidate) {
			return candidate, nil
		}
	}
	return StartPrivateCluster(ctx, dir, logf)
}

func reachable(ctx context.Context, u string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx) == nil
}

// postgresBinDir finds the directory holding initdb and pg_ctl, preferring Debian's newest version.
func postgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNoPostgres
}

func versionOf(binDir string) int {
	var v int
	_, _ = fmt.Sscanf(filepath.Base(filepath.Dir(binDir)), "%d", &v)
	return v
}

// StartPrivateCluster creates (on first use) and starts a PostgreSQL cluster under dir that listens
// on a unix socket only, and returns the URL of its "postgres" database.
func StartPrivateCluster(ctx context.Context, dir string, logf func(string, ...any)) (string, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return "", err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("database: create %s: %w", filepath.Dir(dir), err)
	}
	// initdb and postgres refuse to run as root: run them as the postgres system user, in a folder
	// that user can reach (the project folder may not be: then a folder under the system temp dir).
	var runAs []string
	var owner *user.User
	if os.Geteuid() == 0 {
		if owner, err = user.Lookup("postgres"); err != nil {
			return "", fmt.Errorf("database: running as root needs the postgres system user (created by `apt-get install postgresql`): %w", err)
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
		if exec.CommandContext(ctx, "runuser", "-u", "postgres", "--", "test", "-x", filepath.Dir(dir)).Run() != nil {
			sum := sha256.Sum256([]byte(dir))
			alt := filepath.Join(os.TempDir(), "maintenant-pg-"+hex.EncodeToString(sum[:6]))
			logf("%s is not reachable by the postgres user; the private cluster lives in %s", dir, alt)
			dir = alt
		}
	}
	dataDir := filepath.Join(dir, "pgdata")
	sockDir := filepath.Join(dir, "sock")
	if len(sockDir) > 90 {
		sum := sha256.Sum256([]byte(dir))
		sockDir = filepath.Join(os.TempDir(), "maintenant-pg-sock-"+hex.EncodeToString(sum[:6]))
	}
	for _, d := range []string{dir, sockDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", fmt.Errorf("database: create %s: %w", d, err)
		}
		if owner != nil {
			if out, err := exec.CommandContext(ctx, "chown", "-R", owner.Uid+":"+owner.Gid, d).CombinedOutput(); err != nil {
				return "", fmt.Errorf("database: chown %s: %v: %s", d, err, out)
			}
		}
	}
	run := func(name string, args ...string) error {
		argv := append(append([]string{}, runAs...), append([]string{filepath.Join(bin, name)}, args...)...)
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("database: %s: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err != nil {
		logf("creating a private PostgreSQL cluster in %s", dataDir)
		if err := run("initdb", "-D", dataDir, "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8"); err != nil {
			return "", err
		}
	}
	u := "postgres://postgres@/postgres?host=" + url.QueryEscape(sockDir) + "&sslmode=disable"
	if reachable(ctx, u) {
		return u, nil
	}
	logf("starting the private PostgreSQL cluster (socket %s)", sockDir)
	if err := run("pg_ctl", "-D", dataDir, "-w", "-t", "60", "-l", filepath.Join(dir, "postgres.log"),
		"-o", "-k "+sockDir+" -c listen_addresses=''", "start"); err != nil {
		return "", err
	}
	if !reachable(ctx, u) {
		return "", fmt.Errorf("database: private cluster started but does not answer on %s", sockDir)
	}
	return u, nil
}

// EnsureDatabase creates the named database on the server if missing and returns its URL.
func EnsureDatabase(ctx context.Context, serverURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", fmt.Errorf("database: connect to server: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("database: look up %s: %w", name, err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", fmt.Errorf("database: create %s: %w", name, err)
		}
	}
	return WithDatabase(serverURL, name)
}

// WithDatabase returns serverURL pointed at another database.
func WithDatabase(serverURL, name string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("database: parse url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
