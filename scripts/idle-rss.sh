#!/usr/bin/env bash
# idle-rss.sh BIN [RUNS]: the resident memory (VmRSS, kB) of an empty node
# started from BIN, 3 s after /readyz, RUNS times (default 3). Compare two
# builds by running it on each in turn:
#   go build -o /tmp/il-new ./cmd/interlink
#   git worktree add /tmp/old REV && (cd /tmp/old && go build -o /tmp/il-old ./cmd/interlink)
#   scripts/idle-rss.sh /tmp/il-old; scripts/idle-rss.sh /tmp/il-new
set -euo pipefail
bin=$1 runs=${2:-3}
for _ in $(seq 1 "$runs"); do
  d=$(mktemp -d) port=$((20000 + RANDOM % 20000))
  "$bin" serve --data "$d" --listen "127.0.0.77:$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.77:$port/readyz" >/dev/null && break; sleep 0.1; done
  sleep 3
  awk '/^VmRSS/{print $2}' "/proc/$pid/status"
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$d"
done
