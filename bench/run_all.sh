#!/usr/bin/env bash
# Every ClaimFlow benchmark, one after another, each on its own throwaway PostgreSQL and broker.
# Usage: ./cf bench [--quick]     (--quick: smaller sizes, for a first look)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
quick="${1:-}"
run() { printf '\n==> %s\n' "$*"; "$PY" "$@"; }
if [ "$quick" = "--quick" ]; then
  run bench/claims_search.py --claims 100000 --rounds 10
  run bench/sampling_apply.py --claims 20000
  run bench/ecf_statements.py --declarations 200000 --runs 3
  run bench/bus_throughput.py --events 20000 --seconds 10
  run bench/load.py --users 50 --seconds 20 --claims 5000
else
  run bench/claims_search.py --claims 1000000 --rounds 20
  run bench/sampling_apply.py --claims 100000
  run bench/ecf_statements.py --providers 170 --declarations 1000000 --runs 5
  run bench/bus_throughput.py --events 100000 --rate 1000 --seconds 15
  run bench/load.py --users 50 --seconds 30 --claims 20000
fi
