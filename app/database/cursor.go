package database

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Cursor encodes a keyset position (a timestamp and an id) for a "next page" link.
func Cursor(at time.Time, id uuid.UUID) string {
	return fmt.Sprintf("%d_%s", at.UnixMicro(), id)
}

// ParseCursor decodes a keyset position; a malformed cursor is reported as absent (first page).
func ParseCursor(s string) (time.Time, uuid.UUID, bool) {
	us, idStr, ok := strings.Cut(s, "_")
	if !ok || len(s) > 80 {
		return time.Time{}, uuid.Nil, false
	}
	var micros int64
	if _, err := fmt.Sscanf(us, "%d", &micros); err != nil {
		return time.Time{}, uuid.Nil, false
	}
	id, err := uuid.Parse(idStr)
	if err != nil {
		return time.Time{}, uuid.Nil, false
	}
	return time.UnixMicro(micros).UTC(), id, true
}

// EscapeLike escapes the wildcards of a LIKE pattern so user input matches literally.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
