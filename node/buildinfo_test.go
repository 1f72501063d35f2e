package node

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildInfoFrom(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/interlink-project/interlink-node",
		Version: "v0.1.1-0.20260102030405-0123456789ab+dirty"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	b := buildInfoFrom(stamped, true)
	if b.Version != stamped.Main.Version || b.Revision != "0123456789abcdef0123456789abcdef01234567" || !b.Modified ||
		b.CommitTime != "2026-01-02T03:04:05Z" || b.GoVersion != "go1.26.0" || b.Devel() {
		t.Fatalf("stamped build read as %+v", b)
	}
	if s := b.String(); !strings.Contains(s, "revision 0123456789abcdef") || !strings.Contains(s, "modified") || !strings.Contains(s, "committed 2026-01-02T03:04:05Z") {
		t.Errorf("stamped build prints %q", s)
	}
	if b.token() != stamped.Main.Version {
		t.Errorf("token %q", b.token())
	}
	clean := *stamped
	clean.Settings = []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}
	if b := buildInfoFrom(&clean, true); b.Modified || strings.Contains(b.String(), "modified") {
		t.Errorf("a clean tree reads as modified: %+v %q", b, b.String())
	}

	devel := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/interlink-project/interlink-node", Version: "(devel)"}}
	for _, d := range []BuildInfo{buildInfoFrom(devel, true), buildInfoFrom(nil, false), buildInfoFrom(&debug.BuildInfo{}, true)} {
		if !d.Devel() || d.Revision != "" || d.token() != "devel" || d.String() != "(devel) (no VCS revision recorded)" {
			t.Errorf("a devel build reads as %+v, prints %q", d, d.String())
		}
	}
}

// The process's own build information is what status reports: a test binary
// has no VCS stamp, so it says (devel).
func TestBuildIsThisBinary(t *testing.T) {
	if !Build.Devel() || Version != "devel" {
		t.Errorf("test binary: Build %+v, Version %q", Build, Version)
	}
}
