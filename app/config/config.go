// Package config reads Maintenant's settings from the environment and checks them once at start.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Env names the two ways the application runs; prod refuses insecure defaults.
type Env string

// The environments.
const (
	EnvDev  Env = "dev"
	EnvProd Env = "prod"
)

// Config is every setting of one instance. It is built by Load and never changed afterwards.
type Config struct {
	DatabaseURL         string
	ListenAddr          string
	BaseURL             *url.URL
	Env                 Env
	Location            *time.Location
	SMTPURL             string
	MailFrom            string
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIURL        string
	DataDir             string
	TrustedProxies      []string
	SecretKey           string
	StaffIdleTimeout    time.Duration
	ClientIdleTimeout   time.Duration
	// IMAPURL is the support mailbox read for faults reported by email (imaps://user:password@host:993/INBOX);
	// "" runs the in-process demo mailbox in dev and no mailbox in prod.
	IMAPURL string
	// IMAPProcessedFolder is where processed mails are moved (never deleted).
	IMAPProcessedFolder string
	// IMAPPollInterval is how often the mailbox is read.
	IMAPPollInterval time.Duration
	// JobsRescueAfter is how long a job may stay running (its instance killed) before River hands it
	// to another instance; 0 keeps River's hour. Below two minutes, half of it bounds a job's run time.
	JobsRescueAfter time.Duration
	// SupportAddress is the support mailbox's address: the Reply-To of ticket mails.
	SupportAddress string
	// InboundMaxBytes is the largest mail read whole; a larger one is refused and kept in triage.
	InboundMaxBytes int64
	// InboundAcksPerHour bounds the acknowledgements sent to one address per hour.
	InboundAcksPerHour int
	// PprofAddr is a loopback address serving Go's profiler (net/http/pprof); "" serves none.
	PprofAddr string
}

// Error lists every bad variable with its own message, so an operator fixes them all in one go.
type Error struct {
	Problems map[string]string
}

func (e *Error) Error() string {
	names := make([]string, 0, len(e.Problems))
	for n := range e.Problems {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("config: invalid environment:")
	for _, n := range names {
		fmt.Fprintf(&b, "\n  %s: %s", n, e.Problems[n])
	}
	return b.String()
}

// Variables lists every environment variable read, with its default, for the README and `maintenant help`.
var Variables = [][2]string{
	{"DATABASE_URL", "(found or provisioned locally in dev)"},
	{"LISTEN_ADDR", "127.0.0.1:8080"},
	{"BASE_URL", "http://<LISTEN_ADDR>"},
	{"APP_ENV", "dev"},
	{"TZ", "Europe/Paris"},
	{"SMTP_URL", "(none: mail stays in the outbox)"},
	{"MAIL_FROM", "Maintenant <no-reply@localhost>"},
	{"STRIPE_SECRET_KEY", "(none: built-in test checkout)"},
	{"STRIPE_WEBHOOK_SECRET", "(none: built-in test checkout)"},
	{"STRIPE_API_URL", "(Stripe's; stripe-mock in tests)"},
	{"DATA_DIR", "./data"},
	{"TRUSTED_PROXIES", "(none)"},
	{"SECRET_KEY", "(dev: generated into DATA_DIR; prod: required)"},
	{"SESSION_IDLE_STAFF", "30m"},
	{"SESSION_IDLE_CLIENT", "8h"},
	{"IMAP_URL", "(none: demo mailbox in dev, no mailbox in prod)"},
	{"IMAP_PROCESSED_FOLDER", "Processed"},
	{"IMAP_POLL_INTERVAL", "1m"},
	{"SUPPORT_ADDRESS", "(the IMAP_URL user when it is an address)"},
	{"INBOUND_MAX_BYTES", "26214400 (25 MiB)"},
	{"INBOUND_ACKS_PER_HOUR", "3"},
	{"PPROF_ADDR", "(none)"},
	{"GOMEMLIMIT", "100MiB (Go's soft heap limit, set by serve when unset)"},
	{"S3_URL", "(none: files in DATA_DIR/files)"},
	{"S3_BUCKET", "(required with S3_URL)"},
	{"S3_PREFIX", "(none)"},
	{"S3_REGION", "(none)"},
	{"S3_ACCESS_KEY", "(required with S3_URL)"},
	{"S3_SECRET_KEY", "(required with S3_URL)"},
}

// Load reads the configuration through getenv (os.Getenv in production, a map in tests).
func Load(getenv func(string) string) (*Config, error) {
	problems := map[string]string{}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		DatabaseURL:         get("DATABASE_URL", ""),
		ListenAddr:          get("LISTEN_ADDR", "127.0.0.1:8080"),
		SMTPURL:             get("SMTP_URL", ""),
		MailFrom:            get("MAIL_FROM", "Maintenant <no-reply@localhost>"),
		StripeSecretKey:     get("STRIPE_SECRET_KEY", ""),
		StripeWebhookSecret: get("STRIPE_WEBHOOK_SECRET", ""),
		StripeAPIURL:        get("STRIPE_API_URL", ""),
		DataDir:             get("DATA_DIR", "data"),
		SecretKey:           get("SECRET_KEY", ""),
	}

	switch env := Env(get("APP_ENV", string(EnvDev))); env {
	case EnvDev, EnvProd:
		c.Env = env
	default:
		problems["APP_ENV"] = fmt.Sprintf("%q is not one of dev, prod", env)
		c.Env = EnvDev
	}

	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		problems["LISTEN_ADDR"] = fmt.Sprintf("%q is not host:port", c.ListenAddr)
	}

	rawBase := get("BASE_URL", "http://"+c.ListenAddr)
	if u, err := url.Parse(rawBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems["BASE_URL"] = fmt.Sprintf("%q is not an absolute http(s) URL", rawBase)
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawQuery, u.Fragment = "", ""
		c.BaseURL = u
		if c.Env == EnvProd && u.Scheme != "https" {
			problems["BASE_URL"] = "must use https when APP_ENV=prod"
		}
	}

	tz := get("TZ", "Europe/Paris")
	if tz == "UTC" || tz == "" {
		c.Location = time.UTC
	} else if loc, err := time.LoadLocation(strings.TrimPrefix(tz, ":")); err != nil {
		problems["TZ"] = fmt.Sprintf("%q is not a known time zone", tz)
	} else {
		c.Location = loc
	}

	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			problems["SMTP_URL"] = "must look like smtp://user:password@host:587 or smtps://host:465"
		}
	}
	if (c.StripeSecretKey == "") != (c.StripeWebhookSecret == "") {
		problems["STRIPE_WEBHOOK_SECRET"] = "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: set both or neither"
	}
	if c.StripeAPIURL != "" {
		if u, err := url.Parse(c.StripeAPIURL); err != nil || u.Host == "" {
			problems["STRIPE_API_URL"] = "must be an absolute URL"
		}
	}

	for _, p := range strings.Split(get("TRUSTED_PROXIES", ""), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				problems["TRUSTED_PROXIES"] = fmt.Sprintf("%q is neither an IP address nor a CIDR range", p)
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}

	c.loadInbound(get, problems)

	if raw := get("JOBS_RESCUE_AFTER", ""); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d < 5*time.Second || d > 24*time.Hour {
			problems["JOBS_RESCUE_AFTER"] = fmt.Sprintf("%q is not a duration between 5s and 24h (for example 10m)", raw)
		} else {
			c.JobsRescueAfter = d
		}
	}

	if c.PprofAddr = get("PPROF_ADDR", ""); c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			problems["PPROF_ADDR"] = fmt.Sprintf("%q is not a loopback host:port (for example 127.0.0.1:6060): the profiler must not be reachable from outside", c.PprofAddr)
		}
	}

	c.StaffIdleTimeout = duration(get, problems, "SESSION_IDLE_STAFF", 30*time.Minute)
	c.ClientIdleTimeout = duration(get, problems, "SESSION_IDLE_CLIENT", 8*time.Hour)

	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}

	if c.Env == EnvProd {
		if c.DatabaseURL == "" {
			problems["DATABASE_URL"] = "is required when APP_ENV=prod"
		}
		if len(c.SecretKey) < 32 {
			problems["SECRET_KEY"] = "is required when APP_ENV=prod: at least 32 random characters"
		}
		if c.StripeSecretKey != "" && !strings.HasPrefix(c.StripeSecretKey, "sk_") && !strings.HasPrefix(c.StripeSecretKey, "rk_") {
			problems["STRIPE_SECRET_KEY"] = "does not look like a Stripe secret key"
		}
	} else if c.SecretKey != "" && len(c.SecretKey) < 32 {
		problems["SECRET_KEY"] = "must be at least 32 characters"
	}

	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return c, nil
}

func duration(get func(string, string) string, problems map[string]string, name string, def time.Duration) time.Duration {
	raw := get(name, "")
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < time.Minute || d > 30*24*time.Hour {
		problems[name] = fmt.Sprintf("%q is not a duration between 1m and 720h (for example 30m or 8h)", raw)
		return def
	}
	return d
}

// loadInbound reads the support mailbox's settings.
func (c *Config) loadInbound(get func(string, string) string, problems map[string]string) {
	c.IMAPURL = get("IMAP_URL", "")
	c.IMAPProcessedFolder = get("IMAP_PROCESSED_FOLDER", "Processed")
	c.SupportAddress = get("SUPPORT_ADDRESS", "")
	if c.IMAPURL != "" {
		u, err := url.Parse(c.IMAPURL)
		if err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Host == "" || u.User == nil || u.User.Username() == "" {
			problems["IMAP_URL"] = "must look like imaps://user:password@host:993/INBOX"
		} else if c.SupportAddress == "" && strings.Contains(u.User.Username(), "@") {
			c.SupportAddress = u.User.Username()
		}
	}
	if c.SupportAddress != "" {
		if a, err := mail.ParseAddress(c.SupportAddress); err != nil || a.Name != "" {
			problems["SUPPORT_ADDRESS"] = fmt.Sprintf("%q is not a plain email address", c.SupportAddress)
		}
	}
	if strings.ContainsAny(c.IMAPProcessedFolder, "\r\n\"*%") {
		problems["IMAP_PROCESSED_FOLDER"] = "must be a plain folder name"
	}
	c.IMAPPollInterval = time.Minute
	if raw := get("IMAP_POLL_INTERVAL", ""); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d < 10*time.Second || d > 24*time.Hour {
			problems["IMAP_POLL_INTERVAL"] = fmt.Sprintf("%q is not a duration between 10s and 24h (for example 1m)", raw)
		} else {
			c.IMAPPollInterval = d
		}
	}
	c.InboundMaxBytes = 25 << 20
	if raw := get("INBOUND_MAX_BYTES", ""); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1<<20 || n > 200<<20 {
			problems["INBOUND_MAX_BYTES"] = fmt.Sprintf("%q is not a number of bytes between 1048576 and 209715200", raw)
		} else {
			c.InboundMaxBytes = n
		}
	}
	c.InboundAcksPerHour = 3
	if raw := get("INBOUND_ACKS_PER_HOUR", ""); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 100 {
			problems["INBOUND_ACKS_PER_HOUR"] = fmt.Sprintf("%q is not a number between 1 and 100", raw)
		} else {
			c.InboundAcksPerHour = n
		}
	}
}

// FromEnvironment is Load on the process environment.
func FromEnvironment() (*Config, error) { return Load(os.Getenv) }

// Secure tells whether cookies must carry the Secure flag: the site is served over https.
func (c *Config) Secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// URL builds an absolute link from BASE_URL, never from request headers.
func (c *Config) URL(path string) string {
	return c.BaseURL.String() + path
}

// StripeConfigured tells whether real Stripe keys are set; without them the built-in test checkout is used.
func (c *Config) StripeConfigured() bool { return c.StripeSecretKey != "" }
