#!/usr/bin/env bash
# Mutation testing of the security-critical packages (issue 17). Slow (an
# hour or more on 2 cores): run it by hand before and after touching these
# packages or their tests, never from .ci/run.
#
# Two parts, both run in a scratch copy of the repository (git archive of
# HEAD, or of the working tree with --worktree), never in the working tree:
#
#  - gremlins (github.com/go-gremlins/gremlins v0.5.0, default mutators) on
#    each package of GREMLINS_PACKAGES: killed, lived, timed out, not
#    covered and efficacy (killed / (killed + lived)) per package, and every
#    LIVED mutant by file:line:column and mutator;
#  - hand-made mutants from scripts/mutants.tsv, for what gremlins cannot
#    reach or mutates only superficially: single files of node (whose tests
#    are too slow for gremlins), the SSRF range table, the revocation rules
#    of the trust chain and the history checks of federation. Each is applied
#    alone and the tests its row names must fail.
#
# Exit status: 0 when every package reaches the efficacy threshold and every
# hand-made mutant is killed; 1 otherwise; 2 on a usage error or a stale
# mutants table (an original text not found exactly once in its file).
set -euo pipefail

GREMLINS_VERSION=v0.5.0
GREMLINS_PACKAGES=(
	protocol/httpsig
	protocol/signedobject
	protocol/entity
	protocol/trustchain
	federation/transport
)

usage() {
	cat <<'EOF'
Usage: scripts/mutation.sh [OPTIONS] [PACKAGE...]

Mutation testing of the security-critical packages: gremlins on
  protocol/httpsig protocol/signedobject protocol/entity
  protocol/trustchain federation/transport
and the hand-made mutants of scripts/mutants.tsv (node/auth.go,
node/ratelimit.go, node/problem.go, federation/transport/guard.go,
protocol/trustchain/chain.go, federation/history.go).

PACKAGE (a directory such as protocol/httpsig, node or federation) limits the
run to the gremlins packages named and to the hand-made mutants of files in
the directories named.

Options:
  --gremlins-only   run gremlins only, no hand-made mutants
  --hand-only       run the hand-made mutants only, no gremlins
  --worktree        mutate a copy of the working tree (tracked and untracked,
                    not ignored, files) instead of a copy of HEAD
  --rev REV         mutate a copy of REV instead of HEAD
  --keep            keep the scratch directory (its path is printed)
  -h, --help        this message

Environment:
  MUTATION_THRESHOLD            minimum efficacy %% per package (default 95)
  MUTATION_WORKERS              gremlins workers (default 2: one a core, each test
                                run on 1 CPU; 1 on a machine busy with other work)
  MUTATION_TIMEOUT_COEFFICIENT  gremlins --timeout-coefficient (default 10)
  MUTATION_TEST_TIMEOUT         go test -timeout of a hand-made mutant (default 10m)
  MUTATION_TABLE                hand-made mutants table (default scripts/mutants.tsv)
  MUTATION_GREMLINS             a gremlins v0.5.0 binary to use; otherwise it is
                                looked up in PATH and GOPATH/bin, and installed
                                into ${XDG_CACHE_HOME:-$HOME/.cache}/interlink-mutation/bin
                                when missing (never into go.mod)

Exit status: 0 all good; 1 a package below the threshold, a hand-made mutant
lived, or a run failed; 2 usage error or stale mutants table.
EOF
}

die() {
	printf 'mutation: %s\n' "$*" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
threshold=${MUTATION_THRESHOLD:-95}
workers=${MUTATION_WORKERS:-2}
coefficient=${MUTATION_TIMEOUT_COEFFICIENT:-10}
test_timeout=${MUTATION_TEST_TIMEOUT:-10m}
table=${MUTATION_TABLE:-$root/scripts/mutants.tsv}
cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/interlink-mutation

run_gremlins=1
run_hand=1
source_mode=rev
rev=HEAD
keep=0
selected=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		usage
		exit 0
		;;
	--gremlins-only) run_hand=0 ;;
	--hand-only) run_gremlins=0 ;;
	--worktree) source_mode=worktree ;;
	--rev)
		[ $# -ge 2 ] || die "--rev needs a revision"
		rev=$2
		shift
		;;
	--keep) keep=1 ;;
	--)
		shift
		selected+=("$@")
		break
		;;
	-*) die "unknown option $1 (see -h)" ;;
	*) selected+=("$1") ;;
	esac
	shift
done
[ "$run_gremlins$run_hand" != 00 ] || die "--gremlins-only and --hand-only exclude each other"
[[ $threshold =~ ^[0-9]+([.][0-9]+)?$ ]] || die "MUTATION_THRESHOLD must be a number, not $threshold"
[[ $workers =~ ^[1-9][0-9]*$ ]] || die "MUTATION_WORKERS must be a positive integer, not $workers"
[[ $coefficient =~ ^[1-9][0-9]*$ ]] || die "MUTATION_TIMEOUT_COEFFICIENT must be a positive integer, not $coefficient"
[ -f "$table" ] || die "no mutants table at $table"

# Normalise the packages asked for: ./protocol/httpsig/ -> protocol/httpsig.
norm() {
	local p=${1#./}
	p=${p%/}
	printf '%s' "${p:-.}"
}
for i in "${!selected[@]}"; do
	selected[i]=$(norm "${selected[i]}")
done
is_selected() { # DIR: true when no PACKAGE was given or DIR is one of them
	[ ${#selected[@]} -eq 0 ] && return 0
	local s
	for s in "${selected[@]}"; do
		[ "$s" = "$1" ] && return 0
	done
	return 1
}

# The hand-made mutants table: one mutant a line, tab-separated:
#   id  file  packages  run  original  replacement
# packages: space-separated go test patterns (./node); run: the go test -run
# regex that must kill it. In original and replacement, \t, \n and \\ stand
# for a tab, a newline and a backslash; an empty replacement deletes.
rows=()
row_dirs=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	n=${line//[!$'\t']/}
	[ ${#n} -eq 5 ] || die "$table:$lineno: want 6 tab-separated fields, found $((${#n} + 1))"
	file=${line#*$'\t'}
	file=${file%%$'\t'*}
	dir=$(dirname "$file")
	row_dirs+=("$dir")
	if [ "$run_hand" = 1 ] && is_selected "$dir"; then
		rows+=("$lineno"$'\t'"$line")
	fi
done <"$table"

gremlins_pkgs=()
if [ "$run_gremlins" = 1 ]; then
	for p in "${GREMLINS_PACKAGES[@]}"; do
		if is_selected "$p"; then gremlins_pkgs+=("$p"); fi
	done
fi
for s in "${selected[@]}"; do
	known=0
	for p in "${GREMLINS_PACKAGES[@]}" "${row_dirs[@]}"; do
		[ "$s" = "$p" ] && known=1
	done
	[ "$known" = 1 ] || die "$s is neither a gremlins package (${GREMLINS_PACKAGES[*]}) nor the directory of a hand-made mutant"
done
[ ${#gremlins_pkgs[@]} -gt 0 ] || [ ${#rows[@]} -gt 0 ] || die "nothing to run for: ${selected[*]}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/interlink-mutation.XXXXXX")
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	if [ "$keep" = 1 ]; then
		printf 'mutation: scratch directory kept: %s\n' "$tmp" >&2
	else
		chmod -R u+w "$tmp" 2>/dev/null || true
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The helper: parses gremlins' JSON (no jq or python needed) and applies a
# hand-made mutant (exactly one occurrence, or a stale-table error).
mkdir -p "$tmp/tool"
cat >"$tmp/tool/main.go" <<'EOF'
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

type result struct {
	Files []struct {
		FileName  string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// summary PKG JSON THRESHOLD: prints one tab-separated row (package, killed,
// lived, timed out, not covered, not viable, efficacy, ok|LOW) and then
// the LIVED and TIMED OUT mutants, one a line.
func summary(pkg, file, threshold string) error {
	min, err := strconv.ParseFloat(threshold, 64)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var r result
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	count := map[string]int{}
	var notes []string
	for _, f := range r.Files {
		for _, m := range f.Mutations {
			count[m.Status]++
			if m.Status == "LIVED" || m.Status == "TIMED OUT" {
				notes = append(notes, fmt.Sprintf("%s:%d:%d\t%s\t%s", path.Join(pkg, f.FileName), m.Line, m.Column, m.Type, m.Status))
			}
		}
	}
	sort.Slice(notes, func(i, j int) bool { return natLess(notes[i], notes[j]) })
	killed, lived := count["KILLED"], count["LIVED"]
	eff, verdict := "n/a", "LOW"
	if killed+lived > 0 {
		e := float64(killed) / float64(killed+lived) * 100
		eff = fmt.Sprintf("%.2f", e)
		if e >= min {
			verdict = "ok"
		}
	}
	fmt.Printf("%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", pkg, killed, lived, count["TIMED OUT"], count["NOT COVERED"], count["NOT VIABLE"], eff, verdict)
	for _, n := range notes {
		fmt.Println(n)
	}
	return nil
}

// natLess orders file:line:col naturally (line 9 before line 10).
func natLess(a, b string) bool {
	fa, fb := strings.FieldsFunc(a, sep), strings.FieldsFunc(b, sep)
	for i := 0; i < len(fa) && i < len(fb); i++ {
		if fa[i] == fb[i] {
			continue
		}
		na, ea := strconv.Atoi(fa[i])
		nb, eb := strconv.Atoi(fb[i])
		if ea == nil && eb == nil {
			return na < nb
		}
		return fa[i] < fb[i]
	}
	return len(fa) < len(fb)
}

func sep(r rune) bool { return r == ':' || r == '\t' }

func unescape(s string) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 't':
				out.WriteByte('\t')
				i++
				continue
			case 'n':
				out.WriteByte('\n')
				i++
				continue
			case '\\':
				out.WriteByte('\\')
				i++
				continue
			}
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

// apply FILE ORIGINAL REPLACEMENT [check]: replaces the one occurrence of
// ORIGINAL; exit status 3 when it occurs zero or several times.
func apply(file, orig, repl string, checkOnly bool) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	o, r := []byte(unescape(orig)), []byte(unescape(repl))
	if len(o) == 0 {
		return fmt.Errorf("%s: empty original text", file)
	}
	if n := bytes.Count(b, o); n != 1 {
		fmt.Fprintf(os.Stderr, "%s: the original text %q occurs %d times, want exactly once: the table is stale\n", file, orig, n)
		os.Exit(3)
	}
	if checkOnly {
		return nil
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	return os.WriteFile(file, bytes.Replace(b, o, r, 1), st.Mode())
}

func main() {
	var err error
	switch a := os.Args[1:]; {
	case len(a) == 4 && a[0] == "summary":
		err = summary(a[1], a[2], a[3])
	case len(a) == 4 && a[0] == "apply":
		err = apply(a[1], a[2], a[3], false)
	case len(a) == 4 && a[0] == "check":
		err = apply(a[1], a[2], a[3], true)
	default:
		err = fmt.Errorf("usage: mutool summary PKG JSON THRESHOLD | apply|check FILE ORIGINAL REPLACEMENT")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutool:", err)
		os.Exit(1)
	}
}
EOF
(cd "$tmp/tool" && GOFLAGS=-buildvcs=false GO111MODULE=on GOWORK=off go mod init mutool >/dev/null 2>&1 && GOFLAGS=-buildvcs=false go build -o "$tmp/mutool" .) ||
	die "could not build the helper in $tmp/tool"
mutool=$tmp/mutool

# The scratch copy everything is mutated in.
src=$tmp/src
mkdir -p "$src"
if [ "$source_mode" = worktree ]; then
	(cd "$root" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$src"
	what="the working tree of $root"
else
	commit=$(git -C "$root" rev-parse --verify "$rev^{commit}") || die "unknown revision $rev"
	git -C "$root" archive "$commit" | tar -xf - -C "$src"
	what="$rev = $(git -C "$root" log -1 --format='%h %s' "$commit" | cut -c1-60)"
fi
printf 'mutation: scratch copy of %s in %s\n' "$what" "$src"

# Every hand-made mutant's original text must occur exactly once in its
# file: a row that does not match is a stale table, refused before any run.
stale=0
for r in "${rows[@]}"; do
	IFS=$'\t' read -r ln id file _ <<<"$r"
	orig=${r#*$'\t'*$'\t'*$'\t'*$'\t'*$'\t'}
	orig=${orig%%$'\t'*}
	if [ ! -f "$src/$file" ]; then
		printf 'mutation: %s:%s: mutant %s: no file %s\n' "$table" "$ln" "$id" "$file" >&2
		stale=1
	elif ! (cd "$src" && "$mutool" check "$file" "$orig" "") 2>"$tmp/check.err"; then
		printf 'mutation: %s:%s: mutant %s: %s\n' "$table" "$ln" "$id" "$(cat "$tmp/check.err")" >&2
		stale=1
	fi
done
[ "$stale" = 0 ] || die "the hand-made mutants table is stale: fix the rows above (their original text must occur exactly once)"

start=$SECONDS
failed=0
summary_rows=()
summary_notes=()

# --- gremlins ----------------------------------------------------------------
find_gremlins() {
	local c
	for c in "${MUTATION_GREMLINS:-}" "$cache_dir/bin/gremlins" "$(command -v gremlins || true)" "$(go env GOPATH)/bin/gremlins"; do
		if [ -z "$c" ] || [ ! -x "$c" ]; then continue; fi
		if [ "$c" = "${MUTATION_GREMLINS:-}" ] || go version -m "$c" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/go-gremlins/gremlins[[:space:]]+${GREMLINS_VERSION}[[:space:]]"; then
			printf '%s' "$c"
			return 0
		fi
	done
	return 1
}
if [ ${#gremlins_pkgs[@]} -gt 0 ]; then
	if ! gremlins=$(find_gremlins); then
		printf 'mutation: installing gremlins %s into %s/bin\n' "$GREMLINS_VERSION" "$cache_dir"
		mkdir -p "$cache_dir/bin"
		(cd "$tmp" && GOBIN=$cache_dir/bin GOFLAGS=-buildvcs=false GOWORK=off go install "github.com/go-gremlins/gremlins/cmd/gremlins@$GREMLINS_VERSION")
		gremlins=$cache_dir/bin/gremlins
	fi
	# Only defaults: no .gremlins.yaml of the user's (or of the copy), and no
	# GREMLINS_* variable, applies.
	while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^GREMLINS_' || true)
	printf 'unleash:\n  workers: %s\n' "$workers" >"$tmp/gremlins.yaml"
	mkdir -p "$tmp/out" "$tmp/gtmp"
	for pkg in "${gremlins_pkgs[@]}"; do
		printf '\n=== gremlins %s (workers %s, timeout coefficient %s, 1 CPU a test)\n' "$pkg" "$workers" "$coefficient"
		json=$tmp/out/${pkg//\//_}.json
		# -count=1: gremlins times its coverage run to set each mutant's
		# timeout, and a cached result would make that time near zero.
		# -cpu=1 through GOFLAGS, not --test-cpu: gremlins v0.5.0 passes
		# "-cpu 1" to go test as one argument, which fails every run (and
		# counts every mutant as KILLED).
		if (cd "$src" && TMPDIR=$tmp/gtmp GOFLAGS="${GOFLAGS:-} -count=1 -cpu=1" \
			"$gremlins" unleash --config "$tmp/gremlins.yaml" --workers "$workers" \
			--timeout-coefficient "$coefficient" -o "$json" "./$pkg") && [ -s "$json" ]; then
			out=$("$mutool" summary "$pkg" "$json" "$threshold") || {
				summary_rows+=("$pkg"$'\t-\t-\t-\t-\t-\tn/a\tERROR')
				failed=1
				continue
			}
			row=${out%%$'\n'*}
			summary_rows+=("$row")
			[ "${row##*$'\t'}" = ok ] || failed=1
			if [ "$out" != "$row" ]; then
				while IFS= read -r n; do summary_notes+=("$n"); done <<<"${out#*$'\n'}"
			fi
		else
			printf 'mutation: gremlins failed on %s (do its tests pass?)\n' "$pkg" >&2
			summary_rows+=("$pkg"$'\t-\t-\t-\t-\t-\tn/a\tERROR')
			failed=1
		fi
	done
fi
gremlins_time=$((SECONDS - start))

# --- hand-made mutants -------------------------------------------------------
hand_results=()
hand_killed=0
hand_lived=0
hand_other=0
if [ ${#rows[@]} -gt 0 ]; then
	# gotest LOG PACKAGES RUN: go test of the copy; prints its verdict.
	gotest() {
		local log=$1 pkgs=$2 run=$3 rc=0
		# shellcheck disable=SC2086 # PACKAGES is a space-separated list
		(cd "$src" && go test -count=1 -failfast -timeout "$test_timeout" -run "$run" $pkgs) >"$log" 2>&1 || rc=$?
		if grep -q -e '\[build failed\]' -e '\[setup failed\]' -e '^# ' "$log"; then
			echo BUILD
		elif grep -q 'panic: test timed out after' "$log"; then
			echo TIMEOUT
		elif [ "$rc" -ne 0 ]; then
			echo FAIL
		elif grep -q 'no tests to run' "$log"; then
			echo NOTESTS
		else
			echo PASS
		fi
	}
	mkdir -p "$tmp/hand"
	# Each (packages, run) pair must pass, and run tests, unmutated: a kill
	# means nothing otherwise.
	declare -A baseline=()
	for r in "${rows[@]}"; do
		IFS=$'\t' read -r _ _ _ pkgs run _ <<<"$r"
		key=$pkgs$'\t'$run
		[ -z "${baseline[$key]:-}" ] || continue
		printf '\n=== baseline (unmutated): go test -run '\''%s'\'' %s\n' "$run" "$pkgs"
		v=$(gotest "$tmp/hand/baseline.log" "$pkgs" "$run")
		baseline[$key]=$v
		if [ "$v" != PASS ]; then
			printf 'mutation: unmutated, go test -run '\''%s'\'' %s gives %s:\n' "$run" "$pkgs" "$v" >&2
			tail -n 30 "$tmp/hand/baseline.log" >&2
		fi
	done
	printf '\n=== hand-made mutants (%d)\n' "${#rows[@]}"
	for r in "${rows[@]}"; do
		IFS=$'\t' read -r ln id file pkgs run _ <<<"$r"
		orig=${r#*$'\t'*$'\t'*$'\t'*$'\t'*$'\t'}
		repl=${orig#*$'\t'}
		orig=${orig%%$'\t'*}
		key=$pkgs$'\t'$run
		if [ "${baseline[$key]}" != PASS ]; then
			status="NO BASELINE"
		else
			cp -p "$src/$file" "$tmp/hand/original"
			"$mutool" apply "$src/$file" "$orig" "$repl" || die "$table:$ln: mutant $id could not be applied"
			log=$tmp/hand/$id.log
			case $(gotest "$log" "$pkgs" "$run") in
			FAIL) status=KILLED ;;
			TIMEOUT) status="TIMED OUT" ;;
			PASS | NOTESTS) status=LIVED ;;
			BUILD) status="NOT VIABLE" ;;
			esac
			cp -p "$tmp/hand/original" "$src/$file"
		fi
		case $status in
		KILLED) hand_killed=$((hand_killed + 1)) ;;
		LIVED) hand_lived=$((hand_lived + 1)) ;;
		*) hand_other=$((hand_other + 1)) ;;
		esac
		line=$(printf '%-11s %-32s %s: %s  ->  %s   (go test -run '\''%s'\'' %s)' "$status" "$id" "$file" "$orig" "${repl:-<deleted>}" "$run" "$pkgs")
		printf '%s\n' "$line"
		hand_results+=("$line")
		if [ "$status" = "NOT VIABLE" ]; then
			printf 'mutation: %s:%s: mutant %s does not compile, fix the row:\n' "$table" "$ln" "$id" >&2
			grep -v '^FAIL' "$log" | head -n 10 >&2
		fi
	done
	[ "$hand_lived" -eq 0 ] && [ "$hand_other" -eq 0 ] || failed=1
fi
total_time=$((SECONDS - start))

# --- summary -----------------------------------------------------------------
hms() { printf '%dh%02dm%02ds' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60)); }
printf '\n==================== mutation summary (%s) ====================\n' "$what"
if [ ${#summary_rows[@]} -gt 0 ]; then
	printf '\ngremlins %s, default mutators, workers %s, timeout coefficient %s, threshold %s%% (%s)\n' \
		"$GREMLINS_VERSION" "$workers" "$coefficient" "$threshold" "$(hms "$gremlins_time")"
	printf '%-26s %7s %6s %9s %11s %10s %9s\n' PACKAGE KILLED LIVED "TIMED OUT" "NOT COVERED" "NOT VIABLE" EFFICACY
	for row in "${summary_rows[@]}"; do
		IFS=$'\t' read -r p k l t nc nv e v <<<"$row"
		[ "$e" = n/a ] || e="$e%"
		[ "$v" = ok ] && v="" || v="  <- $v"
		printf '%-26s %7s %6s %9s %11s %10s %9s%s\n' "$p" "$k" "$l" "$t" "$nc" "$nv" "$e" "$v"
	done
	if [ ${#summary_notes[@]} -gt 0 ]; then
		printf '\nLIVED and TIMED OUT gremlins mutants (file:line:column, mutator):\n'
		for n in "${summary_notes[@]}"; do
			IFS=$'\t' read -r pos mut st <<<"$n"
			printf '  %-10s %-48s %s\n' "$st" "$pos" "$mut"
		done
	fi
fi
if [ ${#hand_results[@]} -gt 0 ]; then
	printf '\nhand-made mutants (%s): %d killed, %d lived, %d other\n' "${table#"$root"/}" "$hand_killed" "$hand_lived" "$hand_other"
	for line in "${hand_results[@]}"; do
		case $line in KILLED*) ;; *) printf '  %s\n' "$line" ;; esac
	done
fi
printf '\nwall time %s\n' "$(hms "$total_time")"
if [ "$failed" = 0 ]; then
	printf 'mutation: OK\n'
else
	printf 'mutation: FAILED (efficacy below %s%%, a hand-made mutant not killed, or a run error)\n' "$threshold"
fi
exit "$failed"
