package gossip

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxMetaSize is the largest encoded metadata memberlist accepts
// (memberlist.MetaMaxSize); larger metadata makes memberlist panic, so Encode
// refuses it.
const MaxMetaSize = 512

// metaVersion is the first byte of every encoded Meta.
const metaVersion byte = 1

// ErrMetaTooLarge is returned (wrapped) when encoded metadata exceeds MaxMetaSize.
var ErrMetaTooLarge = errors.New("gossip metadata exceeds the 512-byte memberlist limit")

// Meta is the hint a member gossips about itself. Every field is a hint: the
// receiver checks the facts over HTTP and JWS before acting on them.
type Meta struct {
	EntityID string // public URL of the node (its OpenID Federation entity id)
	ECHash   string // hash of its current entity configuration
	Role     string // node role, e.g. "node", "anchor", "intermediate"
	Country  string // ISO 3166-1 alpha-2 country code
	Version  string // software version
}

func (m Meta) fields() [5]string {
	return [5]string{m.EntityID, m.ECHash, m.Role, m.Country, m.Version}
}

var metaFieldNames = [5]string{"EntityID", "ECHash", "Role", "Country", "Version"}

// Encode returns the compact wire form of m: a version byte followed by each
// field as a uvarint length and its UTF-8 bytes. It refuses fields that are
// not valid UTF-8 or contain control characters, and an encoding larger than
// MaxMetaSize.
func (m Meta) Encode() ([]byte, error) {
	f := m.fields()
	size := 1
	for i, s := range f {
		if err := checkText(s); err != nil {
			return nil, fmt.Errorf("encode gossip metadata: field %s: %w", metaFieldNames[i], err)
		}
		size += uvarintLen(uint64(len(s))) + len(s)
	}
	if size > MaxMetaSize {
		return nil, fmt.Errorf("encode gossip metadata: %d bytes: %w", size, ErrMetaTooLarge)
	}
	buf := make([]byte, 0, size)
	buf = append(buf, metaVersion)
	for _, s := range f {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	return buf, nil
}

// DecodeMeta parses metadata received from a peer. It accepts exactly what
// Encode produces (canonical lengths, no trailing bytes) and nothing else.
func DecodeMeta(b []byte) (Meta, error) {
	if len(b) == 0 {
		return Meta{}, errors.New("decode gossip metadata: empty")
	}
	if len(b) > MaxMetaSize {
		return Meta{}, fmt.Errorf("decode gossip metadata: %d bytes: %w", len(b), ErrMetaTooLarge)
	}
	if b[0] != metaVersion {
		return Meta{}, fmt.Errorf("decode gossip metadata: unknown format version %d (want %d)", b[0], metaVersion)
	}
	var f [5]string
	rest := b[1:]
	for i := range f {
		n, k := binary.Uvarint(rest)
		if k <= 0 {
			return Meta{}, fmt.Errorf("decode gossip metadata: field %s: bad length prefix", metaFieldNames[i])
		}
		if k != uvarintLen(n) {
			return Meta{}, fmt.Errorf("decode gossip metadata: field %s: non-canonical length prefix", metaFieldNames[i])
		}
		rest = rest[k:]
		if n > uint64(len(rest)) {
			return Meta{}, fmt.Errorf("decode gossip metadata: field %s: length %d exceeds the %d bytes left", metaFieldNames[i], n, len(rest))
		}
		s := string(rest[:n])
		if err := checkText(s); err != nil {
			return Meta{}, fmt.Errorf("decode gossip metadata: field %s: %w", metaFieldNames[i], err)
		}
		f[i] = s
		rest = rest[n:]
	}
	if len(rest) != 0 {
		return Meta{}, fmt.Errorf("decode gossip metadata: %d trailing bytes", len(rest))
	}
	return Meta{EntityID: f[0], ECHash: f[1], Role: f[2], Country: f[3], Version: f[4]}, nil
}

func uvarintLen(v uint64) int {
	var tmp [binary.MaxVarintLen64]byte
	return binary.PutUvarint(tmp[:], v)
}

// checkText accepts valid UTF-8 without control characters.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for i, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("control character %U at byte %d", r, i)
		}
	}
	return nil
}
