package entity

import (
	"strings"
	"testing"
)

// TestNamingEntryIPLiterals: a naming constraint names an IP literal only
// in its one canonical form (netip's), with no zone, so that two superiors
// cannot write the same address two ways and a permit cannot be dodged by
// spelling.
func TestNamingEntryIPLiterals(t *testing.T) {
	key := testKey("leaf")
	tests := []struct {
		entry string
		want  error
	}{
		{"192.0.2.1", nil},
		{"2001:db8::1", nil},
		{"::1", nil},
		{"2001:DB8::1", ErrInvalidClaims},
		{"2001:0db8::1", ErrInvalidClaims},
		{"0:0:0:0:0:0:0:1", ErrInvalidClaims},
		{"fe80::1%eth0", ErrInvalidClaims},
		{"192.0.2.1.", ErrInvalidClaims},
	}
	for _, tc := range tests {
		for _, list := range []string{"permitted", "excluded"} {
			t.Run(list+"/"+tc.entry, func(t *testing.T) {
				st := subordinate(t, key)
				nc := st.Constraints.NamingConstraints
				if list == "permitted" {
					nc.Permitted = []string{tc.entry}
				} else {
					nc.Excluded = []string{tc.entry}
				}
				wantReason(t, st.Validate(), tc.want)
			})
		}
	}
}

// TestStatementMetadataAccessors: the accessors are nil-safe at each level.
func TestStatementMetadataAccessors(t *testing.T) {
	st := config(t, testKey("leaf"))
	if st.FederationEntity() != st.Metadata.FederationEntity || st.InterlinkNode() != st.Metadata.InterlinkNode || st.FederationEntity() == nil || st.InterlinkNode() == nil {
		t.Fatalf("accessors do not return the metadata")
	}
	st.Metadata = &Metadata{}
	if st.FederationEntity() != nil || st.InterlinkNode() != nil {
		t.Fatal("empty metadata: non-nil accessors")
	}
	st.Metadata = nil
	if st.FederationEntity() != nil || st.InterlinkNode() != nil || (&Statement{}).Keys() != nil {
		t.Fatal("no metadata: non-nil accessors")
	}
}

// TestClaimTypeErrors: a claim of the wrong JSON type is malformed, and the
// error names the field and the type wanted, through pointers and slices.
func TestClaimTypeErrors(t *testing.T) {
	key := testKey("leaf")
	claims := string(mustJSON(t, subordinate(t, key)))
	tests := []struct {
		name, old, new, msg string
	}{
		{"iss a number", `"iss":"` + anchorIT + `"`, `"iss":7`, "iss: must be a JSON string"},
		{"iat a string", `"iat":`, `"iat":"1","x":`, "iat: must be a JSON integer in range"},
		{"permitted of numbers", `"permitted":[".example.it"]`, `"permitted":[1]`,
			"constraints.naming_constraints.permitted: must be a JSON array of strings"},
		{"max_path_length a string", `"max_path_length":0`, `"max_path_length":"0"`,
			"constraints.max_path_length: must be a JSON integer in range"},
		{"keys not an array", `"jwks":{"keys":`, `"jwks":{"keys":{},"k":`, "jwks.keys: must be a JSON array"},
		{"a key not an object", `"keys":[`, `"keys":[1,`, "jwks.keys[0]: must be a JSON object"},
		{"metadata not an object", `"metadata":`, `"metadata":[],"x":`, "metadata: must be a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(claims, tc.old) {
				t.Fatalf("fixture lacks %s", tc.old)
			}
			_, err := Parse(craft(stdHeader(key, Type), []byte(strings.Replace(claims, tc.old, tc.new, 1)), key))
			wantReason(t, err, ErrMalformed)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}
