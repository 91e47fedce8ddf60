#!/usr/bin/env bash
# Every ClaimFlow benchmark, one after another, each on its own throwaway PostgreSQL and broker.
# Usage: ./cf bench [--quick]
#   --quick: small sizes (about a minute and a half in all): shows that every benchmark runs; its
#            figures are not the ones the targets are for.
# A benchmark that fails does not stop the others. The run ends with one line per benchmark (passed
# its target, missed its target, or failed to run) and exits 1 when any benchmark failed to run.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-${CLAIMFLOW_VENV:-.venv}/bin/python}"
case "${1:-}" in
  "") quick="" ;;
  --quick) quick=1 ;;
  *) echo "usage: ./cf bench [--quick]" >&2; exit 2 ;;
esac
logs="$(mktemp -d "${TMPDIR:-/tmp}/claimflow-bench.XXXXXX")"
summary=()
failed=0

run() {
  local name="$1"; shift
  local log="$logs/$name.log"
  printf '\n==> bench/%s.py %s\n' "$name" "$*"
  local started="$SECONDS"
  "$PY" "bench/$name.py" "$@" 2>&1 | tee "$log"
  local status="${PIPESTATUS[0]}"
  local took="$((SECONDS - started)) s"
  local result
  result="$(grep -a "^BENCH-RESULT $name " "$log" | tail -n 1)"
  result="${result#BENCH-RESULT "$name" }"
  if [ "$status" -ne 0 ]; then
    summary+=("$name: failed to run (exit $status after $took; output in $log)"); failed=1
  elif [ -z "$result" ]; then
    summary+=("$name: failed to run (it printed no result; output in $log)"); failed=1
  elif [ "${result%% *}" = met ]; then
    summary+=("$name: passed its target: ${result#met } [$took]")
  else
    summary+=("$name: missed its target: ${result#missed } [$took]")
  fi
}

if [ -n "$quick" ]; then
  run claims_search --claims 20000 --rounds 5 --plans
  run sampling_apply --claims 5000 --providers 50
  run ecf_statements --providers 10 --declarations 20000 --runs 2
  run bus_throughput --events 5000 --rounds 1 --seconds 3
  run load --users 10 --seconds 5 --closed-seconds 0 --claims 500
else
  run claims_search --claims 1000000 --rounds 20
  run sampling_apply --claims 100000
  run ecf_statements --providers 170 --declarations 1000000 --runs 5
  run bus_throughput --events 100000 --rate 1000 --seconds 15
  run load --users 50 --seconds 30 --claims 20000
fi

printf '\n==> Summary%s\n' "${quick:+ (--quick sizes: not the figures the targets are for)}"
printf '%s\n' "${summary[@]}"
exit "$failed"
