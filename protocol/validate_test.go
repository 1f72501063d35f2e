package protocol

import (
	"slices"
	"strings"
	"testing"
)

func TestValidBCP47(t *testing.T) {
	tests := []struct {
		tag  string
		want bool
	}{
		{"en", true},
		{"es", true},
		{"it", true},
		{"lv", true},
		{"EN", true},
		{"en-US", true},
		{"en-us", true},
		{"zh-Hant", true},
		{"zh-Hant-TW", true},
		{"sr-Latn-RS", true},
		{"es-419", true},
		{"de-CH-1901", true},
		{"sl-rozaj-biske", true},
		{"zh-yue-HK", true},
		{"ast", true},
		{"en-a-bbb-x-a-ccc", true},
		{"x-private", true},
		{"de-DE-u-co-phonebk", true},
		{"", false},
		{"english", false},
		{"enochian", false},
		{"engl", false},
		{"en_US", false},
		{"e", false},
		{"en-", false},
		{"-en", false},
		{"en--US", false},
		{"verylonglang", false},
		{"en-US-", false},
		{"12", false},
		{"en-a", false}, // extension singleton without subtags
		{"en-x", false}, // private use without subtags
		{"en-toolongvariant", false},
		{"en US", false},
		{"en-Ü", false},
		{"i-klingon-", false},
		{"en-US-US", false},
		{strings.Repeat("a", 100), false},
	}
	for _, tt := range tests {
		if got := ValidBCP47(tt.tag); got != tt.want {
			t.Errorf("ValidBCP47(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}

func TestValidSlug(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"business_model_canvas", true},
		{"ORG_PROBLEM_6.1", true},
		{"phase-engage", true},
		{"9lives", true},
		{strings.Repeat("a", MaxKeyLength), true},
		{strings.Repeat("a", MaxKeyLength+1), false},
		{"", false},
		{".", false},
		{"..", false},
		{"-x", false},
		{"_x", false},
		{"a b", false},
		{"a/b", false},
		{"à", false},
	}
	for _, tt := range tests {
		if got := ValidSlug(tt.s); got != tt.want {
			t.Errorf("ValidSlug(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestValidHTTPURL(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"https://example.org/objects/1", true},
		{"http://127.0.0.1:8080/x?y=z#f", true},
		{"HTTPS://EXAMPLE.ORG", true},
		{"", false},
		{"example.org", false},
		{"/relative", false},
		{"ftp://example.org", false},
		{"file:///etc/passwd", false},
		{"https://", false},
		{"https://exa mple.org", false},
		{"https://example.org/\x00", false},
		{"mailto:a@example.org", false},
		{"https://example.org/" + strings.Repeat("a", MaxURLBytes), false},
	}
	for _, tt := range tests {
		if got := ValidHTTPURL(tt.s); got != tt.want {
			t.Errorf("ValidHTTPURL(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestMapField(t *testing.T) {
	tests := []struct{ field, key, want string }{
		{"name", "en", "name.en"},
		{"name", "zh-Hant", "name.zh-Hant"},
		{"name", "", `name[""]`},
		{"name", "en US", `name["en US"]`},
		{"name", "a.b", `name["a.b"]`},
	}
	for _, tt := range tests {
		if got := MapField(tt.field, tt.key); got != tt.want {
			t.Errorf("MapField(%q, %q) = %q, want %q", tt.field, tt.key, got, tt.want)
		}
	}
}

// failure is one expected (field, rule) pair.
type failure struct{ field, rule string }

// failures lists the (field, rule) pairs of a *ValidationError.
func failures(t *testing.T, err error) []failure {
	t.Helper()
	if err == nil {
		return nil
	}
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("error %v is a %T, not *ValidationError", err, err)
	}
	out := make([]failure, len(ve.Errors))
	for i, fe := range ve.Errors {
		if fe.Message == "" {
			t.Errorf("failure %s/%s has no message", fe.Field, fe.Rule)
		}
		out[i] = failure{fe.Field, fe.Rule}
	}
	return out
}

func TestValidationHelpers(t *testing.T) {
	tests := []struct {
		name string
		run  func(ve *ValidationError)
		want []failure
	}{
		{"text ok", func(ve *ValidationError) { ve.Text("name", Text{"en": "x", "es": ""}, true, 10) }, nil},
		{"text required nil", func(ve *ValidationError) { ve.Text("name", nil, true, 10) }, []failure{{"name", "required"}}},
		{"text required blank", func(ve *ValidationError) { ve.Text("name", Text{"en": " \n"}, true, 10) }, []failure{{"name", "required"}}},
		{"text optional nil", func(ve *ValidationError) { ve.Text("name", nil, false, 10) }, nil},
		{"text bad tag", func(ve *ValidationError) { ve.Text("name", Text{"english": "x", "en_US": "y"}, true, 10) },
			[]failure{{"name.en_US", "bcp47"}, {"name.english", "bcp47"}}},
		{"text empty tag", func(ve *ValidationError) { ve.Text("name", Text{"": "x"}, false, 10) }, []failure{{`name[""]`, "bcp47"}}},
		{"text too long", func(ve *ValidationError) { ve.Text("name", Text{"lv": "āāāāāāāāāāā"}, false, 10) }, []failure{{"name.lv", "max_length"}}},
		{"text exactly max runes", func(ve *ValidationError) { ve.Text("name", Text{"lv": "āāāāāāāāāā"}, true, 10) }, nil},
		{"text utf8", func(ve *ValidationError) { ve.Text("name", Text{"en": "a\xffb"}, true, 10) },
			[]failure{{"name.en", "utf8"}, {"name", "required"}}},
		{"text control", func(ve *ValidationError) { ve.Text("d", Text{"en": "a\x00b"}, false, 0) }, []failure{{"d.en", "control_char"}}},
		{"text newline ok", func(ve *ValidationError) { ve.Text("d", Text{"en": "a\nb\tc\r\n"}, true, 0) }, nil},
		{"text too many languages", func(ve *ValidationError) {
			tx := Text{}
			for i := range MaxLanguages + 1 {
				tx["x-"+strings.Repeat("a", 1+i%8)+string(rune('a'+i/8))] = "v"
			}
			ve.Text("name", tx, false, 0)
		}, []failure{{"name", "max_items"}}},
		{"text bytes ok", func(ve *ValidationError) { ve.TextBytes("d", Text{"lv": "āāāāā"}, true, 10) }, nil},
		{"text bytes over", func(ve *ValidationError) { ve.TextBytes("d", Text{"lv": "āāāāāā"}, true, 10) }, []failure{{"d.lv", "max_length"}}},
		{"text bytes required", func(ve *ValidationError) { ve.TextBytes("d", Text{"en_GB": ""}, true, 10) },
			[]failure{{"d.en_GB", "bcp47"}, {"d", "required"}}},
		{"textlist ok", func(ve *ValidationError) { ve.TextList("tags", TextList{"en": {"a", "b"}}, 10) }, nil},
		{"textlist blank item", func(ve *ValidationError) { ve.TextList("tags", TextList{"en": {"a", " "}}, 10) }, []failure{{"tags.en[1]", "required"}}},
		{"textlist newline", func(ve *ValidationError) { ve.TextList("tags", TextList{"en": {"a\nb"}}, 10) }, []failure{{"tags.en[0]", "control_char"}}},
		{"textlist bad tag", func(ve *ValidationError) { ve.TextList("tags", TextList{"EN_gb": {"a"}}, 10) }, []failure{{"tags.EN_gb", "bcp47"}}},
		{"textlist long", func(ve *ValidationError) { ve.TextList("tags", TextList{"en": {"abcdef"}}, 5) }, []failure{{"tags.en[0]", "max_length"}}},
		{"enum ok", func(ve *ValidationError) { ve.Enum("difficulty", "easy", difficulties...) }, nil},
		{"enum empty ok", func(ve *ValidationError) { ve.Enum("difficulty", "", difficulties...) }, nil},
		{"enum bad", func(ve *ValidationError) { ve.Enum("difficulty", "Easy", difficulties...) }, []failure{{"difficulty", "enum"}}},
		{"string required", func(ve *ValidationError) { ve.String("author", " ", true, 10) }, []failure{{"author", "required"}}},
		{"string optional empty", func(ve *ValidationError) { ve.String("author", "", false, 10) }, nil},
		{"string newline", func(ve *ValidationError) { ve.String("author", "a\nb", false, 10) }, []failure{{"author", "control_char"}}},
		{"string blank with control", func(ve *ValidationError) { ve.String("author", "\x01", false, 10) }, []failure{{"author", "control_char"}}},
		{"string long", func(ve *ValidationError) { ve.String("author", "abcdefghijk", false, 10) }, []failure{{"author", "max_length"}}},
		{"string utf8", func(ve *ValidationError) { ve.String("author", "\xc3", false, 10) }, []failure{{"author", "utf8"}}},
		{"url ok", func(ve *ValidationError) { ve.URL("object", "https://a.example/x", true) }, nil},
		{"url required", func(ve *ValidationError) { ve.URL("object", "", true) }, []failure{{"object", "required"}}},
		{"url optional", func(ve *ValidationError) { ve.URL("object", "", false) }, nil},
		{"url relative", func(ve *ValidationError) { ve.URL("object", "/objects/1", false) }, []failure{{"object", "url"}}},
		{"url scheme", func(ve *ValidationError) { ve.URL("object", "gopher://a.example/", false) }, []failure{{"object", "url"}}},
		{"url long", func(ve *ValidationError) {
			ve.URL("object", "https://a.example/"+strings.Repeat("a", MaxURLBytes), false)
		}, []failure{{"object", "max_length"}}},
		{"slug", func(ve *ValidationError) { ve.Slug("key", "a b", true) }, []failure{{"key", "slug"}}},
		{"slug required", func(ve *ValidationError) { ve.Slug("key", "", true) }, []failure{{"key", "required"}}},
		{"languages", func(ve *ValidationError) { ve.Languages("languages", []string{"en", "english", "lv"}) }, []failure{{"languages[1]", "bcp47"}}},
		{"string list", func(ve *ValidationError) { ve.StringList("targets", []string{"all;pas", "", "a\tb"}, 10) },
			[]failure{{"targets[1]", "required"}, {"targets[2]", "control_char"}}},
		{"string list too long", func(ve *ValidationError) { ve.StringList("targets", make([]string, MaxListItems+1), 10) },
			[]failure{{"targets", "max_items"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ve := &ValidationError{}
			tt.run(ve)
			got := failures(t, ve.Err())
			if !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v", got, tt.want)
			}
		})
	}
}
