#!/usr/bin/env bash
# Times `promise-rs run -K` against `cf-agent -K` on generated policies of
# 2,000 and 10,000 promises, first run (everything repaired) and second run
# (everything kept), in one go, and prints the ratios (budget: <= 0.5 on both
# runs, time growing linearly with the number of promises).
# Usage: bench/converge.sh [files|plain]
#   files (default): N files promises (create, perms, one inserted line each);
#   plain: N vars/classes/reports promises, for the evaluator alone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
kind=${1:-files}
command -v cf-agent >/dev/null || { echo "cf-agent not installed (apt-get install cfengine3)" >&2; exit 2; }
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/promise-rs
"$bin" run --help >/dev/null 2>&1 || { echo "this promise-rs has no 'run' command yet" >&2; exit 2; }

work=$(mktemp -d)
# A policy cf-agent rejects makes it start its daemons (failsafe): stop
# those whose environment names this run's workdirs, by pid, and no other
# process of the machine.
stop_strays() {
  local pid
  for pid in $(pgrep -x cf-serverd; pgrep -x cf-execd; pgrep -x cf-monitord); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -q "^CFENGINE_TEST_OVERRIDE_WORKDIR=$work/"; then
      kill "$pid" 2>/dev/null || true
    fi
  done
}
trap 'stop_strays; rm -rf "$work"' EXIT

# shellcheck source=bench/timing.sh
. bench/timing.sh

printf '%-8s %-6s %12s %12s %7s\n' promises run cf-agent promise-rs ratio
for n in 2000 10000; do
  for tool in cf promise; do
    dir="$work/$tool-$n"
    mkdir -p "$dir/out" "$dir/work/bin"
    ln -sf "$(command -v cf-promises)" "$dir/work/bin/cf-promises"
    python3 "$root/bench/gen_converge.py" "$n" "$dir/out" "$kind" > "$dir/policy.cf"
  done
  for run in first second; do
    cf=$(CFENGINE_TEST_OVERRIDE_WORKDIR="$work/cf-$n/work" seconds cf-agent -K -f "$work/cf-$n/policy.cf")
    ours=$(seconds "$bin" run -K -f "$work/promise-$n/policy.cf" --workdir "$work/promise-$n/work")
    printf '%-8s %-6s %11.3fs %11.3fs %7.2f\n' "$n" "$run" "$cf" "$ours" "$(echo "$ours / $cf" | bc -l)"
  done
done
echo "budget: ratio <= 0.50 on both runs; promise-rs time ~5x from 2,000 to 10,000"
