package storage

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates a bucket of an S3-compatible service (AWS S3, Scaleway, OVH, MinIO, Garage…).
type S3Config struct {
	// URL is the service's endpoint with its scheme: https://s3.fr-par.scw.cloud.
	URL string
	// Bucket must exist; Prefix (optional) puts the files under a folder of it.
	Bucket, Prefix string
	Region         string
	AccessKey      string
	SecretKey      string
}

// S3ConfigFromEnv reads S3_URL, S3_BUCKET, S3_PREFIX, S3_REGION, S3_ACCESS_KEY and S3_SECRET_KEY;
// ok is false when S3_URL is not set (files then stay in a local directory).
func S3ConfigFromEnv(get func(string) string) (cfg S3Config, ok bool, err error) {
	cfg = S3Config{URL: get("S3_URL"), Bucket: get("S3_BUCKET"), Prefix: strings.Trim(get("S3_PREFIX"), "/"),
		Region: get("S3_REGION"), AccessKey: get("S3_ACCESS_KEY"), SecretKey: get("S3_SECRET_KEY")}
	if cfg.URL == "" {
		return cfg, false, nil
	}
	var missing []string
	for name, v := range map[string]string{"S3_BUCKET": cfg.Bucket, "S3_ACCESS_KEY": cfg.AccessKey, "S3_SECRET_KEY": cfg.SecretKey} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return cfg, true, fmt.Errorf("storage: S3_URL is set but %s missing", strings.Join(missing, ", "))
	}
	return cfg, true, nil
}

// S3 keeps files in a bucket of an S3-compatible service, for several instances that must all see
// every uploaded file. Keys are the application's own (never the uploader's).
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

// NewS3 connects to the service and checks that the bucket exists.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("storage: S3_URL %q is not an http(s) URL", cfg.URL)
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: s3 client: %w", err)
	}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: s3 bucket %s: %w", cfg.Bucket, err)
	}
	if !exists {
		return nil, fmt.Errorf("storage: s3 bucket %s does not exist", cfg.Bucket)
	}
	return &S3{client: client, bucket: cfg.Bucket, prefix: cfg.Prefix}, nil
}

func (s *S3) object(key string) (string, error) {
	if !keyPattern.MatchString(key) || strings.Contains(key, "..") {
		return "", fmt.Errorf("storage: invalid key %q", key)
	}
	if s.prefix == "" {
		return key, nil
	}
	return s.prefix + "/" + key, nil
}

// Put uploads the content. The object appears whole or not at all (an S3 PUT is atomic). The
// content is read into memory first (the application's files are 24 MiB at most): its size is then
// known, content over limit is never sent, and every S3-compatible service takes a sized PUT.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, error) {
	name, err := s.object(key)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return 0, fmt.Errorf("storage: read: %w", err)
	}
	if n > limit {
		return 0, ErrTooLarge
	}
	info, err := s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(buf.Bytes()), n, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
	})
	if err != nil {
		return 0, fmt.Errorf("storage: s3 put: %w", err)
	}
	return info.Size, nil
}

// Open streams the stored content.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	// GetObject is lazy: Stat makes a missing key an error here rather than at the first read.
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("storage: s3 get: %w", err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("storage: s3 get: %w", err)
	}
	return obj, nil
}

// Delete removes the object; a missing one is not an error.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" {
		return fmt.Errorf("storage: s3 delete: %w", err)
	}
	return nil
}

// List calls fn with every key under the prefix, in lexical order.
func (s *S3) List(ctx context.Context, fn func(key string) error) error {
	prefix := ""
	if s.prefix != "" {
		prefix = s.prefix + "/"
	}
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("storage: s3 list: %w", obj.Err)
		}
		key := strings.TrimPrefix(obj.Key, prefix)
		if !keyPattern.MatchString(key) {
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return nil
}
