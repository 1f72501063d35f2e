package node

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// BuildInfo is what the Go toolchain recorded in this binary: the module
// version and, when built from a version-control checkout with VCS stamping
// on (the default of `go build`; GOFLAGS=-buildvcs=false turns it off), the
// revision, whether the tree had uncommitted changes and the commit time.
// `interlink version` and GET /api/v1/status report it.
type BuildInfo struct {
	// Version is the main module's version: a release tag (v1.2.3), a
	// pseudo-version that go build derives from the checkout, or
	// "(devel)" when the toolchain knew none.
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from ("" unknown).
	Revision string `json:"revision,omitempty"`
	// RevisionFrom says where Revision came from when the build did not
	// record it: "source-checkout" for a development build (no VCS stamp,
	// no -X stamp) whose revision was read at start from the git checkout
	// it was compiled in (buildinfo_git.go). Empty for a stamped build.
	RevisionFrom string `json:"revision_from,omitempty"`
	// Modified: the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// CommitTime is the commit time of Revision (RFC 3339), as the
	// toolchain records it (vcs.time).
	CommitTime string `json:"commit_time,omitempty"`
	// BuildTime is when the binary was built, when the build stamped it
	// (-ldflags "-X github.com/interlink-project/interlink-node/node.buildTime=2026-01-02T03:04:05Z",
	// as deploy/Dockerfile does): the toolchain itself records no build
	// time, so that builds are reproducible.
	BuildTime string `json:"build_time,omitempty"`
	GoVersion string `json:"go"`
}

// buildTime and buildRevision are set by the linker (-X) when the build
// stamps them: a container build whose context has no .git directory, or a
// git worktree (whose .git is a file: the go command records no VCS
// information there) still reports its revision.
var buildTime, buildRevision string

// develVersion is what the toolchain records when it knows no version.
const develVersion = "(devel)"

// Build is this binary's build information.
var Build = readBuild()

// Version is the node software's version as a single token (User-Agent,
// NodeInfo, gossip): the module version, "devel" for a (devel) build.
var Version = Build.token()

func readBuild() BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	b := buildInfoFrom(bi, ok)
	b.BuildTime = buildTime
	if b.Revision == "" {
		b.Revision = buildRevision
	}
	if b.Revision == "" && b.Devel() {
		if dir := sourceDir(); dir != "" {
			if rev, err := checkoutRevision(dir); err == nil {
				b.Revision, b.RevisionFrom = rev, revisionFromCheckout
			}
		}
	}
	return b
}

// buildInfoFrom reads what ReadBuildInfo returned.
func buildInfoFrom(bi *debug.BuildInfo, ok bool) BuildInfo {
	b := BuildInfo{Version: develVersion, GoVersion: runtime.Version()}
	if !ok || bi == nil {
		return b
	}
	if v := bi.Main.Version; v != "" {
		b.Version = v
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "vcs.time":
			b.CommitTime = s.Value
		}
	}
	return b
}

// Devel reports whether the toolchain recorded no version.
func (b BuildInfo) Devel() bool { return b.Version == develVersion }

func (b BuildInfo) token() string {
	if b.Devel() {
		return "devel"
	}
	return b.Version
}

// String is the one-line form `interlink version` prints:
// "v0.1.1-0.20260101120000-abcdef012345+dirty (revision abcdef0…, modified, committed 2026-01-01T12:00:00Z)",
// "(devel) (no VCS revision recorded)".
func (b BuildInfo) String() string {
	var parts []string
	if b.Revision != "" {
		if b.RevisionFrom == revisionFromCheckout {
			parts = append(parts, "revision "+b.Revision+" from the source checkout; build not VCS-stamped")
		} else {
			parts = append(parts, "revision "+b.Revision)
		}
		if b.Modified {
			parts = append(parts, "modified")
		}
		if b.CommitTime != "" {
			parts = append(parts, "committed "+b.CommitTime)
		}
	} else {
		parts = append(parts, "no VCS revision recorded")
	}
	if b.BuildTime != "" {
		parts = append(parts, "built "+b.BuildTime)
	}
	return fmt.Sprintf("%s (%s)", b.Version, strings.Join(parts, ", "))
}
