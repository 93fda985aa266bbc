package database_test

import (
	"context"
	"errors"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"maintenant/app/database"
	"maintenant/app/testutil"
)

func TestInTxCommitsBunAndRiverTogether(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	count := func(q string) int {
		var n int
		if err := db.Bun.NewRaw(q).Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(tx *database.Tx) error {
		if _, err := tx.NewRaw("INSERT INTO clients (id, name) VALUES (gen_random_uuid(), 'Client ' || gen_random_uuid())").Exec(ctx); err != nil {
			return err
		}
		_, err := tx.PGX().Exec(ctx, "INSERT INTO river_job (args, kind, max_attempts, queue, state) VALUES ('{}', 'test.noop', 1, 'default', 'available')")
		return err
	}
	boom := errors.New("boom")
	if err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		if err := insert(tx); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if n := count("SELECT count(*) FROM clients") + count("SELECT count(*) FROM river_job"); n != 0 {
		t.Fatalf("%d rows after rollback, want 0", n)
	}
	if err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error { return insert(tx) }); err != nil {
		t.Fatal(err)
	}
	if c, j := count("SELECT count(*) FROM clients"), count("SELECT count(*) FROM river_job"); c != 1 || j != 1 {
		t.Fatalf("after commit: %d clients, %d jobs; want 1 and 1", c, j)
	}
}

func TestMigrateIsIdempotentAndLocked(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := database.Migrate(ctx, db)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	applied, pending, err := database.MigrationStatus(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 || len(applied) == 0 {
		t.Fatalf("applied %v, pending %v", applied, pending)
	}
	undone, err := database.Rollback(ctx, db)
	if err != nil || len(undone) == 0 {
		t.Fatalf("rollback: %v %v", undone, err)
	}
	if _, pending, _ := database.MigrationStatus(ctx, db); len(pending) == 0 {
		t.Fatal("nothing pending after rollback")
	}
	if _, err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, pending, _ := database.MigrationStatus(ctx, db); len(pending) != 0 {
		t.Fatalf("pending after re-migrate: %v", pending)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	at, id, ok := database.ParseCursor("1700000000123456_0193a8f0-0000-7000-8000-000000000001")
	if !ok {
		t.Fatal("valid cursor refused")
	}
	if got := database.Cursor(at, id); got != "1700000000123456_0193a8f0-0000-7000-8000-000000000001" {
		t.Errorf("round trip = %q", got)
	}
	for _, bad := range []string{"", "x", "1_notauuid", "abc_0193a8f0-0000-7000-8000-000000000001", "'; DROP TABLE x; --"} {
		if _, _, ok := database.ParseCursor(bad); ok {
			t.Errorf("cursor %q accepted", bad)
		}
	}
	if got, want := database.EscapeLike(`50%_off\`), `50\%\_off\\`; got != want {
		t.Errorf("EscapeLike = %q, want %q", got, want)
	}
}

// TestPrivateCluster proves the last provisioning step: with no server to use, a private cluster is
// created with the installed binaries (as the postgres user when run as root) and answers.
func TestPrivateCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL binaries installed")
	}
	dir := filepath.Join(testutil.RepoRoot(), ".tmp", "pg-provision-test")
	_ = os.RemoveAll(dir)
	ctx := context.Background()
	url, err := database.StartPrivateCluster(ctx, dir, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		u, _ := neturl.Parse(url)
		clusterDir := filepath.Dir(u.Query().Get("host"))
		args := []string{filepath.Join(filepath.Dir(bins[0]), "pg_ctl"), "-D", filepath.Join(clusterDir, "pgdata"), "-m", "immediate", "stop"}
		if os.Geteuid() == 0 {
			args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
		}
		_ = exec.Command(args[0], args[1:]...).Run()
		_ = os.RemoveAll(dir)
		_ = os.RemoveAll(clusterDir)
	})
	dbURL, err := database.EnsureDatabase(ctx, url, "maintenant_provision")
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	// A second call finds the running cluster.
	if again, err := database.StartPrivateCluster(ctx, dir, t.Logf); err != nil || again != url {
		t.Fatalf("second start: %q %v", again, err)
	}
}

// TestNextNumberIsGapless issues numbers from many transactions at once, some rolled back: the
// committed ones are exactly 1..n.
func TestNextNumberIsGapless(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	const workers = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	var got []int
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var n int
			err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
				var err error
				if n, err = database.NextNumber(ctx, tx, "T", 2026); err != nil {
					return err
				}
				if i%4 == 0 {
					return errors.New("rolled back")
				}
				return nil
			})
			if err == nil {
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, n := range got {
		if seen[n] || n < 1 || n > len(got) {
			t.Fatalf("numbers %v are not exactly 1..%d", got, len(got))
		}
		seen[n] = true
	}
	if len(got) != workers-workers/4 {
		t.Errorf("%d committed, want %d", len(got), workers-workers/4)
	}
}
