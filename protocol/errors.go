package protocol

import (
	"fmt"
	"strings"
)

// FieldError is one broken rule on one field. Field is a JSON path in the
// entity's own JSON ("title", "phases[1].objectives[0].tasks[2].id"); Rule is a
// short machine-readable name ("required", "enum", "bcp47", "max_length",
// "format", "range", "unknown_field", "type", "utf8", ...); Message is for people.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Rule) }

// ValidationError lists every field that breaks a rule. Validators collect
// all failures rather than stopping at the first.
type ValidationError struct {
	Kind   Kind         `json:"kind,omitempty"`
	Errors []FieldError `json:"errors"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Error()
	}
	prefix := "invalid object"
	if e.Kind != "" {
		prefix = "invalid " + string(e.Kind)
	}
	return prefix + ": " + strings.Join(parts, "; ")
}

// Add records a failure.
func (e *ValidationError) Add(field, rule, format string, args ...any) {
	e.Errors = append(e.Errors, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// Err returns e when it holds failures and nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Errors) == 0 {
		return nil
	}
	return e
}
