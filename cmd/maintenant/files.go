package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"maintenant/app/config"
	"maintenant/app/storage"
)

// fileStore is where uploaded files live: an S3-compatible bucket when S3_URL is set (required for
// several instances), else DATA_DIR/files on this machine.
func fileStore(cfg *config.Config) (storage.Lister, error) {
	s3cfg, ok, err := storage.S3ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	if ok {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return storage.NewS3(ctx, s3cfg)
	}
	return &storage.Local{Dir: filepath.Join(cfg.DataDir, "files")}, nil
}
