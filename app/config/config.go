// Package config reads Maintenant's settings from the environment and checks them once at start.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
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
