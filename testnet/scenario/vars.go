package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// vars expands the variables of a step's object: the run id, the nodes'
// fields and the sets' first objects.
type vars struct {
	run  string
	fl   *fleet
	objs *catalog
}

var varPattern = regexp.MustCompile(`\$\{([^}]*)\}`)

// expand replaces ${run}, ${nodes.NAME.FIELD} (name, url, actor,
// entity_id, country, host) and ${objects.SET.iri} in every string of v.
func (vs *vars) expand(v any) (any, error) {
	switch x := v.(type) {
	case string:
		var errs []error
		out := varPattern.ReplaceAllStringFunc(x, func(m string) string {
			s, err := vs.variable(m[2 : len(m)-1])
			errs = append(errs, err)
			return s
		})
		return out, errors.Join(errs...)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ev, err := vs.expand(e)
			if err != nil {
				return nil, err
			}
			out[k] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			ev, err := vs.expand(e)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return v, nil
}

func (vs *vars) variable(name string) (string, error) {
	parts := strings.Split(name, ".")
	switch {
	case name == "run":
		return vs.run, nil
	case len(parts) == 3 && parts[0] == "nodes":
		n, err := vs.fl.node(parts[1])
		if err != nil {
			return "", err
		}
		switch parts[2] {
		case "name":
			return n.Name, nil
		case "url":
			return n.URL, nil
		case "actor":
			return n.Actor(), nil
		case "country":
			return n.Country, nil
		case "host":
			return n.Host, nil
		case "entity_id":
			if n.EntityID == "" {
				return n.URL, nil
			}
			return n.EntityID, nil
		}
	case len(parts) == 3 && parts[0] == "objects" && parts[2] == "iri":
		items := vs.objs.set(parts[1]).list()
		if len(items) == 0 {
			return "", fmt.Errorf("${%s}: %s holds no object yet", name, parts[1])
		}
		return items[0].IRI, nil
	}
	return "", fmt.Errorf("${%s} is not a variable (run, nodes.NAME.{name,url,actor,entity_id,country,host}, objects.SET.iri)", name)
}
