// Package static embeds the CSS, JavaScript and images served under /static.
package static

import "embed"

// FS holds the built front end: css/app.css (Tailwind, built by make) and js/htmx.min.js (copied
// from npm by make) beside the files kept in git.
//
//go:embed css js img
var FS embed.FS
