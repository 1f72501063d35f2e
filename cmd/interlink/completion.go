package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/protocol"
)

// Value completion for the flags that take one of a fixed set of values
// (`interlink completion bash|zsh|fish|powershell` installs the scripts).

// completeValues makes flag of cmd complete to values.
func completeValues(cmd *cobra.Command, flag string, values ...string) {
	err := cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	if err != nil {
		panic("completion for --" + flag + ": " + err.Error()) // a programming error: the flag must exist
	}
}

// roles are the values of --role.
var roles = []string{"admin", "editor", "reader"}

// searchLanguages are the languages --lang completes to: the pilots' and
// the catalogue's (any BCP 47 tag is accepted).
var searchLanguages = []string{"en", "es", "it", "lv"}

// filterValues are the values --filter completes to after KEY= for the
// filters with a closed set of values.
func filterValues() map[string][]string {
	kinds := make([]string, len(protocol.Kinds))
	for i, k := range protocol.Kinds {
		kinds[i] = string(k)
	}
	return map[string][]string{
		"type":     kinds,
		"verified": {protocol.Verified, protocol.Unverified, protocol.Invalid, "unsigned"},
		"language": searchLanguages,
	}
}

// completeFilter completes --filter: the filter keys ("type="), then, after
// a key with a closed set of values, those values ("type=Interlinker").
func completeFilter(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	key, _, hasValue := strings.Cut(toComplete, "=")
	if !hasValue {
		out := make([]string, len(searchFilters))
		for i, f := range searchFilters {
			out[i] = f + "="
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
	var out []string
	for _, v := range filterValues()[key] {
		out = append(out, key+"="+v)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
