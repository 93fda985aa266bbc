// Package i18n holds the French and English catalogues (one file per area under locales/fr and
// locales/en, with the same keys in both) and the formatting of dates and amounts per
// language. French is the default.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*/*.toml
var localeFS embed.FS

// Lang is a supported interface language.
type Lang string

// The supported languages; French first.
const (
	FR Lang = "fr"
	EN Lang = "en"
)

// Langs lists the supported languages in the order the switch shows them.
var Langs = []Lang{FR, EN}

// Parse returns the language named by s, if supported.
func Parse(s string) (Lang, bool) {
	switch Lang(strings.ToLower(strings.TrimSpace(s))) {
	case FR:
		return FR, true
	case EN:
		return EN, true
	}
	return FR, false
}

var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// FromAcceptLanguage picks the language a browser prefers among ours; French when it says nothing useful.
func FromAcceptLanguage(header string) Lang {
	if header == "" {
		return FR
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return FR
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return FR
	}
	if idx == 1 {
		return EN
	}
	return FR
}

// Catalogue translates message ids. It is read-only after New.
type Catalogue struct {
	bundle     *goi18n.Bundle
	localizers map[Lang]*goi18n.Localizer
	ids        map[Lang]map[string]bool
	// plain remembers the messages asked for without arguments (most of a page's labels), by
	// language and id: the catalogue never changes, and localizing each label again was a twentieth
	// of a page's rendering.
	plain sync.Map
}

type plainKey struct {
	lang Lang
	id   string
}

// New loads the embedded catalogues.
func New() (*Catalogue, error) {
	b := goi18n.NewBundle(language.French)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalogue{bundle: b, localizers: map[Lang]*goi18n.Localizer{}, ids: map[Lang]map[string]bool{}}
	for _, l := range Langs {
		c.ids[l] = map[string]bool{}
		files, err := fs.Glob(localeFS, "locales/"+string(l)+"/*.toml")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("i18n: no catalogue for %s", l)
		}
		for _, f := range files {
			data, err := localeFS.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("i18n: read %s: %w", f, err)
			}
			// go-i18n takes the language from the file name: name each file "<area>.<lang>.toml" for it.
			mf, err := b.ParseMessageFileBytes(data, path.Base(strings.TrimSuffix(f, ".toml"))+"."+string(l)+".toml")
			if err != nil {
				return nil, fmt.Errorf("i18n: parse %s: %w", f, err)
			}
			for _, m := range mf.Messages {
				if c.ids[l][m.ID] {
					return nil, fmt.Errorf("i18n: %s defines %q again", f, m.ID)
				}
				c.ids[l][m.ID] = true
			}
		}
		c.localizers[l] = goi18n.NewLocalizer(b, string(l))
	}
	return c, nil
}

// Has tells whether the catalogue of lang defines id.
func (c *Catalogue) Has(lang Lang, id string) bool { return c.ids[lang][id] }

// IDs returns every message id of lang.
func (c *Catalogue) IDs(lang Lang) []string {
	out := make([]string, 0, len(c.ids[lang]))
	for id := range c.ids[lang] {
		out = append(out, id)
	}
	return out
}

// T translates id into lang. Arguments are name/value pairs for the message template; a pair named
// "Count" also selects the plural form. An unknown id is returned as is, so that plain text (a
// message that is not a key) passes through.
func (c *Catalogue) T(lang Lang, id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := c.plain.Load(plainKey{lang, id}); ok {
			return s.(string)
		}
	}
	loc, ok := c.localizers[lang]
	if !ok {
		loc = c.localizers[FR]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			data[name] = args[i+1]
			if name == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		return id
	}
	if len(args) == 0 {
		c.plain.Store(plainKey{lang, id}, s)
	}
	return s
}

// narrowNBSP is the thousands separator of French amounts.
const narrowNBSP = "\u202f"

// Money formats an amount in cents: "1 234,56 €" in French, "€1,234.56" in English.
func Money(lang Lang, cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	units, rest := cents/100, cents%100
	digits := fmt.Sprintf("%d", units)
	sep, dec := narrowNBSP, ","
	if lang == EN {
		sep, dec = ",", "."
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	num := fmt.Sprintf("%s%s%02d", b.String(), dec, rest)
	sign := ""
	if neg {
		sign = "-"
	}
	if lang == EN {
		return sign + "€" + num
	}
	return sign + num + "\u00a0€"
}

// Date formats a calendar date: 22/11/2026 in French, 22/11/2026 in English too (European order).
func Date(lang Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}

// DateTime formats a date and time: "22/11/2026 14:05" in French, "22/11/2026 2:05 pm" in English.
func DateTime(lang Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == EN {
		return t.Format("02/01/2006 3:04 pm")
	}
	return t.Format("02/01/2006 15:04")
}

// Duration formats a duration of work: "1 h 30", "45 min".
func Duration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	m := int64(d.Round(time.Minute) / time.Minute)
	h, m := m/60, m%60
	var s string
	switch {
	case h == 0:
		s = fmt.Sprintf("%d min", m)
	case m == 0:
		s = fmt.Sprintf("%d h", h)
	default:
		s = fmt.Sprintf("%d h %02d", h, m)
	}
	if neg {
		return "-" + s
	}
	return s
}
