// Package clients holds the client companies the provider maintains.
package clients

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// Client is a company under maintenance; its users see only its own records.
type Client struct {
	bun.BaseModel `bun:"table:clients"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Name      string    `bun:"name"`
	Archived  bool      `bun:"archived"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
	Version   int       `bun:"version"`
}

// Validate checks a client before it is saved.
func (c *Client) Validate() error {
	f := apperr.Fields{}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		f.Add("name", "error.required")
	} else if utf8.RuneCountInString(c.Name) > 200 {
		f.Add("name", "error.too_long")
	}
	return f.Err()
}

// Create validates and inserts a client.
func Create(ctx context.Context, db bun.IDB, c *Client, now time.Time) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	c.CreatedAt, c.UpdatedAt, c.Version = now.UTC(), now.UTC(), 1
	if _, err := db.NewInsert().Model(c).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Fields{"name": "error.client_name_taken"}.Err()
		}
		return fmt.Errorf("clients: create: %w", err)
	}
	return nil
}

// Get returns one client.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Client, error) {
	c := new(Client)
	if err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("client")
		}
		return nil, fmt.Errorf("clients: get: %w", err)
	}
	return c, nil
}

// ByName returns the client with that name, whatever its case.
func ByName(ctx context.Context, db bun.IDB, name string) (*Client, error) {
	c := new(Client)
	if err := db.NewSelect().Model(c).Where("lower(name) = lower(?)", strings.TrimSpace(name)).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("client")
		}
		return nil, fmt.Errorf("clients: by name: %w", err)
	}
	return c, nil
}
