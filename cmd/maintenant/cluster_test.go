package main_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/uptrace/bun"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// instance is one running `maintenant serve`.
type instance struct {
	cmd  *exec.Cmd
	addr string
	done chan error
	log  *syncBuilder
}

type syncBuilder struct {
	mu sync.Mutex
	strings.Builder
}

func (b *syncBuilder) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Builder.String()
}

func (b *syncBuilder) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Builder.Write(p)
}

func startInstance(t *testing.T, bin string, env []string, addr string) *instance {
	t.Helper()
	log := &syncBuilder{}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "LISTEN_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := &instance{cmd: cmd, addr: addr, done: make(chan error, 1), log: log}
	go func() { in.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitReady(t, "http://"+addr, log)
	return in
}

func waitReady(t *testing.T, base string, log fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 90 s:\n%s", base, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browser is a cookie-keeping client of the balancer that does not follow redirects.
type browser struct {
	c    *http.Client
	base string
	csrf string
	mu   sync.Mutex
}

var errorText = regexp.MustCompile(`(?s)<main.{0,600}`)

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) do(t *testing.T, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		b.mu.Lock()
		form.Set("_csrf", b.csrf)
		b.mu.Unlock()
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		return nil, err.Error()
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(raw); m != nil {
		b.mu.Lock()
		b.csrf = string(m[1])
		b.mu.Unlock()
	}
	return res, string(raw)
}

func newBrowser(base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// gapless checks that every numbering (kind, year) of the issued invoices is 1..n.
func gapless(t *testing.T, db *database.DB) int {
	t.Helper()
	var rows []struct {
		Kind    string
		Year    int
		Numbers []int `bun:",array"`
	}
	if err := db.Bun.NewRaw(`SELECT kind, year, array_agg(number ORDER BY number) AS numbers FROM invoices
		WHERE number IS NOT NULL GROUP BY 1, 2`).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range rows {
		for i, n := range r.Numbers {
			if n != i+1 {
				t.Fatalf("%s %d: numbers %v are not 1..%d", r.Kind, r.Year, r.Numbers, len(r.Numbers))
			}
		}
		total += len(r.Numbers)
	}
	return total
}

// drafts writes n draft invoices for the demo bakery, as the manager would.
func drafts(t *testing.T, db *database.DB, n int) []draft {
	t.Helper()
	ctx := context.Background()
	var client, manager uuid.UUID
	if err := db.Bun.NewRaw("SELECT client_id FROM users WHERE email = ?", testutil.BoulangerieUser).Scan(ctx, &client); err != nil {
		t.Fatal(err)
	}
	if err := db.Bun.NewRaw("SELECT id FROM users WHERE email = ?", testutil.Manager).Scan(ctx, &manager); err != nil {
		t.Fatal(err)
	}
	var ids []draft
	err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		for range n {
			inv, err := billing.CreateInvoice(ctx, tx, billing.InvoiceInput{
				ClientID: client, Title: "Exercice de charge", PaymentTermsDays: 30,
				Lines: []*billing.InvoiceLine{{Description: "Forfait", Quantity: 1000, Unit: "forfait", UnitPriceCents: 100_00, VATRateBP: 2000}},
			}, audit.Actor{UserID: manager, Label: testutil.Manager}, time.Now())
			if err != nil {
				return err
			}
			ids = append(ids, draft{inv.ID, inv.Version})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

type draft struct {
	id      uuid.UUID
	version int
}

// issueAll issues the drafts concurrently through the balancer; it returns the status codes and
// which instance answered each.
func issueAll(t *testing.T, b *browser, ids []draft) (codes map[int]int, servers map[string]int) {
	codes, servers = map[int]int{}, map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, body := b.do(t, http.MethodPost, "/admin/invoices/"+id.id.String()+"/issue", url.Values{"confirm": {"on"}, "version": {strconv.Itoa(id.version)}})
			mu.Lock()
			defer mu.Unlock()
			if res != nil && res.StatusCode != http.StatusSeeOther && codes[res.StatusCode] == 0 {
				t.Logf("issue: %d %s", res.StatusCode, errorText.FindString(body))
			}
			if res == nil {
				codes[0]++
				return
			}
			codes[res.StatusCode]++
			servers[res.Header.Get("X-Served-By")]++
		}()
	}
	wg.Wait()
	return codes, servers
}

// TestClusterDrill runs two instances of the binary on one database behind HAProxy (the
// configuration of scripts/haproxy.cfg) and checks what a deployment of several instances promises:
// sessions and CSRF tokens valid on both, the periodic job and a mail once, 200 concurrent invoice
// issues numbered without gap over both, then SIGTERM and kill -9 of an instance under load.
func TestClusterDrill(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/haproxy"); err != nil {
			t.Skip("haproxy is not installed (make system-deps installs it): cluster drill skipped")
		}
		haproxy = "/usr/sbin/haproxy"
	}
	if testing.Short() {
		t.Skip("cluster drill skipped in -short mode")
	}
	bin := binary(t)
	dbURL := freshDB(t, "mt_test_cmd_cluster")
	sink := testutil.SMTPSink(t)
	// Uploaded files on an S3-compatible server (in process, gofakes3) that both instances share.
	s3 := s3mem.New()
	if err := s3.CreateBucket("files"); err != nil {
		t.Fatal(err)
	}
	s3srv := httptest.NewServer(gofakes3.New(s3).Server())
	t.Cleanup(s3srv.Close)
	lb, addrA, addrB := freePort(t), freePort(t), freePort(t)
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "DATA_DIR="+t.TempDir(), "APP_ENV=dev",
		"SECRET_KEY=cluster-drill-secret-0123456789abcdef0123", "BASE_URL=http://"+lb, "TRUSTED_PROXIES=127.0.0.1",
		"SMTP_URL="+sink.URL(), "S3_URL="+s3srv.URL, "S3_BUCKET=files", "S3_REGION=us-east-1",
		"S3_ACCESS_KEY=drill", "S3_SECRET_KEY=drill-secret", "JOBS_RESCUE_AFTER=20s")
	// Each instance reaches the sink through its own gate, so that the drill can hold its mail jobs
	// in flight when it is stopped or killed (the last SMTP_URL of the environment wins).
	gateA, gateB := newSMTPGate(t, sink.Addr()), newSMTPGate(t, sink.Addr())
	envA := append(append([]string(nil), env...), "SMTP_URL="+gateA.URL())
	envB := append(append([]string(nil), env...), "SMTP_URL="+gateB.URL())
	a := startInstance(t, bin, envA, addrA) // migrates and seeds
	b := startInstance(t, bin, envB, addrB)

	cfg, _ := filepath.Abs("../../scripts/haproxy.cfg")
	hp := exec.Command(haproxy, "-db", "-f", cfg)
	hp.Env = append(os.Environ(), "CLUSTER_BIND="+lb, "INSTANCE_A="+addrA, "INSTANCE_B="+addrB)
	hlog := &syncBuilder{}
	hp.Stdout, hp.Stderr = hlog, hlog
	if err := hp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hp.Process.Kill(); _ = hp.Wait() })
	waitReady(t, "http://"+lb, hlog)

	db, err := database.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Sessions and CSRF: logged in through one instance, valid on both.
	m := newBrowser("http://" + lb)
	m.do(t, http.MethodGet, "/login", nil)
	if res, _ := m.do(t, http.MethodPost, "/login", url.Values{"email": {testutil.Manager}, "password": {"demo-password"}}); res == nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login through the balancer: %v", res)
	}
	served := map[string]int{}
	for i := range 20 {
		res, _ := m.do(t, http.MethodGet, "/admin", nil)
		if res == nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET /admin #%d: %v", i, res)
		}
		served[res.Header.Get("X-Served-By")]++
		lang := []string{"fr", "en"}[i%2]
		res, _ = m.do(t, http.MethodPost, "/language", url.Values{"lang": {lang}})
		if res == nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /language #%d (CSRF from the other instance): %v", i, res)
		}
		served[res.Header.Get("X-Served-By")]++
	}
	if served["a"] < 10 || served["b"] < 10 {
		t.Fatalf("requests per instance: %v, want both used", served)
	}

	// The periodic cleanup job runs at start on the leader only: once for the cluster.
	count := func(q string, args ...any) int {
		var n int
		if err := db.Bun.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(30 * time.Second)
	for count("SELECT count(*) FROM river_job WHERE kind = 'accounts.cleanup'") == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	if n := count("SELECT count(*) FROM river_job WHERE kind = 'accounts.cleanup'"); n != 1 {
		t.Errorf("the periodic job ran %d times on start, want once for the cluster", n)
	}

	// A mail asked through the balancer is delivered once, whichever instance's worker takes it.
	anon := newBrowser("http://" + lb)
	anon.do(t, http.MethodGet, "/password/forgot", nil)
	if res, _ := anon.do(t, http.MethodPost, "/password/forgot", url.Values{"email": {testutil.BoulangerieUser}}); res == nil || res.StatusCode >= 400 {
		t.Fatalf("forgot password: %v", res)
	}
	resets := func() int {
		n := 0
		for _, msg := range sink.Messages() {
			if strings.Contains(string(msg.Data), "/password/reset/") {
				n++
			}
		}
		return n
	}
	deadline = time.Now().Add(30 * time.Second)
	for resets() == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	if got := resets(); got != 1 {
		t.Errorf("%d reset mails delivered, want 1", got)
	}

	// A file a client attaches through one instance is served by both.
	cl := newBrowser("http://" + lb)
	cl.do(t, http.MethodGet, "/login", nil)
	if res, _ := cl.do(t, http.MethodPost, "/login", url.Values{"email": {testutil.BoulangerieUser}, "password": {"demo-password"}}); res == nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("client login: %v", res)
	}
	var ticket string
	if err := db.Bun.NewRaw(`SELECT t.id::text FROM tickets t JOIN users u ON u.client_id = t.client_id
		WHERE u.email = ? AND t.status NOT IN ('resolved', 'closed') ORDER BY t.id LIMIT 1`, testutil.BoulangerieUser).Scan(context.Background(), &ticket); err != nil {
		t.Fatal(err)
	}
	cl.do(t, http.MethodGet, "/portal/tickets/"+ticket, nil) // the form's CSRF token after the login
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", cl.csrf)
	_ = mw.WriteField("body", "Le journal de l'onduleur")
	fw, _ := mw.CreateFormFile("attachments", "onduleur.txt")
	content := strings.Repeat("ligne du journal\n", 1000)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, cl.base+"/portal/tickets/"+ticket+"/messages", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if res, err := cl.c.Do(req); err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload through the balancer: %v %v", res, err)
	}
	var attachment string
	if err := db.Bun.NewRaw("SELECT id::text FROM ticket_attachments WHERE filename = 'onduleur.txt'").Scan(context.Background(), &attachment); err != nil {
		t.Fatal(err)
	}
	fileServers := map[string]int{}
	for range 6 {
		res, got := cl.do(t, http.MethodGet, "/portal/tickets/"+ticket+"/attachments/"+attachment, nil)
		if res == nil || res.StatusCode != http.StatusOK || got != content {
			t.Fatalf("attachment through the balancer: %v (%d bytes)", res, len(got))
		}
		fileServers[res.Header.Get("X-Served-By")]++
	}
	if fileServers["a"] == 0 || fileServers["b"] == 0 {
		t.Errorf("attachment served by %v, want both instances", fileServers)
	}
	t.Logf("cluster: a file uploaded once served by %v from the shared S3 bucket", fileServers)

	// 200 concurrent issues over both instances: numbers without gap or duplicate.
	before := gapless(t, db)
	codes, servers := issueAll(t, m, drafts(t, db, 200))
	if codes[http.StatusSeeOther] != 200 {
		t.Errorf("issue answers %v, want 200 × 303", codes)
	}
	if servers["a"] == 0 || servers["b"] == 0 {
		t.Errorf("issues per instance %v, want both", servers)
	}
	if got := gapless(t, db); got != before+200 {
		t.Errorf("%d numbered invoices, want %d", got, before+200)
	}
	t.Logf("cluster: 200 concurrent issues over %v, numbers gapless", servers)

	// SIGTERM under load: requests keep flowing, the session holds, the instance exits cleanly.
	// Meanwhile 14 mails, some in flight on each instance (their SMTP held at the gates), the rest
	// queued: the stopping instance finishes its own while draining, the other sends the rest.
	mailQueueIdle(t, db)
	gateA.Close()
	gateB.Close()
	termIDs, termSubjects := mailBurst(t, db, "SIGTERM", 14)
	termRunning := inFlight(t, db, termIDs) // a started first
	stop := make(chan struct{})
	var failures, ok int
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, _ := m.do(t, http.MethodGet, "/admin", nil)
			mu.Lock()
			if res != nil && res.StatusCode == http.StatusOK {
				ok++
			} else {
				failures++
			}
			mu.Unlock()
		}
	}()
	time.Sleep(500 * time.Millisecond)
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	gateB.Open()
	time.Sleep(time.Second)
	gateA.Open() // the stopping instance's jobs in flight now finish
	select {
	case err := <-a.done:
		if err != nil {
			t.Errorf("instance a after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("instance a still running 30 s after SIGTERM")
	}
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("cluster: SIGTERM under load: %d requests answered, %d failed", ok, failures)
	if ok == 0 || failures > ok/10 {
		t.Errorf("SIGTERM: %d answered, %d failed", ok, failures)
	}
	for i := range 5 {
		if res, _ := m.do(t, http.MethodGet, "/admin", nil); res == nil || res.StatusCode != http.StatusOK || res.Header.Get("X-Served-By") != "b" {
			t.Fatalf("after SIGTERM, request %d: %v", i, res)
		}
	}
	deliveredExactlyOnce(t, sink, termSubjects, 30*time.Second)
	termStates, termRetried := jobAttempts(t, db, termIDs)
	if termStates["completed"] != 14 || termRetried != 0 {
		t.Errorf("SIGTERM: delivery jobs %v, %d retried, want 14 completed at their first attempt (a graceful stop leaves nothing to rescue)", termStates, termRetried)
	}
	t.Logf("cluster: SIGTERM with 14 mails (%d in flight on the stopped instance, %d on the other, the rest queued): 14 delivered once each, %d retried", termRunning[0], termRunning[1], termRetried)

	// kill -9 of the other instance while it issues invoices: each issue is whole or absent, the
	// drafts left are issued once it is back, and the numbers stay gapless.
	startInstance(t, bin, envA, addrA)
	deadline = time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, _ := m.do(t, http.MethodGet, "/admin", nil); res != nil && res.Header.Get("X-Served-By") == "a" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// 10 mails, some in flight on each instance (SMTP held at the gates) when b is killed: b's jobs
	// stay "running" until the leader rescues them (JOBS_RESCUE_AFTER) and a sends them.
	mailQueueIdle(t, db)
	gateA.Close()
	gateB.Close()
	killIDs, killSubjects := mailBurst(t, db, "SIGKILL", 10)
	killRunning := inFlight(t, db, killIDs) // b started before a's restart
	ids := drafts(t, db, 40)
	killed := make(chan struct{})
	var killedAt time.Time
	go func() {
		defer close(killed)
		time.Sleep(100 * time.Millisecond)
		killedAt = time.Now()
		_ = b.cmd.Process.Kill() // SIGKILL
		gateA.Open()             // a's mails go out; what b held goes nowhere: its process is gone
		gateB.Open()
	}()
	issueAll(t, m, ids)
	<-killed
	n := gapless(t, db)
	var idList []uuid.UUID
	for _, d := range ids {
		idList = append(idList, d.id)
	}
	var left []draft
	rows, err := db.Bun.QueryContext(context.Background(), "SELECT id, version FROM invoices WHERE id IN (?) AND status = 'draft'", bun.List(idList))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d draft
		if err := rows.Scan(&d.id, &d.version); err != nil {
			t.Fatal(err)
		}
		left = append(left, d)
	}
	rows.Close()
	t.Logf("cluster: kill -9 during 40 issues: %d issued, %d left as drafts", len(ids)-len(left), len(left))
	if n != before+200+len(ids)-len(left) {
		t.Errorf("%d numbered invoices, want %d", n, before+200+len(ids)-len(left))
	}
	if codes, _ := issueAll(t, m, left); codes[http.StatusSeeOther] != len(left) {
		t.Errorf("issuing the drafts left: %v", codes)
	}
	if got := gapless(t, db); got != before+240 {
		t.Errorf("%d numbered invoices after the retry, want %d", got, before+240)
	}

	// The mails b held were retried by a after the rescue: each delivered once.
	deliveredExactlyOnce(t, sink, killSubjects, 90*time.Second)
	states, rescued := jobAttempts(t, db, killIDs)
	if states["completed"] != 10 || rescued == 0 || rescued < killRunning[0] {
		t.Errorf("kill -9: delivery jobs %v, %d retried after the rescue, want 10 completed and the %d of the killed instance retried", states, rescued, killRunning[0])
	}
	dups, total := duplicateMessageIDs(sink)
	if len(dups) > 0 {
		t.Errorf("mails delivered twice over the whole drill: %v", dups)
	}
	t.Logf("cluster: kill -9 with 10 mails (%d in flight on the killed instance, %d on the other): %d delivery jobs retried on the survivor, all 10 delivered once, the last %s after the kill", killRunning[0], killRunning[1], rescued, time.Since(killedAt).Round(time.Second))
	t.Logf("cluster: %d mails delivered over the whole drill, %d delivered twice", total, len(dups))
}
