package main

import (
	"strings"
	"testing"
)

// Flags with a fixed set of values complete to them (cobra's __complete is
// what the shell scripts of `interlink completion` call).
func TestFlagValueCompletion(t *testing.T) {
	isolate(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"token", "create", "--role", ""}, roles},
		{[]string{"user", "create", "ana", "--role", ""}, roles},
		{[]string{"followers", "--state", ""}, []string{"pending", "accepted", "rejected"}},
		{[]string{"cosign", "list", "--status", ""}, []string{"pending", "approved", "rejected"}},
		{[]string{"search", "x", "--lang", ""}, []string{"en", "es", "it", "lv"}},
		{[]string{"search", "x", "--filter", ""}, []string{"type=", "verified=", "signer_country="}},
		{[]string{"search", "x", "--filter", "verified="}, []string{"verified=verified", "verified=unverified", "verified=invalid", "verified=unsigned"}},
		{[]string{"search", "x", "--filter", "type="}, []string{"type=Interlinker", "type=PublicService"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, "", append([]string{"__complete"}, tt.args...)...)
			got := strings.Split(strings.TrimSpace(r.stdout), "\n")
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("completions %q lack %q (stderr %s)", got, w, r.stderr)
				}
			}
		})
	}
}
