#!/usr/bin/env bash
# scale-bench.sh: issue 16's scale benchmarks, end to end. Builds (once,
# cached under $TMPDIR/interlink-corpus) the aggregator corpus of each size,
# runs the search, page and node benchmarks COUNT times each, keeps the raw
# go test output, and draws the scaling curves (docs/benchmarks/*.svg) with
# cmd/benchplot from the medians. Run it on a quiet machine; docs/benchmarks.md
# ("Scale (issue 16)") says what the numbers mean.
#
#   scripts/scale-bench.sh [OUT]            # 10k and 100k, 3 runs, raw output in OUT (default docs/benchmarks/scale-raw)
#   SIZES=10k,100k,1M scripts/scale-bench.sh # with the 1M corpus (builds it first: an hour or more on 2 cores)
#
# Environment: SIZES (default 10k,100k), COUNT (runs, default 3),
# SVG_DIR (default docs/benchmarks), ONLY (a subset of "search pages node
# plots", default all; "plots" alone redraws from the raw output in OUT). The
# node part also runs BenchmarkIngestScale (signed inbox ingest into a node
# holding each corpus) into OUT/ingest.txt and BenchmarkBackfillScale (a new
# origin's catalogue backfilled into it) into OUT/backfill.txt;
# INGEST_SERIES and BACKFILL_SERIES name their series (defaults
# 'inbox ingest=BenchmarkIngestScale/{x}:activities/s' and
# 'backfill=BenchmarkBackfillScale/{x}:objects/s').
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/benchmarks/scale-raw}
SIZES=${SIZES:-10k,100k}
COUNT=${COUNT:-3}
SVG_DIR=${SVG_DIR:-docs/benchmarks}
ONLY=${ONLY:-search pages node plots}
ingest_default='inbox ingest=BenchmarkIngestScale/{x}:activities/s' # (literals: a } inside ${...:-} would end it)
backfill_default='backfill=BenchmarkBackfillScale/{x}:objects/s'
INGEST_SERIES=${INGEST_SERIES:-$ingest_default}
BACKFILL_SERIES=${BACKFILL_SERIES:-$backfill_default}
export BENCH_CORPUS_SIZES=$SIZES
mkdir -p "$OUT" "$SVG_DIR"
want() { [[ " $ONLY " == *" $1 "* ]]; }

measure=false
for part in search pages node; do want "$part" && measure=true; done
if $measure; then
{
	echo "date: $(date -u +%FT%TZ)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "nproc: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2/1048576}')"
	echo "go: $(go env GOVERSION)"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "sizes: $SIZES; runs: $COUNT"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

echo "== corpora ($SIZES): built once, cached under ${TMPDIR:-/tmp}/interlink-corpus"
go test -run TestWarmCache -count 1 -timeout 0 -v ./testnet/corpus/benchdata/ 2>&1 | grep -v ' INFO ' | tee "$OUT/corpus.txt"
fi

if want search; then
	echo "== search with facets (storage/search)"
	GOGC=400 go test -run '^$' -bench 'BenchmarkSearchScale/' -benchtime 2000x -count "$COUNT" -timeout 0 ./storage/search/ 2>&1 | tee "$OUT/search.txt"
fi
if want pages; then
	echo "== search and object pages (node/web)"
	go test -run '^$' -bench '^BenchmarkPages$/' -benchtime 1000x -count "$COUNT" -timeout 0 ./node/web/ 2>&1 | tee "$OUT/pages.txt"
fi
if want node; then
	echo "== a node: start, memory, rebuild, backup, storage, re-judging (node)"
	go test -run '^$' -bench '^BenchmarkScale$/' -benchtime 1x -count "$COUNT" -timeout 0 ./node/ 2>&1 | tee "$OUT/node.txt"
	echo "== receiving: signed inbox ingest into a node holding each corpus (node)"
	go test -run '^$' -bench '^BenchmarkIngestScale$/' -benchtime 1x -count "$COUNT" -timeout 0 ./node/ 2>&1 | tee "$OUT/ingest.txt"
	echo "== receiving: a new origin's catalogue backfilled into a node holding each corpus (node)"
	go test -run '^$' -bench '^BenchmarkBackfillScale$/' -benchtime 1x -count "$COUNT" -timeout 0 ./node/ 2>&1 | tee "$OUT/backfill.txt"
fi
if $measure; then echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"; fi

if want plots; then
	echo "== curves ($SVG_DIR) and medians ($OUT/tables.md)"
	plot() { go run ./cmd/benchplot "$@"; }
	: > "$OUT/tables.md"
	# Every raw file of the three benchmarks (search-1M.txt and the like
	# from separate runs of one size included).
	for f in search pages node; do [[ -f "$OUT/$f.txt" ]] || : > "$OUT/$f.txt"; done
	raw=("$OUT"/search*.txt "$OUT"/pages*.txt "$OUT"/node*.txt)
	plot -o "$SVG_DIR/scale-search.svg" -title "Search with facets: latency by catalogue size" -ylabel "milliseconds" \
		-desc "storage/search BenchmarkSearchScale: 1-3 words, two filters, facets counted; medians of the runs" \
		-series "search p50=BenchmarkSearchScale/{x}:p50-ms" -series "search p99=BenchmarkSearchScale/{x}:p99-ms" \
		-series "search page p50=BenchmarkPages/{x}/search:p50-ms" -series "search page p99=BenchmarkPages/{x}/search:p99-ms" \
		-target "search p99 target 20 ms=20" -target "page p99 target 50 ms=50" "${raw[@]}" >> "$OUT/tables.md"
	plot -o "$SVG_DIR/scale-memory.svg" -title "Memory of an idle node by catalogue size" -ylabel "MiB" \
		-desc "node BenchmarkScale: resident memory 1 s after ready with the index present, and the live heap after a collection" \
		-series "idle RSS=BenchmarkScale/{x}/start:idle-rss-MiB" -series "live heap=BenchmarkScale/{x}/heap:heap-live-MiB" \
		-target "RSS target 250 MB=238" "${raw[@]}" >> "$OUT/tables.md"
	plot -o "$SVG_DIR/scale-start.svg" -title "Start to ready, index present, by catalogue size" -ylabel "milliseconds" \
		-desc "node BenchmarkScale/start: a node process from exec to /readyz 200" \
		-series "start to ready=BenchmarkScale/{x}/start:ready-ms" -target "target 1 s=1000" "${raw[@]}" >> "$OUT/tables.md"
	plot -o "$SVG_DIR/scale-maintenance.svg" -title "Index rebuild, backup and a re-judging pass by catalogue size" -ylabel "seconds" \
		-desc "node BenchmarkScale: the index rebuilt from the store, an online backup to a file, one re-judging pass over every stored verdict" \
		-series "index rebuild=BenchmarkScale/{x}/rebuild:rebuild-s" -series "online backup=BenchmarkScale/{x}/backup:backup-s" \
		-series "re-judging pass=BenchmarkScale/{x}/rejudge:pass-s" -target "backup target 30 s=30" "${raw[@]}" >> "$OUT/tables.md"
	plot -o "$SVG_DIR/scale-storage.svg" -title "Storage per object (all versions) by catalogue size" -ylabel "bytes per object" \
		-desc "node BenchmarkScale/storage: the bbolt file and the search index on disk, divided by the objects" \
		-series "database=BenchmarkScale/{x}/storage:db-B/object" -series "search index=BenchmarkScale/{x}/storage:index-B/object" \
		-series "total=BenchmarkScale/{x}/storage:total-B/object" "${raw[@]}" >> "$OUT/tables.md"
	if [[ -s "$OUT/ingest.txt" || -s "$OUT/backfill.txt" ]]; then
		received=()
		for f in "$OUT/ingest.txt" "$OUT/backfill.txt"; do [[ -s "$f" ]] && received+=("$f"); done
		plot -o "$SVG_DIR/scale-ingest.svg" -title "Receiving signed objects by catalogue size" -ylabel "objects per second" \
			-desc "node BenchmarkIngestScale: signed Creates from 16 senders over 32 connections, HTTP signature and JWS verified, durable before each 202; BenchmarkBackfillScale: a new origin's 5,000 objects fetched from its outbox and verified" \
			-series "$INGEST_SERIES" -series "$BACKFILL_SERIES" -target "target 5,000/s=5000" "${received[@]}" >> "$OUT/tables.md"
	fi
	cat "$OUT/tables.md"
fi
