// Command maintenant is the whole application in one binary: the web server (serve, the default),
// and the operator's commands (migrate, seed, user).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the time zones travel with the binary

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/config"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/inbound"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/web"
	"maintenant/app/web/site"
)

const usage = `Maintenant — the software of an IT-maintenance provider.

Usage:
  maintenant [serve]                      start the web server (migrates first; seeds demo data into an empty dev database)
  maintenant migrate up|down|status       apply, undo the last group of, or list the migrations
  maintenant seed --demo                  fill an empty database with the demo data (refused when APP_ENV=prod)
  maintenant seed --scale small|medium|large
                                          the demo data then years of generated history, for load tests
  maintenant user create --staff|--client --email E --name N [--role R] [--client-name NAME] [--password P]
                                          create a user; without --password a client user gets an invitation mail
  maintenant backup [--out FILE]          write the database (pg_dump custom format) and every uploaded file into one archive
  maintenant restore [--force] FILE       put an archive back, then check every table's row count and every file's checksum
  maintenant env                          list the environment variables and their defaults
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "maintenant:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve()
	case "migrate":
		return migrate(args)
	case "seed":
		return seedCmd(args)
	case "user":
		return userCmd(args)
	case "backup":
		return backupCmd(args)
	case "restore":
		return restoreCmd(args)
	case "env":
		for _, v := range config.Variables {
			fmt.Printf("%-22s %s\n", v[0], v[1])
		}
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// setup loads the configuration and opens the database, provisioning one in dev when DATABASE_URL
// is not set.
func setup(ctx context.Context) (*config.Config, *database.DB, *slog.Logger, error) {
	cfg, err := config.FromEnvironment()
	if err != nil {
		return nil, nil, nil, err
	}
	var logger *slog.Logger
	if cfg.Env == config.EnvProd {
		logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	} else {
		logger = slog.New(slog.NewTextHandler(os.Stdout, nil))
	}
	if cfg.SecretKey == "" {
		if cfg.SecretKey, err = devSecret(cfg.DataDir); err != nil {
			return nil, nil, nil, err
		}
	}
	url := cfg.DatabaseURL
	if url == "" {
		server, err := database.LocateServer(ctx, filepath.Join(cfg.DataDir, "pg"), func(f string, a ...any) { logger.Info(fmt.Sprintf(f, a...)) })
		if err != nil {
			return nil, nil, nil, err
		}
		if url, err = database.EnsureDatabase(ctx, server, "maintenant"); err != nil {
			return nil, nil, nil, err
		}
	}
	db, err := database.Open(ctx, url)
	if err != nil {
		return nil, nil, nil, err
	}
	return cfg, db, logger, nil
}

// devSecret reads, or creates on first use, the secret key kept in DATA_DIR for development.
func devSecret(dir string) (string, error) {
	path := filepath.Join(dir, "secret.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return key, nil
}

// defaultMemoryLimit is the soft limit of the Go heap when GOMEMLIMIT is not set: the collector works
// harder as the heap nears it instead of letting it double (GOGC) after a burst of requests or the
// jobs run at start. A live heap stays near 40 MB; set GOMEMLIMIT to change it.
const defaultMemoryLimit = 100 << 20

func serve() error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	cfg, db, logger, err := setup(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if applied, err := database.Migrate(ctx, db); err != nil {
		return err
	} else if len(applied) > 0 {
		logger.Info("migrations applied", "names", applied)
	}
	if cfg.Env == config.EnvDev {
		n, err := accounts.CountUsers(ctx, db.Bun)
		if err != nil {
			return err
		}
		if n == 0 {
			demoFiles, err := fileStore(cfg)
			if err != nil {
				return err
			}
			if err := seed.Demo(ctx, db, time.Now(), demoFiles); err != nil {
				return err
			}
			logger.Info("demo data written into the empty database")
		}
	}
	cat, err := i18n.New()
	if err != nil {
		return err
	}
	var sender mail.Sender
	if cfg.SMTPURL != "" {
		sender = &mail.SMTPSender{URL: cfg.SMTPURL, From: cfg.MailFrom}
	}
	outbox := &mail.Outbox{}
	files, err := fileStore(cfg)
	if err != nil {
		return err
	}
	poller, stopDemo, err := inboundMailbox(cfg, db, outbox, files, logger)
	if err != nil {
		return err
	}
	defer stopDemo()
	s, err := site.New(web.Deps{Config: cfg, DB: db, Catalogue: cat, Outbox: outbox, Files: files, Now: time.Now, Logger: logger, Inbound: poller})
	if err != nil {
		return err
	}
	if poller != nil {
		poller.Service.Composer = s.Composer
	}
	riverClient, err := jobs.New(jobs.Config{DB: db, Sender: sender, Now: time.Now, Logger: logger, Work: true,
		Location: cfg.Location, Composer: s.Composer, Outbox: outbox, BaseURL: cfg.BaseURL.String(),
		StripeSecretKey: cfg.StripeSecretKey, StripeAPIURL: cfg.StripeAPIURL,
		Inbound: poller, InboundInterval: cfg.IMAPPollInterval, RescueAfter: cfg.JobsRescueAfter})
	if err != nil {
		return err
	}
	if sender != nil {
		outbox.Jobs = riverClient
	}
	if err := riverClient.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	if cfg.PprofAddr != "" {
		servePprof(cfg.PprofAddr, logger)
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.App.Listener(ln) }()
	logger.Info("Maintenant is ready", "url", cfg.BaseURL.String(), "listen", cfg.ListenAddr, "env", cfg.Env,
		"startup_ms", time.Since(started).Milliseconds(), "mail", mailMode(cfg), "stripe", stripeMode(cfg))
	if cfg.Env == config.EnvDev {
		fmt.Printf("\n  Maintenant: %s\n  Demo logins (password %q):\n", cfg.BaseURL, seed.DemoPassword)
		for _, l := range seed.DemoLogins {
			fmt.Printf("    %-30s %s\n", l.Email, l.Who)
		}
		fmt.Println()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := s.App.ShutdownWithContext(shutdownCtx); err != nil {
		logger.Error("http shutdown", "err", err)
	}
	if err := riverClient.Stop(shutdownCtx); err != nil {
		logger.Error("jobs shutdown", "err", err)
	}
	logger.Info("stopped")
	return nil
}

// inboundMailbox builds the poller of the support mailbox: IMAP_URL's, or in dev without it the
// in-process demo mailbox on loopback (stopped by stop). No mailbox in prod without IMAP_URL.
func inboundMailbox(cfg *config.Config, db *database.DB, outbox *mail.Outbox, files storage.Store, logger *slog.Logger) (*inbound.Poller, func(), error) {
	var mb *inbound.Mailbox
	stop := func() {}
	switch {
	case cfg.IMAPURL != "":
		var err error
		if mb, err = inbound.ParseURL(cfg.IMAPURL, cfg.IMAPProcessedFolder); err != nil {
			return nil, stop, fmt.Errorf("IMAP_URL: %w", err)
		}
	case cfg.Env == config.EnvDev:
		demo, err := inbound.StartDemo()
		if err != nil {
			return nil, stop, err
		}
		mb, stop = demo.Mailbox, func() { _ = demo.Close() }
		logger.Info("demo support mailbox (IMAP_URL unset)", "address", inbound.DemoAddress, "imap", demo.Mailbox.Addr)
	default:
		return nil, stop, nil
	}
	support := cfg.SupportAddress
	if mb.Demo {
		support = inbound.DemoAddress
	}
	outbox.ReplyTo = support
	own := []string{support}
	if from, err := netmail.ParseAddress(cfg.MailFrom); err == nil {
		own = append(own, from.Address)
	}
	svc := &inbound.Service{
		DB: db, Files: files, Outbox: outbox, Now: time.Now, Location: cfg.Location, BaseURL: cfg.BaseURL.String(),
		OwnAddresses: own, MaxBytes: cfg.InboundMaxBytes, AcksPerHour: cfg.InboundAcksPerHour, Logger: logger,
	}
	// The periodic poll waits with IDLE for most of the interval; "poll now" does not.
	return &inbound.Poller{Service: svc, Mailbox: mb, Idle: inbound.IdleFor(cfg.IMAPPollInterval)}, stop, nil
}

func mailMode(cfg *config.Config) string {
	if cfg.SMTPURL != "" {
		return "smtp"
	}
	return "outbox only (/admin/outbox)"
}

func stripeMode(cfg *config.Config) string {
	if cfg.StripeConfigured() {
		return "stripe"
	}
	return "built-in test checkout"
}

func migrate(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: maintenant migrate up|down|status")
	}
	ctx := context.Background()
	_, db, _, err := setup(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "up":
		applied, err := database.Migrate(ctx, db)
		if err != nil {
			return err
		}
		fmt.Printf("%d migrations applied\n", len(applied))
		for _, n := range applied {
			fmt.Println("  applied", n)
		}
	case "down":
		undone, err := database.Rollback(ctx, db)
		if err != nil {
			return err
		}
		fmt.Printf("%d migrations rolled back\n", len(undone))
		for _, n := range undone {
			fmt.Println("  rolled back", n)
		}
	case "status":
		applied, pending, err := database.MigrationStatus(ctx, db)
		if err != nil {
			return err
		}
		for _, n := range applied {
			fmt.Println("  applied ", n)
		}
		for _, n := range pending {
			fmt.Println("  pending ", n)
		}
	default:
		return fmt.Errorf("unknown migrate action %q: use up, down or status", args[0])
	}
	return nil
}

func seedCmd(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "write the demo data")
	scale := fs.String("scale", "", "write the demo data then years of history: small, medium or large")
	if err := fs.Parse(args); err != nil {
		return err
	}
	size, scaled := seed.Sizes[*scale]
	if *scale != "" && !scaled {
		return fmt.Errorf("unknown scale %q: use small, medium or large", *scale)
	}
	if !*demo && !scaled {
		return errors.New("usage: maintenant seed --demo | --scale small|medium|large")
	}
	ctx := context.Background()
	cfg, db, _, err := setup(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Env == config.EnvProd {
		return errors.New("seed --demo is refused when APP_ENV=prod")
	}
	if _, err := database.Migrate(ctx, db); err != nil {
		return err
	}
	started := time.Now()
	files, err := fileStore(cfg)
	if err != nil {
		return err
	}
	if err := seed.Demo(ctx, db, time.Now(), files); err != nil {
		return err
	}
	fmt.Printf("demo data written in %.1fs; every account's password is %q\n", time.Since(started).Seconds(), seed.DemoPassword)
	if scaled {
		fmt.Printf("seeding scale %s...\n", size.Name)
		rep, err := seed.Scale(ctx, db, size, time.Now())
		if err != nil {
			return err
		}
		fmt.Print(rep)
		fmt.Printf("scale %s seeded in %.1fs (demo data included)\n", size.Name, time.Since(started).Seconds())
	}
	return nil
}

func userCmd(args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: maintenant user create --staff|--client --email E --name N [--role R] [--client-name NAME] [--password P]")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	staff := fs.Bool("staff", false, "a member of the provider's staff")
	client := fs.Bool("client", false, "a user of a client company")
	email := fs.String("email", "", "email address (login)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "manager|technician for staff (default technician), admin|member for clients (default member)")
	clientFlag := fs.String("client-name", "", "the client company (created if missing)")
	password := fs.String("password", "", "initial password (12+ characters); without it a client user is invited by mail")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *staff == *client {
		return errors.New("say --staff or --client")
	}
	ctx := context.Background()
	cfg, db, _, err := setup(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := database.Migrate(ctx, db); err != nil {
		return err
	}
	now := time.Now()
	u := &accounts.User{Email: *email, Name: *name, Active: true, Language: "fr"}
	if *staff {
		u.Kind, u.Role = accounts.Staff, accounts.Role(*role)
		if *role == "" {
			u.Role = accounts.Technician
		}
		if *password == "" {
			return errors.New("a staff user needs --password")
		}
	} else {
		u.Kind, u.Role = accounts.Client, accounts.Role(*role)
		if *role == "" {
			u.Role = accounts.Member
		}
		if *clientFlag == "" {
			return errors.New("a client user needs --client-name")
		}
	}
	if *password != "" {
		if err := accounts.CheckPassword(*password, *password); err != nil {
			return fmt.Errorf("password: at least %d characters", accounts.MinPasswordLength)
		}
		if u.PasswordHash, err = accounts.HashPassword(*password); err != nil {
			return err
		}
	}
	cat, err := i18n.New()
	if err != nil {
		return err
	}
	s, err := web.New(web.Deps{Config: cfg, DB: db, Catalogue: cat, Outbox: &mail.Outbox{}, Now: time.Now, Logger: slog.Default()})
	if err != nil {
		return err
	}
	err = db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		if u.Kind == accounts.Client {
			cl, err := clients.ByName(ctx, tx, *clientFlag)
			if err != nil {
				cl = &clients.Client{Name: *clientFlag}
				if err := clients.Create(ctx, tx, cl, now); err != nil {
					return err
				}
			}
			u.ClientID = uuid.NullUUID{UUID: cl.ID, Valid: true}
		}
		if err := accounts.CreateUser(ctx, tx, u, now); err != nil {
			return err
		}
		actor := audit.Actor{Label: "cli"}
		if err := audit.Write(ctx, tx, now, actor, audit.Event{Action: audit.UserCreated, TargetType: "user", TargetID: u.ID.String()}); err != nil {
			return err
		}
		if u.Kind == accounts.Client && u.PasswordHash == "" {
			return s.SendInvitation(ctx, tx, u, actor)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("user %s created (%s, %s)\n", u.Email, u.Kind, u.Role)
	if u.PasswordHash == "" {
		fmt.Println("an invitation mail is in the outbox (/admin/outbox)")
	}
	return nil
}
