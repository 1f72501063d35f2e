package accounts

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the parameters new hashes use: above OWASP's minimum
// for argon2id (m=19 MiB, t=2, p=1), with a 16-byte salt and a 32-byte key.
// One hash takes 32 MiB and 44-67 ms on the reference machine (2 shared
// Xeon cores; BenchmarkHash measures it: keep it under ~100 ms);
// Config.MaxHashes bounds how many run at once.
var DefaultParams = Params{Memory: 32 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds of parameters, for Config.Hash and for the hashes read back: a
// damaged stored hash must not make a sign-in allocate gigabytes.
const (
	minSaltLen   = 16
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	maxThreads   = 64
)

func (p Params) check() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("argon2id threads %d outside 1..%d", p.Threads, maxThreads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("argon2id memory %d KiB outside %d..%d", p.Memory, 8*uint32(p.Threads), maxMemoryKiB)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id time %d outside 1..%d", p.Time, maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2id salt length %d outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2id key length %d outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// weakerThan reports whether a hash made with p should be remade with cur:
// less memory, fewer passes, a shorter salt or key. (Fewer threads is not
// weaker: it is the same work done in sequence.)
func (p Params) weakerThan(cur Params) bool {
	return p.Memory < cur.Memory || p.Time < cur.Time || p.SaltLen < cur.SaltLen || p.KeyLen < cur.KeyLen
}

// phc is base64 as the PHC string format uses it: standard alphabet, no
// padding.
var phc = base64.RawStdEncoding.Strict()

// hashPassword hashes password with p and a fresh salt from rand, encoded in
// the PHC string format: $argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<key>.
func hashPassword(p Params, password string, rand io.Reader) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("accounts: make a salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodeHash(p, salt, key), nil
}

func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		phc.EncodeToString(salt), phc.EncodeToString(key))
}

var errBadHash = errors.New("not an argon2id hash in the PHC string format")

// parseHash decodes a PHC string made by hashPassword. It accepts only
// argon2id version 19 with parameters within bounds, so that a damaged
// stored value cannot make a verification allocate without limit.
func parseHash(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, errBadHash
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return Params{}, nil, nil, errBadHash
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
			return Params{}, nil, nil, errBadHash
		}
		if vals[i], err = strconv.ParseUint(v, 10, 32); err != nil {
			return Params{}, nil, nil, errBadHash
		}
	}
	if vals[2] > maxThreads {
		return Params{}, nil, nil, fmt.Errorf("%w: %d threads", errBadHash, vals[2])
	}
	// The decoder skips \r and \n: only the canonical encoding is accepted.
	if salt, err = phc.DecodeString(parts[4]); err != nil || phc.EncodeToString(salt) != parts[4] {
		return Params{}, nil, nil, errBadHash
	}
	if key, err = phc.DecodeString(parts[5]); err != nil || phc.EncodeToString(key) != parts[5] {
		return Params{}, nil, nil, errBadHash
	}
	p = Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]),
		SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.check(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %w", errBadHash, err)
	}
	return p, salt, key, nil
}

// verifyPassword reports whether password matches the encoded hash
// (compared in constant time) and the parameters the hash was made with.
func verifyPassword(encoded, password string) (bool, Params, error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, Params{}, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, p, nil
}

// The password policy (NIST SP 800-63B: length, not composition rules).
const (
	MinPasswordLength = 12   // characters (Unicode code points)
	MaxPasswordBytes  = 1024 // bytes: a longer input is refused before any hashing
)

// Rules a password can break (PolicyError.Rule).
const (
	RuleRequired    = "required"
	RuleMinLength   = "min_length"
	RuleMaxLength   = "max_length"
	RuleUTF8        = "utf8"
	RuleNotUsername = "not_username"
)

// ErrWeakPassword: a new password breaks the policy (see PolicyError).
var ErrWeakPassword = errors.New("accounts: the password does not meet the password policy")

// PolicyError is a new password refused by one rule of the policy. Its
// text names the rule, never the password.
type PolicyError struct {
	Rule    string // RuleMinLength, ...
	Message string
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("accounts: password: %s (%s)", e.Message, e.Rule)
}

// Unwrap makes errors.Is(err, ErrWeakPassword) hold.
func (e *PolicyError) Unwrap() error { return ErrWeakPassword }

// CheckPassword checks a new password against the policy: at least
// MinPasswordLength characters, at most MaxPasswordBytes bytes, valid UTF-8,
// not the username (case-insensitively).
func CheckPassword(password, username string) error {
	switch {
	case password == "":
		return &PolicyError{Rule: RuleRequired, Message: "is required"}
	case len(password) > MaxPasswordBytes:
		return &PolicyError{Rule: RuleMaxLength, Message: fmt.Sprintf("must be at most %d bytes long", MaxPasswordBytes)}
	case !utf8.ValidString(password):
		return &PolicyError{Rule: RuleUTF8, Message: "must be valid UTF-8 text"}
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return &PolicyError{Rule: RuleMinLength, Message: fmt.Sprintf("must have at least %d characters", MinPasswordLength)}
	case username != "" && strings.EqualFold(password, username):
		return &PolicyError{Rule: RuleNotUsername, Message: "must not be the username"}
	}
	return nil
}
