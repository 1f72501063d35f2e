package protocol

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestEntityRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    Entity
	}{
		{"interlinker", validInterlinker()},
		{"problem profile", validProblemProfile()},
		{"schema", validSchema()},
		{"adoption", validAdoption()},
		{"rating", validRating()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.e.Validate(); err != nil {
				t.Fatalf("fixture invalid: %v", err)
			}
			raw, err := EncodeEntity(tt.e)
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range []string{`"en":`, `"es":`, `"it":`, `"lv":`} {
				if !strings.Contains(string(raw), lang) {
					t.Fatalf("no %s text in %s", lang, raw)
				}
			}
			back, err := DecodeEntity(raw)
			if err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
			if !reflect.DeepEqual(back, tt.e) {
				t.Fatalf("round trip differs:\n got %#v\nwant %#v", back, tt.e)
			}
			again, err := EncodeEntity(back)
			if err != nil || string(again) != string(raw) {
				t.Fatalf("canonical JSON is not stable:\n%s\n%s (%v)", raw, again, err)
			}
		})
	}
}

func TestEncodeEntityNil(t *testing.T) {
	if _, err := EncodeEntity(nil); err == nil {
		t.Error("EncodeEntity(nil) succeeded")
	}
	var it *Interlinker
	if _, err := EncodeEntity(it); err == nil {
		t.Error("EncodeEntity of a nil *Interlinker succeeded")
	}
}

func TestDecodeEntityKinds(t *testing.T) {
	tests := []struct {
		raw  string
		want Kind
	}{
		{`{"type":"Interlinker","key":"k","nature":"software","name":{"en":"n"},"description":{"en":"d"}}`, KindInterlinker},
		{`{"type":"ProblemProfile","key":"P_1","name":{"es":"n"},"description":{"it":"d"}}`, KindProblemProfile},
		{`{"type":"CoproductionSchema","key":"s","name":{"en":"n"},"description":{"en":"d"},"phases":[]}`, KindCoproductionSchema},
		{`{"type":"Adoption","object":"https://a.example/objects/1","organisation":"Org"}`, KindAdoption},
		{`{"type":"Rating","object":"https://a.example/objects/1","organisation":"Org","value":3}`, KindRating},
	}
	for _, tt := range tests {
		e, err := DecodeEntity([]byte(tt.raw))
		if err != nil {
			t.Errorf("DecodeEntity(%s): %v", tt.raw, err)
			continue
		}
		if e.Kind() != tt.want {
			t.Errorf("DecodeEntity(%s) kind %q, want %q", tt.raw, e.Kind(), tt.want)
		}
	}
	// The other helper's kinds are dispatched too: an empty body fails
	// their validation, not the type lookup.
	for _, k := range []Kind{KindPublicService, KindOrganisation} {
		_, err := DecodeEntity([]byte(`{"type":"` + string(k) + `"}`))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Kind != k {
			t.Errorf("DecodeEntity(%s): %v, want a validation error of that kind", k, err)
		}
		for _, fe := range ve.Errors {
			if fe.Field == "type" {
				t.Errorf("DecodeEntity(%s): %v: type refused", k, fe)
			}
		}
	}
}

func TestDecodeEntityStrict(t *testing.T) {
	ok := `"key":"k","nature":"software","name":{"en":"n"},"description":{"en":"d"}`
	deep := strings.Repeat(`{"a":`, MaxJSONDepth) + "1" + strings.Repeat("}", MaxJSONDepth)
	tests := []struct {
		name string
		raw  string
		want []failure
	}{
		{"not an object", `[1,2]`, []failure{{RootField, "type"}}},
		{"string document", `"Interlinker"`, []failure{{RootField, "type"}}},
		{"no type", `{"key":"k"}`, []failure{{"type", "required"}}},
		{"null type", `{"type":null}`, []failure{{"type", "required"}}},
		{"type not a string", `{"type":7}`, []failure{{"type", "type"}}},
		{"unknown type", `{"type":"Widget"}`, []failure{{"type", "enum"}}},
		{"unknown type case", `{"type":"interlinker"}`, []failure{{"type", "enum"}}},
		{"unknown field", `{"type":"Interlinker",` + ok + `,"colour":"red"}`, []failure{{"colour", "unknown_field"}}},
		{"field name case", `{"type":"Interlinker",` + ok + `,"Difficulty":"easy"}`, []failure{{"Difficulty", "unknown_field"}}},
		{"nested unknown field", `{"type":"CoproductionSchema","key":"s","name":{"en":"n"},"description":{"en":"d"},` +
			`"phases":[{"key":"p","name":{"en":"n"}},{"key":"q","name":{"en":"n"},"objectives":[{"key":"o","name":{"en":"n"},"wat":1}]}]}`,
			[]failure{{"phases[1].objectives[0].wat", "unknown_field"}}},
		{"wrong type", `{"type":"Interlinker",` + ok + `,"targets":"all"}`, []failure{{"targets", "type"}}},
		{"wrong types everywhere", `{"type":"Interlinker","key":1,"nature":"software","name":{"en":2},"description":["d"]}`,
			[]failure{{"description", "type"}, {"key", "type"}, {"name.en", "type"}}},
		{"wrong nested type", `{"type":"CoproductionSchema","key":"s","name":{"en":"n"},"description":{"en":"d"},` +
			`"phases":[{"key":"p","name":{"en":"n"},"is_part_of_codelivery":"yes"}]}`,
			[]failure{{"phases[0].is_part_of_codelivery", "type"}}},
		{"float for int", `{"type":"Rating","object":"https://a.example/o","organisation":"O","value":4.5}`, []failure{{"value", "type"}}},
		{"huge number", `{"type":"Rating","object":"https://a.example/o","organisation":"O","value":1` + strings.Repeat("0", 400) + `}`,
			[]failure{{"value", "type"}}},
		{"duplicate key", `{"type":"Interlinker",` + ok + `,"key":"other"}`, []failure{{"key", "duplicate_key"}}},
		{"duplicate key escaped", `{"type":"Interlinker",` + ok + `,"\u006bey":"other"}`, []failure{{"key", "duplicate_key"}}},
		{"duplicate nested key", `{"type":"Interlinker",` + strings.Replace(ok, `{"en":"n"}`, `{"en":"n","en":"m"}`, 1) + `}`,
			[]failure{{"name.en", "duplicate_key"}}},
		{"too deep", `{"type":"Interlinker",` + ok + `,"integration":` + deep + `}`, []failure{{"integration" + strings.Repeat(".a", MaxJSONDepth-1), "depth"}}},
		{"invalid utf8 value", `{"type":"Interlinker",` + strings.Replace(ok, `"d"`, "\"d\xff\"", 1) + `}`, []failure{{"description.en", "utf8"}}},
		{"invalid utf8 key", "{\"type\":\"Interlinker\"," + ok + ",\"\xfe\":1}", []failure{{"[\"\ufffd\"]", "utf8"}}},
		{"validation after decoding", `{"type":"Interlinker","key":"k k","nature":"software","name":{"en":"n"},"description":{"en":"d"}}`,
			[]failure{{"key", "slug"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := DecodeEntity([]byte(tt.raw))
			if err == nil {
				t.Fatalf("DecodeEntity succeeded: %#v", e)
			}
			if got := failures(t, err); !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecodeEntityMalformed(t *testing.T) {
	for _, raw := range []string{``, `{`, `{"type":"Rating",}`, `{"type":"Rating"} {}`, `{"type":"Rating"}]`, `nul`, `{"a" 1}`} {
		_, err := DecodeEntity([]byte(raw))
		if !errors.Is(err, ErrMalformedJSON) {
			t.Errorf("DecodeEntity(%q) = %v, want a JSON syntax error", raw, err)
		}
		var ve *ValidationError
		if errors.As(err, &ve) {
			t.Errorf("DecodeEntity(%q) = validation error %v, want a syntax error", raw, err)
		}
	}
}

func TestDecodeStrictTarget(t *testing.T) {
	var m map[string]int
	if err := DecodeStrict([]byte(`{"a":1,"b":"x"}`), &m); err == nil {
		t.Fatal("a string for an int was accepted")
	} else if got := failures(t, err); !slices.Equal(got, []failure{{"b", "type"}}) {
		t.Fatalf("failures = %v", got)
	}
	var x struct{ A int }
	if err := DecodeStrict([]byte(`{"A":1}`), x); err == nil {
		t.Fatal("a non-pointer target was accepted")
	}
	type Inner struct {
		B string `json:"b"`
	}
	var y struct {
		Inner
		C []int    `json:"c"`
		F *float64 `json:"f"`
	}
	if err := DecodeStrict([]byte(`{"b":"x","c":[1,null,2]}`), &y); err != nil || y.B != "x" || len(y.C) != 3 {
		t.Fatalf("embedded fields: %v %+v", err, y)
	}
	if err := DecodeStrict([]byte(`{"c":[1,"2"],"f":"1.5","B":"case"}`), &y); err == nil {
		t.Fatal("a string in an []int was accepted")
	} else if got := failures(t, err); !slices.Equal(got, []failure{{"B", "unknown_field"}, {"c[1]", "type"}, {"f", "type"}}) {
		t.Fatalf("failures = %v", got)
	}
	if err := DecodeStrict([]byte(`{"f":1.5e3}`), &y); err != nil || *y.F != 1500 {
		t.Fatalf("a float behind a pointer: %v", err)
	}
}
