// Package views embeds the HTML and mail templates.
package views

import "embed"

// FS holds every template; files whose name starts with "_" are partials included by path.
//
//go:embed all:layouts all:partials all:auth all:account all:portal all:backoffice all:errors all:emails
var FS embed.FS
