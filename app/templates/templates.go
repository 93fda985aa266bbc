// Package templates parses the embedded views once per language, so that every template calls
// {{t "key"}} bound to the language of the person it is rendered for.
package templates

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	"maintenant/app/i18n"
)

// Set holds, per language, every page cloned over the shared layouts and partials.
type Set struct {
	pages map[i18n.Lang]map[string]*pageTemplate
	texts map[i18n.Lang]map[string]*texttemplate.Template
}

// Options are what templates need besides the files: the catalogue, the time zone dates are shown in,
// and functions that do not depend on the language (asset URLs, for instance).
type Options struct {
	Catalogue *i18n.Catalogue
	Location  *time.Location
	Funcs     map[string]any
}

// New parses every .html file of fsys. Files under layouts/ and partials/ and files whose name starts
// with "_" are shared and named by their path without extension ("partials/flash",
// "portal/tickets/_rows"); every other .html file is a page of the same naming. .txt files are
// text templates (mail bodies).
func New(fsys fs.FS, opt Options) (*Set, error) {
	var shared, pages, texts []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".txt"):
			texts = append(texts, p)
		case !strings.HasSuffix(p, ".html"):
		case strings.HasPrefix(p, "layouts/") || strings.HasPrefix(p, "partials/") || strings.HasPrefix(path.Base(p), "_"):
			shared = append(shared, p)
		default:
			pages = append(pages, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("templates: walk: %w", err)
	}
	s := &Set{pages: map[i18n.Lang]map[string]*pageTemplate{}, texts: map[i18n.Lang]map[string]*texttemplate.Template{}}
	for _, lang := range i18n.Langs {
		funcs := Funcs(lang, opt)
		base := template.New("").Funcs(funcs)
		for _, p := range shared {
			if err := parseInto(fsys, p, func(name, src string) error {
				_, err := base.New(name).Parse(src)
				return err
			}); err != nil {
				return nil, err
			}
		}
		s.pages[lang] = map[string]*pageTemplate{}
		for _, p := range pages {
			t := template.New("").Funcs(funcs)
			if err := parseInto(fsys, p, func(name, src string) error {
				_, err := t.New(name).Parse(src)
				s.pages[lang][name] = &pageTemplate{t: t, base: base, mail: strings.HasPrefix(p, "emails/")}
				return err
			}); err != nil {
				return nil, err
			}
		}
		s.texts[lang] = map[string]*texttemplate.Template{}
		for _, p := range texts {
			if err := parseInto(fsys, p, func(name, src string) error {
				t, err := texttemplate.New(name).Funcs(texttemplate.FuncMap(funcs)).Parse(src)
				s.texts[lang][name] = t
				return err
			}); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// pageTemplate is one page in one language: parsed at start, completed with the shared templates it
// calls on its first rendering (so that an instance holds copies only of the pages it serves).
type pageTemplate struct {
	once sync.Once
	t    *template.Template
	base *template.Template
	mail bool
	err  error
}

func (p *pageTemplate) template() (*template.Template, error) {
	p.once.Do(func() { p.err = addShared(p.t, p.base, p.mail) })
	return p.t, p.err
}

// addShared copies into page the shared templates it may execute: the layouts (the mail layout for
// a mail, the others for a page) and, transitively, every template they and the page call. Only
// those are copied (html/template escapes each page's copy on its first execution, so a copy of
// every partial for every page and language would hold over a hundred megabytes of parse trees).
func addShared(page, base *template.Template, mail bool) error {
	var queue []string
	for _, l := range base.Templates() {
		if strings.HasPrefix(l.Name(), "layouts/") && (l.Name() == "layouts/email") == mail {
			queue = append(queue, l.Name())
		}
	}
	for _, own := range page.Templates() {
		if own.Tree != nil {
			queue = append(queue, calls(own.Tree.Root)...)
		}
	}
	for len(queue) > 0 {
		name := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if page.Lookup(name) != nil {
			continue
		}
		src := base.Lookup(name)
		if src == nil || src.Tree == nil {
			continue // executing it fails as for any undefined template
		}
		if _, err := page.AddParseTree(name, src.Tree.Copy()); err != nil {
			return fmt.Errorf("templates: add %s: %w", name, err)
		}
		queue = append(queue, calls(src.Tree.Root)...)
	}
	return nil
}

// calls lists the templates a parse tree executes ({{template "name"}} and {{block}}).
func calls(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.TemplateNode:
			out = append(out, n.Name)
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(n)
	return out
}

func parseInto(fsys fs.FS, p string, parse func(name, src string) error) error {
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return fmt.Errorf("templates: read %s: %w", p, err)
	}
	name := strings.TrimSuffix(strings.TrimSuffix(p, ".html"), ".txt")
	if err := parse(name, string(b)); err != nil {
		return fmt.Errorf("templates: parse %s: %w", p, err)
	}
	return nil
}

// Has tells whether a page exists.
func (s *Set) Has(page string) bool { _, ok := s.pages[i18n.FR][page]; return ok }

// Render executes block (a layout such as "layouts/portal", or a block the page defines such as
// "content") of page in lang. Nothing is written when the template fails.
func (s *Set) Render(w io.Writer, lang i18n.Lang, page, block string, data any) error {
	pt, ok := s.pages[lang][page]
	if !ok {
		return fmt.Errorf("templates: no page %q", page)
	}
	t, err := pt.template()
	if err != nil {
		return err
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, block, data); err != nil {
		return fmt.Errorf("templates: render %s/%s: %w", page, block, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// buffers are the pages' rendering buffers, reused: a page is written whole or not at all, and
// growing a new buffer to 100 KB for each request was a fifth of the bytes a request allocated.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// RenderText executes a text template (a mail body) in lang.
func (s *Set) RenderText(lang i18n.Lang, name string, data any) (string, error) {
	t, ok := s.texts[lang][name]
	if !ok {
		return "", fmt.Errorf("templates: no text template %q", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("templates: render %s: %w", name, err)
	}
	return buf.String(), nil
}

// Funcs returns the template functions bound to a language.
func Funcs(lang i18n.Lang, opt Options) template.FuncMap {
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	m := template.FuncMap{
		"t":     func(id string, args ...any) string { return opt.Catalogue.T(lang, id, args...) },
		"lang":  func() string { return string(lang) },
		"money": func(cents int64) string { return i18n.Money(lang, cents) },
		"date":  func(t time.Time) string { return i18n.Date(lang, t.In(loc)) },
		"datetime": func(t time.Time) string {
			return i18n.DateTime(lang, t.In(loc))
		},
		"duration": i18n.Duration,
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m
		},
		"add":       func(a, b int) int { return a + b },
		"hasPrefix": strings.HasPrefix,
	}
	for k, v := range opt.Funcs {
		m[k] = v
	}
	return m
}
