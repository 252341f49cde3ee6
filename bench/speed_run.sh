#!/usr/bin/env bash
# Issue 18's figures from one run (item 7): each speed benchmark of BENCHMARKS.md in turn,
# with the load average before and after each step. Outputs go to DIR (default
# /tmp/speed-run); query stores are kept under DIR/stores and reused by a later run.
#
#     bench/speed_run.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
out=${1:-/tmp/speed-run}
mkdir -p "$out"
step() {
  local name=$1
  shift
  echo "== $name: load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)"
  "$@" >"$out/$name.txt" 2>&1
  echo "   $name done: load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)"
}
step cli_startup $py -m bench.cli_startup
step store_load_100k $py -m bench.store_load --sizes 100000 --bulk --compare
step store_load_1m $py -m bench.store_load --sizes 1000000 --bulk
step queries $py -m bench.queries --sizes 100000 1000000 --root "$out/stores" --origins 24 \
  --exposure-repeats 9 --no-graphql
step index_memory $py -m bench.index_memory --sizes 100000 1000000
