package main_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"maintenant/app/testutil"
)

// privateCluster starts a PostgreSQL server of its own (so the shared one is never restarted) and
// returns its URL and a pg_ctl runner.
func privateCluster(t *testing.T) (string, func(args ...string)) {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries (postgresql package): database restart drill skipped")
	}
	sort.Strings(bins)
	binDir := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "mt-pgdrill-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var runAs []string
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			t.Skip("running as root without a postgres system user: database restart drill skipped")
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
		if out, err := exec.Command("chown", "-R", "postgres:postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	run := func(name string, args ...string) {
		t.Helper()
		argv := append(append([]string{}, runAs...), append([]string{filepath.Join(binDir, name)}, args...)...)
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8")
	port := strings.Split(freePort(t), ":")[1]
	ctl := func(args ...string) {
		t.Helper()
		run("pg_ctl", append([]string{"-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o",
			"-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"}, args...)...)
	}
	ctl("start")
	t.Cleanup(func() {
		argv := append(append([]string{}, runAs...), filepath.Join(binDir, "pg_ctl"), "-D", data, "-m", "immediate", "stop")
		_ = exec.Command(argv[0], argv[1:]...).Run()
	})
	return "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable", ctl
}

// TestDatabaseRestartDrill stops PostgreSQL under a running instance: pages answer 503 with an
// explanation (never 500), /readyz says so, and once the server is back the same process serves
// again, the session and its CSRF token still valid, without a restart.
func TestDatabaseRestartDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("database restart drill skipped in -short mode")
	}
	dbURL, ctl := privateCluster(t)
	bin := binary(t)
	addr := freePort(t)
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "DATA_DIR="+t.TempDir(), "APP_ENV=dev", "S3_URL=",
		"SECRET_KEY=restart-drill-secret-0123456789abcdef0123", "BASE_URL=http://"+addr)
	in := startInstance(t, bin, env, addr)
	m := newBrowser("http://" + addr)
	m.do(t, http.MethodGet, "/login", nil)
	if res, _ := m.do(t, http.MethodPost, "/login", url.Values{"email": {testutil.Manager}, "password": {"demo-password"}}); res == nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %v", res)
	}
	if res, _ := m.do(t, http.MethodGet, "/admin", nil); res == nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin: %v", res)
	}

	ctl("-m", "fast", "stop")
	for _, r := range []struct{ method, path string }{{"GET", "/admin"}, {"GET", "/admin/tickets"}, {"POST", "/language"}, {"GET", "/login"}} {
		var form url.Values
		if r.method == http.MethodPost {
			form = url.Values{"lang": {"fr"}}
		}
		res, body := m.do(t, r.method, r.path, form)
		if res == nil || res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "indisponible") {
			t.Errorf("%s %s with the database down: %v", r.method, r.path, res)
		}
	}
	if res, _ := http.Get("http://" + addr + "/readyz"); res == nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down: %v", res)
	}

	ctl("start")
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, _ := m.do(t, http.MethodGet, "/admin", nil)
		if res != nil && res.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving 60 s after the database came back: %v\n%s", res, in.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if res, _ := m.do(t, http.MethodPost, "/language", url.Values{"lang": {"en"}}); res == nil || res.StatusCode != http.StatusSeeOther {
		t.Errorf("POST after the restart: %v", res)
	}
	select {
	case err := <-in.done:
		t.Fatalf("the instance exited during the drill: %v", err)
	default:
	}
}
