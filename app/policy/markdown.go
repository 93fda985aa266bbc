package policy

import (
	"bytes"
	"html/template"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// markdown converts the policy's Markdown to HTML with goldmark (CommonMark, tables and strike
// through). Raw HTML in the source is not passed through (goldmark's default), and the result is
// sanitised again by bluemonday, so that what a page shows can never run a script, carry htmx
// attributes or link to javascript: URLs.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

var (
	sanitizerOnce sync.Once
	sanitizer     *bluemonday.Policy
)

// policySanitizer allows the tags of formatted text only: paragraphs, headings, emphasis, lists,
// quotes, code, tables and links (http, https and mailto, opened without referrer). Every attribute
// but href and title is dropped, so no event handler, style, class or hx-* attribute survives.
func policySanitizer() *bluemonday.Policy {
	sanitizerOnce.Do(func() {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "s",
			"ul", "ol", "li", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td")
		p.AllowAttrs("href", "title").OnElements("a")
		p.AllowURLSchemes("http", "https", "mailto")
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(false)
		sanitizer = p
	})
	return sanitizer
}

// Render turns Markdown written by the manager into safe HTML for a page. Headings of level 1 are
// shown as level 3 (the page owns the higher ones).
func Render(src string) template.HTML {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	if strings.TrimSpace(src) == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src)) //nolint:gosec // escaped text
	}
	out := policySanitizer().SanitizeBytes(demoteHeadings(buf.Bytes()))
	// The sanitised output is the only HTML of user origin a page shows, by design.
	return template.HTML(out) //nolint:gosec // sanitised just above
}

// demoteHeadings turns <h1> into <h3> and <h2> into <h4>: a section's own headings sit under the
// section title.
func demoteHeadings(b []byte) []byte {
	r := strings.NewReplacer("<h1>", "<h3>", "</h1>", "</h3>", "<h2>", "<h4>", "</h2>", "</h4>",
		"<h1 ", "<h3 ", "<h2 ", "<h4 ")
	return []byte(r.Replace(string(b)))
}

// Block is one block of a section as plain text, for documents that are not HTML (the PDF).
type Block struct {
	// Kind is "heading", "paragraph" or "item" (a list item).
	Kind string
	Text string
}

// Blocks reads Markdown as a sequence of plain-text blocks: headings, paragraphs and list items,
// with the inline formatting dropped and links written as their text.
func Blocks(src string) []Block {
	source := []byte(strings.ReplaceAll(src, "\r\n", "\n"))
	doc := markdown.Parser().Parse(text.NewReader(source))
	var out []Block
	var walk func(n ast.Node, inItem bool)
	walk = func(n ast.Node, inItem bool) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c.Kind() {
			case ast.KindHeading:
				out = append(out, Block{Kind: "heading", Text: inlineText(c, source)})
			case ast.KindParagraph, ast.KindTextBlock:
				kind := "paragraph"
				if inItem {
					kind = "item"
				}
				if t := inlineText(c, source); t != "" {
					out = append(out, Block{Kind: kind, Text: t})
				}
			case ast.KindListItem:
				walk(c, true)
			case ast.KindFencedCodeBlock, ast.KindCodeBlock:
				var b strings.Builder
				lines := c.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(source))
				}
				out = append(out, Block{Kind: "paragraph", Text: strings.TrimRight(b.String(), "\n")})
			default:
				walk(c, inItem)
			}
		}
	}
	walk(doc, false)
	return out
}

// inlineText is the text of a block's inline content. Raw HTML is left out, and so is the content
// of an inline script or style element, as the page's sanitiser drops them.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	skipping := false
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if raw, ok := c.(*ast.RawHTML); ok {
			var tag strings.Builder
			for i := 0; i < raw.Segments.Len(); i++ {
				seg := raw.Segments.At(i)
				tag.Write(seg.Value(source))
			}
			lower := strings.ToLower(tag.String())
			switch {
			case strings.HasPrefix(lower, "<script"), strings.HasPrefix(lower, "<style"):
				skipping = true
			case strings.HasPrefix(lower, "</script"), strings.HasPrefix(lower, "</style"):
				skipping = false
			}
			return ast.WalkSkipChildren, nil
		}
		if skipping {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(source))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.CodeSpan:
			for g := t.FirstChild(); g != nil; g = g.NextSibling() {
				if tx, ok := g.(*ast.Text); ok {
					b.Write(tx.Segment.Value(source))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}
