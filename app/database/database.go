// Package database opens the PostgreSQL pool that bun, River and the session store share, runs the
// migrations, and wraps user actions in one transaction.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// DB is the one connection pool of the process, seen both as pgx (River) and as bun (stores).
type DB struct {
	Pool *pgxpool.Pool
	Bun  *bun.DB
}

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: parse url: %w", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// The pages' queries are short: PostgreSQL's JIT compilation cost more than it saved on the
	// bigger ones (about 200 ms to compile the schedule's month at large scale, BENCHMARKS.md).
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: ping: %w", err)
	}
	sqldb := stdlib.OpenDBFromPool(pool)
	return &DB{Pool: pool, Bun: bun.NewDB(sqldb, pgdialect.New())}, nil
}

// Close releases every connection.
func (d *DB) Close() {
	_ = d.Bun.Close()
	d.Pool.Close()
}

// Tx is one transaction seen both ways: bun queries run on it (it is a bun.IDB) and River inserts
// jobs into it through PGX, so that a change and the jobs it causes commit together.
type Tx struct {
	bun.IDB
	pgx pgx.Tx
}

// PGX returns the pgx transaction, for River's InsertTx.
func (t *Tx) PGX() pgx.Tx { return t.pgx }

// InTx runs fn in one transaction on one connection, committing when fn returns nil and rolling back
// otherwise. The transaction is begun through pgx on the connection bun uses, so bun statements and
// River inserts are atomic together.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	conn, err := d.Bun.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database: acquire: %w", err)
	}
	defer conn.Close()
	var pc *pgx.Conn
	if err := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("database: driver connection is %T, not pgx", dc)
		}
		pc = sc.Conn()
		return nil
	}); err != nil {
		return err
	}
	ptx, err := pc.Begin(ctx)
	if err != nil {
		return fmt.Errorf("database: begin: %w", err)
	}
	defer func() { _ = ptx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(ctx, &Tx{IDB: conn, pgx: ptx}); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("database: commit: %w", err)
	}
	return nil
}

// Ping tells whether the database answers, for /readyz.
func (d *DB) Ping(ctx context.Context) error { return d.Pool.Ping(ctx) }

// IsUniqueViolation reports whether err is PostgreSQL refusing a duplicate of a unique key.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// NoRows reports whether err means a query found nothing.
func NoRows(err error) bool { return err == sql.ErrNoRows || err == pgx.ErrNoRows }
