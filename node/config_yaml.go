package node

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// yamlProblems walks a configuration file's YAML against the type it
// decodes into (Config) and says, in the project's words, what the decoder
// refused: a key that is not a setting (with the settings allowed there and
// the closest one), or a value of the wrong kind for its setting (named by
// its key path, with what it must be). It finds nothing for a file that
// decodes; LoadFile uses it when decoding failed.
func yamlProblems(root *yaml.Node, t reflect.Type) []string {
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	var out []string
	var walk func(n *yaml.Node, t reflect.Type, key string)
	walk = func(n *yaml.Node, t reflect.Type, key string) {
		if t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]() && !implementsUnmarshaler(t) {
			if n.Kind != yaml.MappingNode {
				if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
					out = append(out, fmt.Sprintf("line %d: %s: want a mapping of settings (%s), not %s", n.Line, orTop(key),
						strings.Join(settingNames(t), ", "), describe(n)))
				}
				return
			}
			fields := yamlFields(t)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind == yaml.ScalarNode && k.Tag == "!!null" {
					continue // the decoder skips a null key too
				}
				path := joinKey(key, k.Value)
				ft, ok := fields[k.Value]
				if !ok {
					msg := fmt.Sprintf("line %d: %s is not a setting", k.Line, path)
					if near := closest(k.Value, settingNames(t)); near != "" {
						msg += fmt.Sprintf(" (did you mean %s?)", joinKey(key, near))
					}
					out = append(out, msg+fmt.Sprintf("; the settings %s are: %s", under(key), strings.Join(settingNames(t), ", ")))
					continue
				}
				walk(v, ft, path)
			}
			return
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			out = append(out, fmt.Sprintf("line %d: %s: %s is not %s", n.Line, key, describe(n), kindWords(t, err)))
		}
	}
	walk(root, t, "")
	return out
}

func implementsUnmarshaler(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]())
}

// yamlFields maps the yaml names of a struct's fields to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			out[tag] = t.Field(i).Type
		}
	}
	return out
}

func settingNames(t reflect.Type) []string {
	names := make([]string, 0, t.NumField())
	for name := range yamlFields(t) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func orTop(key string) string {
	if key == "" {
		return "the file"
	}
	return key
}

func under(key string) string {
	if key == "" {
		return "at the top level"
	}
	return "under " + key
}

// describe names a YAML value as the user wrote it.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// kindWords says what a setting of type t must be.
func kindWords(t reflect.Type, err error) string {
	switch t {
	case reflect.TypeFor[time.Duration]():
		return "a duration (write e.g. 500ms, 15s, 2m)"
	case reflect.TypeFor[ByteSize]():
		return "a size (write e.g. 512KiB, 10MiB, or a number of bytes)"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.String:
		return "a single text value"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "a list of text values (write [a, b] or one per line with -)"
		}
		if t.Elem().Kind() == reflect.Struct {
			return fmt.Sprintf("a list of mappings with %s", strings.Join(settingNames(t.Elem()), ", "))
		}
	case reflect.Map:
		return "a mapping"
	}
	return fmt.Sprintf("a valid value (%v)", err)
}

// closest is the name among names nearest to s (edit distance at most a
// third of its length), or "".
func closest(s string, names []string) string {
	best, bestD := "", len(s)/3+1
	for _, n := range names {
		if d := editDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
