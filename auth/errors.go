package auth

import "github.com/polytomic-mcp/polytomic-mcp/internal/keyring"

// Why the keychain could not be asked, for callers that explain it
// differently (auth status); a LookupError matches ErrNoKey as well.
var (
	ErrKeychainTimeout     = keyring.ErrTimeout
	ErrKeychainUnavailable = keyring.ErrUnavailable
)
