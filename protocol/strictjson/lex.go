package strictjson

import (
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// The tokens: member names, strings (eight bytes at a time), numbers.

// key scans a member name and returns it unescaped: a slice of data when
// it has no escapes, else decoded by encoding/json itself, so that two
// names are the same here exactly when they are the same to json.Unmarshal.
func (sc *scanner) key() ([]byte, *Error) {
	start := sc.pos
	inner, escaped, bad, err := sc.str()
	if err != nil {
		return nil, err
	}
	key := inner
	if escaped || bad >= 0 {
		var s string
		if err := json.Unmarshal(sc.data[start:sc.pos], &s); err != nil {
			sc.pos = start
			return nil, sc.syntax("member name: %v", err)
		}
		key = []byte(s)
	}
	if bad >= 0 {
		top := len(sc.path) - 1
		sc.path[top].key = key
		if err := sc.broken(InvalidUTF8, bad, "holds invalid UTF-8"); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// stringValue scans a string value.
func (sc *scanner) stringValue() *Error {
	_, _, bad, err := sc.str()
	if err != nil {
		return err
	}
	if bad >= 0 {
		return sc.broken(InvalidUTF8, bad, "holds invalid UTF-8")
	}
	return nil
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plain8 reports whether none of the 8 bytes of w needs a look: a quote,
// a backslash, a control character or a non-ASCII byte. ((x - n*lsb) &^ x
// has a top bit set exactly when some byte of x is below n, for n <= 0x80;
// a byte equal to c is a byte of x^(c*lsb) below 1.)
func plain8(w uint64) bool {
	q := w ^ (lsb * '"')
	b := w ^ (lsb * '\\')
	m := (w - lsb*0x20) &^ w
	m |= (q - lsb) &^ q
	m |= (b - lsb) &^ b
	return (m|w)&msb == 0
}

// str scans a string starting at its opening quote and returns the bytes
// between the quotes, whether any escape occurs there, and the offset of
// its first invalid UTF-8 byte (or -1).
func (sc *scanner) str() (inner []byte, escaped bool, bad int, err *Error) {
	d := sc.data
	start := sc.pos + 1
	i := start
	bad = -1
	for {
		for i+8 <= len(d) && plain8(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		if i >= len(d) {
			break
		}
		c := d[i]
		switch {
		case c == '"':
			sc.pos = i + 1
			return d[start:i], escaped, bad, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				i++
				continue
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					sc.pos = i
					return nil, false, -1, sc.syntax("invalid \\u escape in a string")
				}
				// A surrogate escape stands for a character only as a high
				// one followed by a low one; alone it is no text at all
				// (encoding/json would read it as U+FFFD): invalid, like a
				// byte that is not UTF-8.
				switch u := hex4(d[i+2:]); {
				case u >= 0xD800 && u <= 0xDBFF && i+12 <= len(d) && d[i+6] == '\\' && d[i+7] == 'u' &&
					isHex(d[i+8]) && isHex(d[i+9]) && isHex(d[i+10]) && isHex(d[i+11]) && isLowSurrogate(hex4(d[i+8:])):
					i += 6 // the pair's high half; the low half is read next
				case u >= 0xD800 && u <= 0xDFFF && bad < 0:
					bad = i
				}
				i += 6
			default:
				sc.pos = i
				return nil, false, -1, sc.syntax("invalid escape %q in a string", d[i+1])
			}
		case c < 0x20:
			sc.pos = i
			return nil, false, -1, sc.syntax("control character %#x in a string", c)
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n == 1 && bad < 0 {
				bad = i
			}
			i += n
		}
	}
	sc.pos = len(d)
	return nil, false, -1, sc.syntax("unexpected end of JSON input in a string")
}

// hex4 reads four hex digits (checked by the caller).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

func isLowSurrogate(r rune) bool { return r >= 0xDC00 && r <= 0xDFFF }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (sc *scanner) number() *Error {
	d := sc.data
	i := sc.pos
	if d[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		sc.pos = i
		return sc.syntax("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			sc.pos = i
			return sc.syntax("invalid number: no digit after '.'")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			sc.pos = i
			return sc.syntax("invalid number: no digit in the exponent")
		}
	}
	sc.pos = i
	return nil
}
