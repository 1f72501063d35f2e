package entity

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Equivalent mutant: compact.go:145:14 CONDITIONALS_BOUNDARY — with > turned
// into >=, a typ of exactly "application/" is cut to "", which still equals
// no wanted typ: every caller passes Type or ListType, never "". Refused
// either way ("typ application/ alone" in TestHeaderLimits).
//
// Equivalent mutant: naming.go:79:42 CONDITIONALS_BOUNDARY — with > turned
// into >=, a host as long as a subtree entry and ending with it would be
// the entry itself, which starts with '.'; a canonical host never does
// (checkLabels refuses the empty first label), so the answer is the same.

// denylistOfSize returns a denylist by anchorIT whose compact JWS signed by
// key is exactly size bytes: revocations of equal width, the last one's
// reason padded to the byte.
func denylistOfSize(t *testing.T, key ed25519.PrivateKey, size int) List {
	t.Helper()
	fixed := len(b64.EncodeToString([]byte(stdHeader(key, ListType)))) + 1 + 1 + b64.EncodedLen(ed25519.SignatureSize)
	payload := -1
	for n := 0; n <= size; n++ {
		if fixed+b64.EncodedLen(n) == size {
			payload = n
			break
		}
	}
	if payload < 0 {
		t.Fatalf("no payload length gives a %d-byte token", size)
	}
	entry := func(i int) Revocation {
		return Revocation{Sub: fmt.Sprintf("https://r%05d.example.it", i), RevokedAt: t0.Unix(), Reason: "x"}
	}
	l := List{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(), Revoked: []Revocation{entry(0)}}
	width := len(mustJSON(t, entry(1))) + 1 // with its comma
	for i := (payload - len(mustJSON(t, l))) / width; i > 0; i-- {
		l.Revoked = append(l.Revoked, entry(len(l.Revoked)))
	}
	last := &l.Revoked[len(l.Revoked)-1]
	last.Reason += strings.Repeat("x", payload-len(mustJSON(t, l)))
	if got := len(mustJSON(t, l)); got != payload {
		t.Fatalf("claims of %d bytes, want %d", got, payload)
	}
	return l
}

// TestSizeLimit: a document of exactly MaxBytes is signed and parsed, one
// byte more is refused on both sides, and the token is built in one buffer
// of its final size.
func TestSizeLimit(t *testing.T) {
	key := testKey("anchor")
	tests := []struct {
		name string
		size int
		want error
	}{
		{"small", 1000, nil},
		{"MaxBytes - 2", MaxBytes - 2, nil}, // no list signs to MaxBytes - 1 (base64 lengths skip 4k+1)
		{"exactly MaxBytes", MaxBytes, nil},
		{"MaxBytes + 1", MaxBytes + 1, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := denylistOfSize(t, key, tc.size)
			crafted := craft(stdHeader(key, ListType), mustJSON(t, l), key)
			if len(crafted) != tc.size {
				t.Fatalf("fixture of %d bytes, want %d", len(crafted), tc.size)
			}
			p, err := ParseList(crafted)
			wantReason(t, err, tc.want)
			raw, err := SignList(l, key)
			wantReason(t, err, tc.want)
			if tc.want != nil {
				return
			}
			if string(raw) != string(crafted) {
				t.Fatal("SignList differs from the hand-made token")
			}
			if cap(raw) != len(raw) {
				t.Fatalf("token of %d bytes in a buffer of %d: not allocated at its final size", len(raw), cap(raw))
			}
			if err := p.Verify([]JWK{mustJWK(t, key)}, t0, time.Minute); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestHeaderLimits: the kid length limit and the typ prefix at their
// boundaries.
func TestHeaderLimits(t *testing.T) {
	key := testKey("leaf")
	claims := mustJSON(t, config(t, key))
	tests := []struct {
		name, kid, typ string
		want           error
	}{
		{"kid of 1 character", "a", Type, nil},
		{"kid of MaxKidLen characters", strings.Repeat("k", MaxKidLen), Type, nil},
		{"kid of MaxKidLen+1 characters", strings.Repeat("k", MaxKidLen+1), Type, ErrKid},
		{"typ with the prefix in upper case", "a", "APPLICATION/" + strings.ToUpper(Type), nil},
		{"typ application/ alone", "a", "application/", ErrType},
		{"typ with the prefix twice", "a", "application/application/" + Type, ErrType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := `{"alg":"EdDSA","kid":"` + tc.kid + `","typ":"` + tc.typ + `"}`
			p, err := Parse(craft(hdr, claims, key))
			wantReason(t, err, tc.want)
			if err == nil && p.Kid != tc.kid {
				t.Fatalf("kid %q, want %q", p.Kid, tc.kid)
			}
		})
	}
}

// TestMalformedNamesThePart: a malformed compact JWS is refused with a
// message naming what is wrong, so that an operator can tell a token of the
// wrong shape from a bad part of a well-shaped one.
func TestMalformedNamesThePart(t *testing.T) {
	key := testKey("leaf")
	good := string(mustSign(t, config(t, key), key))
	parts := strings.Split(good, ".")
	h, p, s := parts[0], parts[1], parts[2]
	tests := []struct {
		name, raw, msg string
	}{
		{"two parts", h + "." + p, "three parts"},
		{"no dot", h, "three parts"},
		{"four parts, the second empty", h + ".." + p + "." + s, "three parts"},
		{"four parts, the third empty", h + "." + p + ".." + s, "three parts"},
		{"four parts, the last extra", good + ".x", "three parts"},
		{"empty header", "." + p + "." + s, "protected header"},
		{"empty payload", h + ".." + s, "claims"},
		{"payload not base64url", h + ".e30!." + s, "payload"},
		{"signature not base64url", h + "." + p + ".a=", "signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.raw))
			wantReason(t, err, ErrMalformed)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

// TestStatementLimits: each length, count and range of a statement's
// claims at its boundary.
func TestStatementLimits(t *testing.T) {
	leafKey := testKey("leaf")
	url := func(n int) string { // an entity id of leafRE of exactly n bytes
		return leafRE + "/" + strings.Repeat("p", n-len(leafRE)-1)
	}
	mpl := func(n int) *int { return &n }
	cfg := func(mod func(*Statement)) Statement {
		s := config(t, leafKey)
		mod(&s)
		return s
	}
	sub := func(mod func(*Statement)) Statement {
		s := subordinate(t, leafKey)
		mod(&s)
		return s
	}
	tests := []struct {
		name string
		st   Statement
		want error
	}{
		{"iat 1", cfg(func(s *Statement) { s.Iat = 1 }), nil},
		{"iat 0", cfg(func(s *Statement) { s.Iat = 0 }), ErrInvalidClaims},
		{"exp one second after iat", cfg(func(s *Statement) { s.Exp = s.Iat + 1 }), nil},
		{"exp at iat", cfg(func(s *Statement) { s.Exp = s.Iat }), ErrInvalidClaims},
		{"entity id of 2048 bytes", cfg(func(s *Statement) { s.Iss, s.Sub = url(2048), url(2048) }), nil},
		{"entity id of 2049 bytes", cfg(func(s *Statement) { s.Iss, s.Sub = url(2049), url(2049) }), ErrInvalidClaims},
		{"authority hint of 2048 bytes", cfg(func(s *Statement) {
			s.AuthorityHints = []string{anchorIT + "/" + strings.Repeat("h", 2048-len(anchorIT)-1)}
		}), nil},
		{"4 authority hints", cfg(func(s *Statement) {
			s.AuthorityHints = []string{"https://a1.example", "https://a2.example", "https://a3.example", "https://a4.example"}
		}), nil},
		{"revocation reason of 512 bytes", sub(func(s *Statement) { s.RevokedAt, s.RevokedReason = t0.Unix(), strings.Repeat("r", 512) }), nil},
		{"revocation reason of 513 bytes", sub(func(s *Statement) { s.RevokedAt, s.RevokedReason = t0.Unix(), strings.Repeat("r", 513) }), ErrInvalidClaims},
		{"revocation reason without a time", sub(func(s *Statement) { s.RevokedReason = "compromised" }), ErrInvalidClaims},
		{"negative revocation time", sub(func(s *Statement) { s.RevokedAt = -1 }), ErrInvalidClaims},
		{"organization name of 512 bytes", cfg(func(s *Statement) { s.Metadata.FederationEntity.OrganizationName = strings.Repeat("o", 512) }), nil},
		{"organization name of 513 bytes", cfg(func(s *Statement) { s.Metadata.FederationEntity.OrganizationName = strings.Repeat("o", 513) }), ErrInvalidClaims},
		{"no role", cfg(func(s *Statement) { s.Metadata.FederationEntity.Role = "" }), nil},
		{"role anchor", cfg(func(s *Statement) { s.Metadata.FederationEntity.Role = "anchor" }), nil},
		{"unknown role", cfg(func(s *Statement) { s.Metadata.FederationEntity.Role = "root" }), ErrInvalidClaims},
		{"role in upper case", cfg(func(s *Statement) { s.Metadata.FederationEntity.Role = "LEAF" }), ErrInvalidClaims},
		{"no actor", cfg(func(s *Statement) { s.Metadata.InterlinkNode.Actor = "" }), nil},
		{"actor with a query", cfg(func(s *Statement) { s.Metadata.InterlinkNode.Actor = leafRE + "/actor?a=b" }), nil},
		{"actor not http(s)", cfg(func(s *Statement) { s.Metadata.InterlinkNode.Actor = "acct:leaf@example.it" }), ErrInvalidClaims},
		{"software version of 64 bytes", cfg(func(s *Statement) { s.Metadata.InterlinkNode.SoftwareVersion = strings.Repeat("v", 64) }), nil},
		{"software version of 65 bytes", cfg(func(s *Statement) { s.Metadata.InterlinkNode.SoftwareVersion = strings.Repeat("v", 65) }), ErrInvalidClaims},
		{"max_path_length 64", sub(func(s *Statement) { s.Constraints.MaxPathLength = mpl(64) }), nil},
		{"max_path_length 65", sub(func(s *Statement) { s.Constraints.MaxPathLength = mpl(65) }), ErrInvalidClaims},
		{"max_path_length 0", sub(func(s *Statement) { s.Constraints.MaxPathLength = mpl(0) }), nil},
		{"max_path_length -1", sub(func(s *Statement) { s.Constraints.MaxPathLength = mpl(-1) }), ErrInvalidClaims},
		// ISO 3166-1 codes at the ends of A-Z in each position.
		{"country AZ", sub(func(s *Statement) { s.Metadata.FederationEntity.Country = "AZ" }), nil},
		{"country ZA", sub(func(s *Statement) { s.Metadata.FederationEntity.Country = "ZA" }), nil},
		{"country @Z", sub(func(s *Statement) { s.Metadata.FederationEntity.Country = "@Z" }), ErrInvalidClaims},
		{"country [A", sub(func(s *Statement) { s.Metadata.FederationEntity.Country = "[A" }), ErrInvalidClaims},
		{"country A@", sub(func(s *Statement) { s.Metadata.FederationEntity.Country = "A@" }), ErrInvalidClaims},
		{"country Z[", sub(func(s *Statement) { s.Metadata.FederationEntity.Country = "Z[" }), ErrInvalidClaims},
		{"country of three letters", sub(func(s *Statement) { s.Metadata.FederationEntity.Country = "ITA" }), ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantReason(t, tc.st.Validate(), tc.want)
		})
	}
}

// TestNamingEntryLimits: naming-constraint entries at the host-name length
// limit and with the last letter of the alphabet.
func TestNamingEntryLimits(t *testing.T) {
	key := testKey("leaf")
	// name returns a host name of exactly n bytes (n >= 4) of labels of at
	// most 63 characters.
	name := func(n int) string {
		var labels []string
		for n > 64 {
			labels = append(labels, strings.Repeat("a", 63))
			n -= 64
		}
		return strings.Join(append(labels, strings.Repeat("z", n)), ".")
	}
	if len(name(253)) != 253 || len(name(254)) != 254 {
		t.Fatal("name is wrong")
	}
	tests := []struct {
		name  string
		entry string
		want  error
	}{
		{"host of 253 bytes", name(253), nil},
		{"subtree of a host of 253 bytes", "." + name(253), nil},
		{"host of 254 bytes", name(254), ErrInvalidClaims},
		{"label of 63 characters", strings.Repeat("z", 63) + ".example", nil},
		{"label of 64 characters", strings.Repeat("z", 64) + ".example", ErrInvalidClaims},
		{"letters a and z", "az.example", nil},
		{"digits 0 and 9", "09.example", nil},
		{"after z", "a{.example", ErrInvalidClaims},
		{"after 9", "a:.example", ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := subordinate(t, key)
			st.Constraints.NamingConstraints = &NamingConstraints{Permitted: []string{tc.entry}, Excluded: []string{tc.entry}}
			wantReason(t, st.Validate(), tc.want)
		})
	}
	t.Run("hosts", func(t *testing.T) {
		nc := &NamingConstraints{Permitted: []string{".example.it", "zz.example", name(253)}}
		for _, tc := range []struct {
			id   string
			want error
		}{
			{"https://" + name(253), nil},
			{"https://" + name(253) + ".", nil},
			{"https://z" + name(253), ErrNamingConstraint},
			{"https://zz.example", nil},
			{"https://zoo.example.it", nil},
			{"https://zz.example.it", nil},
		} {
			wantReason(t, nc.Permits(tc.id), tc.want)
		}
	})
}

// TestNonASCIIHosts: a host with any byte at or above 0x80 is refused as
// non-ASCII before lower-casing, which would otherwise turn some
// characters into ASCII letters (the Kelvin sign U+212A into "k") and let
// a look-alike through a permitted subtree.
func TestNonASCIIHosts(t *testing.T) {
	nc := &NamingConstraints{Permitted: []string{".example.it"}}
	tests := []struct {
		name, id string
	}{
		{"Kelvin sign lower-cases to k", "https://\u212aey.example.it"},
		{"Kelvin sign percent-encoded", "https://%E2%84%AAey.example.it"},
		{"lone byte 0x80", "https://a\x80.example.it"},
		{"lone byte 0x80 percent-encoded", "https://a%80.example.it"},
		{"byte 0xff", "https://a%FF.example.it"},
		{"e grave", "https://m\u00e8f.example.it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := nc.Permits(tc.id)
			wantReason(t, err, ErrNamingConstraint)
			if !strings.Contains(err.Error(), "non-ASCII") {
				t.Fatalf("error %q does not say non-ASCII", err)
			}
		})
	}
	wantReason(t, nc.Permits("https://key.example.it"), nil)
}

// TestListLimits: the counts, lengths and times of a list at their
// boundaries.
func TestListLimits(t *testing.T) {
	revocations := func(n int) []Revocation {
		out := make([]Revocation, n)
		for i := range out {
			out[i] = Revocation{Sub: fmt.Sprintf("https://r%d.example.it", i), RevokedAt: t0.Unix()}
		}
		return out
	}
	keys := func(n int) []JWK {
		out := make([]JWK, n)
		for i := range out {
			out[i] = mustJWK(t, testKey(fmt.Sprint("list key ", i)))
		}
		return out
	}
	list := func(mod func(*List)) List {
		l := List{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix()}
		mod(&l)
		return l
	}
	tests := []struct {
		name string
		l    List
		want error
	}{
		{"iat 1", list(func(l *List) { l.Iat = 1 }), nil},
		{"iat 0", list(func(l *List) { l.Iat = 0 }), ErrInvalidClaims},
		{"exp one second after iat", list(func(l *List) { l.Exp = l.Iat + 1 }), nil},
		{"exp at iat", list(func(l *List) { l.Exp = l.Iat }), ErrInvalidClaims},
		{"MaxRevocations entries", list(func(l *List) { l.Revoked = revocations(MaxRevocations) }), nil},
		{"MaxRevocations+1 entries", list(func(l *List) { l.Revoked = revocations(MaxRevocations + 1) }), ErrInvalidClaims},
		{"MaxListKeys keys", list(func(l *List) { l.Keys = keys(MaxListKeys) }), nil},
		{"MaxListKeys+1 keys", list(func(l *List) { l.Keys = keys(MaxListKeys + 1) }), ErrInvalidClaims},
		{"reason of 512 bytes", list(func(l *List) { l.Revoked = []Revocation{{Sub: leafRE, RevokedAt: 1, Reason: strings.Repeat("r", 512)}} }), nil},
		{"reason of 513 bytes", list(func(l *List) { l.Revoked = []Revocation{{Sub: leafRE, RevokedAt: 1, Reason: strings.Repeat("r", 513)}} }), ErrInvalidClaims},
		{"revoked_at 0", list(func(l *List) { l.Revoked = []Revocation{{Sub: leafRE}} }), ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantReason(t, tc.l.Validate(), tc.want)
		})
	}
}
