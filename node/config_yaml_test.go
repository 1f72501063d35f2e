package node

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzYAMLProblems: any YAML a configuration file may hold is walked
// without a panic, and a plain file (no anchors, aliases, tags or merge
// keys, whose keys the walk reads as written) that decodes into Config gets
// no problem. LoadFile walks only a file that did not decode.
func FuzzYAMLProblems(f *testing.F) {
	for _, s := range []string{"listen: 127.0.0.1:1\n", "federation:\n  retry_base: fast\n", "trust:\n  anchors: [{entity_id: x, kids: [a]}]\n",
		"a: &x [1]\nb: *x\n", "- 1\n- 2\n", "api: {body_limit: 1MiB}\n", "tls:\n  acme:\n    domains: 3\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var root yaml.Node
		if yaml.Unmarshal([]byte(s), &root) != nil {
			return
		}
		probs := yamlProblems(&root, reflect.TypeFor[Config]())
		var c Config
		dec := yaml.NewDecoder(strings.NewReader(s))
		dec.KnownFields(true)
		plain := !strings.ContainsAny(s, "&*!<")
		if plain && dec.Decode(&c) == nil && len(probs) > 0 {
			t.Fatalf("%q decodes, yet problems %v", s, probs)
		}
	})
}
