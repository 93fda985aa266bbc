package config

import (
	"errors"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ListenAddr, "127.0.0.1:8080"; got != want {
		t.Errorf("ListenAddr = %q, want %q", got, want)
	}
	if got, want := c.BaseURL.String(), "http://127.0.0.1:8080"; got != want {
		t.Errorf("BaseURL = %q, want %q", got, want)
	}
	if got, want := c.Location.String(), "Europe/Paris"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got, want := c.StaffIdleTimeout, 30*time.Minute; got != want {
		t.Errorf("StaffIdleTimeout = %v, want %v", got, want)
	}
	if got, want := c.ClientIdleTimeout, 8*time.Hour; got != want {
		t.Errorf("ClientIdleTimeout = %v, want %v", got, want)
	}
	if c.Env != EnvDev || c.Secure() {
		t.Errorf("Env = %v, Secure = %v; want dev, insecure", c.Env, c.Secure())
	}
	if got, want := c.URL("/login"), "http://127.0.0.1:8080/login"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		bad  []string
	}{
		{"bad env", map[string]string{"APP_ENV": "staging"}, []string{"APP_ENV"}},
		{"bad listen", map[string]string{"LISTEN_ADDR": "8080"}, []string{"LISTEN_ADDR"}},
		{"relative base", map[string]string{"BASE_URL": "/maintenant"}, []string{"BASE_URL"}},
		{"ftp base", map[string]string{"BASE_URL": "ftp://example.com"}, []string{"BASE_URL"}},
		{"unknown tz", map[string]string{"TZ": "Mars/Olympus"}, []string{"TZ"}},
		{"bad smtp", map[string]string{"SMTP_URL": "mail.example.com"}, []string{"SMTP_URL"}},
		{"half stripe", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1"}, []string{"STRIPE_WEBHOOK_SECRET"}},
		{"bad proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.1, nonsense"}, []string{"TRUSTED_PROXIES"}},
		{"bad idle", map[string]string{"SESSION_IDLE_STAFF": "forever"}, []string{"SESSION_IDLE_STAFF"}},
		{"short secret", map[string]string{"SECRET_KEY": "short"}, []string{"SECRET_KEY"}},
		{"public pprof", map[string]string{"PPROF_ADDR": "0.0.0.0:6060"}, []string{"PPROF_ADDR"}},
		{"named pprof", map[string]string{"PPROF_ADDR": "localhost:6060"}, []string{"PPROF_ADDR"}},
		{"prod insecure", map[string]string{"APP_ENV": "prod", "BASE_URL": "http://example.com"}, []string{"BASE_URL", "DATABASE_URL", "SECRET_KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			for _, name := range tt.bad {
				if ce.Problems[name] == "" {
					t.Errorf("no problem reported for %s; got %v", name, ce.Problems)
				}
			}
			if got, want := len(ce.Problems), len(tt.bad); got != want {
				t.Errorf("%d problems, want %d: %v", got, want, ce.Problems)
			}
		})
	}
}

func TestLoadProd(t *testing.T) {
	c, err := Load(env(map[string]string{
		"APP_ENV":         "prod",
		"BASE_URL":        "https://maintenance.example.fr/",
		"DATABASE_URL":    "postgres://app@db/maintenant",
		"SECRET_KEY":      "0123456789abcdef0123456789abcdef",
		"TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.2",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() {
		t.Error("Secure() = false for an https BASE_URL")
	}
	if got, want := c.URL("/x"), "https://maintenance.example.fr/x"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if got, want := len(c.TrustedProxies), 2; got != want {
		t.Errorf("%d trusted proxies, want %d", got, want)
	}
}
