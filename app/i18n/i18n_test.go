package i18n

import (
	"github.com/BurntSushi/toml"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		lang  Lang
		cents int64
		want  string
	}{
		{FR, 123456, "1\u202f234,56\u00a0€"},
		{FR, 5, "0,05\u00a0€"},
		{FR, -100000000, "-1\u202f000\u202f000,00\u00a0€"},
		{FR, 99900, "999,00\u00a0€"},
		{EN, 123456, "€1,234.56"},
		{EN, -5, "-€0.05"},
	}
	for _, tt := range tests {
		if got := Money(tt.lang, tt.cents); got != tt.want {
			t.Errorf("Money(%s, %d) = %q, want %q", tt.lang, tt.cents, got, tt.want)
		}
	}
}

func TestDurationAndDates(t *testing.T) {
	if got, want := Duration(90*time.Minute), "1 h 30"; got != want {
		t.Errorf("Duration = %q, want %q", got, want)
	}
	if got, want := Duration(45*time.Minute), "45 min"; got != want {
		t.Errorf("Duration = %q, want %q", got, want)
	}
	if got, want := Duration(2*time.Hour), "2 h"; got != want {
		t.Errorf("Duration = %q, want %q", got, want)
	}
	d := time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)
	if got, want := DateTime(FR, d), "22/11/2026 14:05"; got != want {
		t.Errorf("DateTime = %q, want %q", got, want)
	}
	if got, want := Date(FR, d), "22/11/2026"; got != want {
		t.Errorf("Date = %q, want %q", got, want)
	}
}

func TestAcceptLanguage(t *testing.T) {
	tests := map[string]Lang{
		"":                        FR,
		"en-US,en;q=0.9":          EN,
		"fr-FR,fr;q=0.9,en;q=0.8": FR,
		"de-DE":                   FR,
		"de-DE,en;q=0.5":          EN,
		"garbage;;;q=":            FR,
		"en-GB,fr;q=0.9":          EN,
	}
	for h, want := range tests {
		if got := FromAcceptLanguage(h); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", h, got, want)
		}
	}
}

// TestCataloguesMatch proves every message exists in both languages with the same placeholders.
func TestCataloguesMatch(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	raw := map[Lang]map[string]any{}
	for _, l := range Langs {
		raw[l] = map[string]any{}
		files, _ := fs.Glob(localeFS, "locales/"+string(l)+"/*.toml")
		for _, f := range files {
			data, err := localeFS.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]any{}
			if err := toml.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			for k, v := range m {
				raw[l][k] = v
			}
		}
	}
	placeholder := regexp.MustCompile(`\{\{\s*\.(\w+)`)
	names := func(v any) string {
		var text string
		switch v := v.(type) {
		case string:
			text = v
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if s, ok := v[k].(string); ok {
					text += s
				}
			}
		}
		set := map[string]bool{}
		for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
			set[m[1]] = true
		}
		out := make([]string, 0, len(set))
		for k := range set {
			out = append(out, k)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for _, id := range c.IDs(FR) {
		if !c.Has(EN, id) {
			t.Errorf("%s: missing in en", id)
			continue
		}
		if fr, en := names(raw[FR][id]), names(raw[EN][id]); fr != en {
			t.Errorf("%s: placeholders differ: fr {%s}, en {%s}", id, fr, en)
		}
	}
	for _, id := range c.IDs(EN) {
		if !c.Has(FR, id) {
			t.Errorf("%s: missing in fr", id)
		}
	}
	if got, want := c.T(FR, "no.such.key"), "no.such.key"; got != want {
		t.Errorf("unknown id = %q, want it returned as is", got)
	}
}

// TestPluralFrenchZeroIsOne checks that counted messages render for zero.
func TestPluralFrenchZeroIsOne(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	ids := c.IDs(FR)
	sort.Strings(ids)
	for _, id := range ids {
		if strings.HasSuffix(id, ".count") {
			if got := c.T(FR, id, "Count", 0); strings.Contains(got, "{{") {
				t.Errorf("%s with 0: %q", id, got)
			}
		}
	}
}
