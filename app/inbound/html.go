package inbound

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText turns an HTML mail into plain text for the ticket: nothing of it is ever rendered as
// HTML, so no script runs and no remote picture is fetched. Scripts, styles and the head are
// dropped; links keep their address as text ("site (https://…)"); pictures become their
// description ("[image: logo]"); blocks and line breaks become new lines.
func HTMLToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return normalizeText(src)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(strings.Join(strings.Fields(n.Data), " "))
			if strings.HasSuffix(n.Data, " ") || strings.HasSuffix(n.Data, "\n") {
				b.WriteString(" ")
			}
			return
		case html.CommentNode, html.DoctypeNode:
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Head, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Svg:
				return
			case atom.Br:
				b.WriteString("\n")
				return
			case atom.Img:
				if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
					b.WriteString("[image: " + alt + "]")
				} else {
					b.WriteString("[image]")
				}
				return
			case atom.Li:
				b.WriteString("\n- ")
			case atom.Blockquote:
				// A quoted earlier message: mark its lines as quoted so that trimming recognises it.
				var inner strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					inner.WriteString(HTMLToText(renderNode(c)))
					inner.WriteString("\n")
				}
				b.WriteString("\n")
				for _, l := range strings.Split(strings.TrimSpace(inner.String()), "\n") {
					b.WriteString("> " + l + "\n")
				}
				return
			}
		}
		block := n.Type == html.ElementNode && isBlock(n.DataAtom)
		if block {
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			if href := strings.TrimSpace(attr(n, "href")); href != "" && !strings.HasPrefix(strings.ToLower(href), "javascript:") &&
				!strings.HasPrefix(href, "#") && !strings.HasPrefix(strings.ToLower(href), "cid:") {
				b.WriteString(" (" + href + ")")
			}
		}
		if block {
			b.WriteString("\n")
		}
	}
	walk(doc)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return normalizeText(strings.Join(lines, "\n"))
}

func renderNode(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Table, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Ul, atom.Ol, atom.Pre, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Hr, atom.Body:
		return true
	}
	return false
}
