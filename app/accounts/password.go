package accounts

import (
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"maintenant/app/apperr"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// maxPasswordLength bounds the work of hashing an attacker's input.
const maxPasswordLength = 256

// params are argon2id settings sized for a small server: about 30 ms per hash.
var params = &argon2id.Params{Memory: 32 * 1024, Iterations: 2, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// CheckPassword validates a new password and its confirmation, field by field.
func CheckPassword(password, confirm string) error {
	f := apperr.Fields{}
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		f.Add("password", "error.password_short")
	case len(password) > maxPasswordLength:
		f.Add("password", "error.too_long")
	}
	if password != confirm {
		f.Add("password_confirm", "error.password_mismatch")
	}
	return f.Err()
}

// HashPassword hashes a password with argon2id.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, params)
}

// dummyHash is verified against when the account does not exist, so that the response time does not
// tell whether an email is registered.
var dummyHash, _ = argon2id.CreateHash("not a real password, only spends the same time", params)

// VerifyPassword tells whether password matches hash; an empty hash never matches.
func VerifyPassword(password, hash string) bool {
	if len(password) > maxPasswordLength {
		return false
	}
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}
