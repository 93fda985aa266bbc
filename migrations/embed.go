// Package migrations embeds the SQL migrations so that deploying stays copying one binary.
package migrations

import "embed"

// FS holds every migration file; bun/migrate discovers them by name.
//
//go:embed *.sql
var FS embed.FS
