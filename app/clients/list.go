package clients

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/database"
	"maintenant/app/legal"
)

// Status filters the list by archived flag.
type Status string

// The list filters: active clients (the default), archived ones, or both.
const (
	StatusActive   Status = "active"
	StatusArchived Status = "archived"
	StatusAll      Status = "all"
)

// Sort orders the list.
type Sort string

// The list orders: by name (case-insensitive) or by creation date.
const (
	SortName    Sort = "name"
	SortCreated Sort = "created"
)

// PageSize is the number of clients on one page of the list.
const PageSize = 25

// maxQuery bounds the search text.
const maxQuery = 100

// Filter is what the backoffice list asks for; the zero value is the first page of active clients by
// name.
type Filter struct {
	// Query searches the name, the city (case-insensitive, anywhere in the text) and the SIREN or
	// SIRET (spaces ignored).
	Query  string
	Status Status
	Sort   Sort
	Desc   bool
	// After is the keyset cursor of the last row of the previous page ("" for the first page).
	After string
	Limit int
}

// Normalize puts unknown values back to their defaults and bounds the query.
func (f *Filter) Normalize() {
	f.Query = strings.TrimSpace(f.Query)
	if utf8.RuneCountInString(f.Query) > maxQuery {
		f.Query = string([]rune(f.Query)[:maxQuery])
	}
	switch f.Status {
	case StatusActive, StatusArchived, StatusAll:
	default:
		f.Status = StatusActive
	}
	switch f.Sort {
	case SortName, SortCreated:
	default:
		f.Sort = SortName
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = PageSize
	}
}

// ListPage is one page of the list, with the number of clients the filter matches on every page.
type ListPage struct {
	Clients []Client
	// Next is the cursor of the following page, "" on the last one.
	Next  string
	Total int
}

// List returns one page of clients for the filter, in two queries (the page and its count).
func List(ctx context.Context, db bun.IDB, f Filter) (*ListPage, error) {
	f.Normalize()
	var out []Client
	q := db.NewSelect().Model(&out).ColumnExpr("client.*").ColumnExpr("lower(client.name) AS sort_name")
	where(q, f)
	dir := "ASC"
	cmp := ">"
	if f.Desc {
		dir, cmp = "DESC", "<"
	}
	switch f.Sort {
	case SortCreated:
		if at, id, ok := parseCreatedCursor(f.After); ok {
			q = q.Where("(created_at, id) "+cmp+" (?, ?)", at, id)
		}
		q = q.OrderExpr("created_at " + dir + ", id " + dir)
	default:
		if name, id, ok := parseNameCursor(f.After); ok {
			q = q.Where("(lower(name), id) "+cmp+" (?, ?)", name, id)
		}
		q = q.OrderExpr("lower(name) " + dir + ", id " + dir)
	}
	if err := q.Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("clients: list: %w", err)
	}
	p := &ListPage{Clients: out}
	if len(out) > f.Limit {
		p.Clients = out[:f.Limit]
		last := p.Clients[f.Limit-1]
		if f.Sort == SortCreated {
			p.Next = "c" + database.Cursor(last.CreatedAt, last.ID)
		} else {
			p.Next = "n" + base64.RawURLEncoding.EncodeToString([]byte(last.SortName)) + "." + last.ID.String()
		}
	}
	cq := db.NewSelect().Model((*Client)(nil))
	where(cq, f)
	n, err := cq.Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("clients: count: %w", err)
	}
	p.Total = int(n)
	return p, nil
}

// where adds the filter's status and search to a query.
func where(q *bun.SelectQuery, f Filter) {
	switch f.Status {
	case StatusActive:
		q.Where("archived = false")
	case StatusArchived:
		q.Where("archived = true")
	}
	if f.Query == "" {
		return
	}
	like := "%" + database.EscapeLike(f.Query) + "%"
	q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("name ILIKE ?", like).WhereOr("city ILIKE ?", like)
		if digits := legal.Compact(f.Query); legal.IsDigits(digits, len(digits)) {
			q = q.WhereOr("siren LIKE ?", digits+"%").WhereOr("siret LIKE ?", digits+"%")
		}
		return q
	})
}

// parseNameCursor reads "n<base64 lower name>.<id>"; anything else is the first page.
func parseNameCursor(s string) (string, uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(s, "n")
	if !ok || len(s) > 600 {
		return "", uuid.Nil, false
	}
	enc, idStr, ok := strings.Cut(rest, ".")
	if !ok {
		return "", uuid.Nil, false
	}
	name, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !utf8.Valid(name) {
		return "", uuid.Nil, false
	}
	id, err := uuid.Parse(idStr)
	if err != nil {
		return "", uuid.Nil, false
	}
	return string(name), id, true
}

// parseCreatedCursor reads "c<database cursor>"; anything else is the first page.
func parseCreatedCursor(s string) (time.Time, uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(s, "c")
	if !ok {
		return time.Time{}, uuid.Nil, false
	}
	return database.ParseCursor(rest)
}
