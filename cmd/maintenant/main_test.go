package main_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"maintenant/app/database"
	"maintenant/app/testutil"
)

// binary builds the command once for this test binary.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "maintenant")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freshDB returns the URL of an empty database for the command to run on.
func freshDB(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	server, err := testutil.ServerURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	url, err := database.EnsureDatabase(ctx, server, name)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestBadEnvironmentIsExplained(t *testing.T) {
	bin := binary(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"APP_ENV=staging", "TZ=Mars/Olympus", "LISTEN_ADDR=8080"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("started with a bad environment")
	}
	for _, want := range []string{"APP_ENV", "TZ", "LISTEN_ADDR", "not one of dev, prod"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	cmd = exec.Command(bin, "serve")
	cmd.Env = []string{"APP_ENV=prod", "BASE_URL=http://example.fr"}
	out, _ = cmd.CombinedOutput()
	for _, want := range []string{"BASE_URL: must use https", "SECRET_KEY", "DATABASE_URL"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("prod output lacks %q:\n%s", want, out)
		}
	}
}

// TestServeLifecycle starts the real binary on an empty database: it migrates, seeds the demo data,
// becomes ready, serves the login page, and stops cleanly on SIGTERM.
func TestServeLifecycle(t *testing.T) {
	bin := binary(t)
	dbURL := freshDB(t, "mt_test_cmd_serve")
	addr := freePort(t)
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "LISTEN_ADDR="+addr, "DATA_DIR="+t.TempDir(), "APP_ENV=dev")
	var out bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()

	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 30 s:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	res, err := http.Get(base + "/login")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login page: %v %v", res, err)
	}
	res.Body.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGTERM:\n%s", out.String())
	}
	log := out.String()
	for _, want := range []string{"migrations applied", "demo data written", "Maintenant is ready", "manager@demo.test", "stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	// The operator commands on the same database.
	run := func(args ...string) (string, error) {
		c := exec.Command(bin, args...)
		c.Env = env
		b, err := c.CombinedOutput()
		return string(b), err
	}
	if o, err := run("migrate", "status"); err != nil || !strings.Contains(o, "applied") || strings.Contains(o, "pending") {
		t.Errorf("migrate status: %v\n%s", err, o)
	}
	if o, err := run("seed", "--demo"); err == nil || !strings.Contains(o, "already has") {
		t.Errorf("seed on a full database: %v\n%s", err, o)
	}
	if o, err := run("user", "create", "--client", "--email", "paul@exemple.fr", "--name", "Paul Exemple", "--client-name", "Exemple SARL"); err != nil || !strings.Contains(o, "invitation") {
		t.Errorf("user create --client: %v\n%s", err, o)
	}
	if o, err := run("user", "create", "--staff", "--email", "new.tech@demo.test", "--name", "New Tech", "--password", "short"); err == nil {
		t.Errorf("staff with a short password accepted:\n%s", o)
	}
	if o, err := run("user", "create", "--staff", "--email", "new.tech@demo.test", "--name", "New Tech", "--role", "manager", "--password", "a long enough password"); err != nil {
		t.Errorf("user create --staff: %v\n%s", err, o)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var mails, staff int
	_ = conn.QueryRow(ctx, "SELECT count(*) FROM outbox_messages WHERE to_address = 'paul@exemple.fr'").Scan(&mails)
	_ = conn.QueryRow(ctx, "SELECT count(*) FROM users WHERE email = 'new.tech@demo.test' AND role = 'manager'").Scan(&staff)
	if mails != 1 || staff != 1 {
		t.Errorf("invitation mails %d, staff %d; want 1 and 1", mails, staff)
	}
	prod := exec.Command(bin, "seed", "--demo")
	prod.Env = []string{"APP_ENV=prod", "BASE_URL=https://example.fr", "SECRET_KEY=0123456789abcdef0123456789abcdef", "DATABASE_URL=" + dbURL}
	if o, err := prod.CombinedOutput(); err == nil || !strings.Contains(string(o), "refused when APP_ENV=prod") {
		t.Errorf("seed in prod: %v\n%s", err, o)
	}
}
