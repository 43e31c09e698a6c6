#!/usr/bin/env bash
# Times `promise-rs lint` against `cf-promises -f promises.cf` on a copy of
# Debian's masterfiles, in one run, and prints the ratio (budget: <= 0.5).
# Then times parsing a generated 50 MB policy (budget: >= 50 MB/s).
# Usage: bench/lint.sh [RUNS]   (default 11; medians are reported)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-11}
masterfiles=/usr/share/cfengine3/masterfiles
command -v cf-promises >/dev/null || { echo "cf-promises not installed (apt-get install cfengine3)" >&2; exit 2; }
[ -d "$masterfiles" ] || { echo "no $masterfiles" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/promise-rs

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$masterfiles" "$work/masterfiles"
mkdir -p "$work/cfwork/bin"
ln -s "$(command -v cf-promises)" "$work/cfwork/bin/cf-promises"

# Median wall time in seconds of a command run $runs times.
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

cd "$work/masterfiles"
# Both tools must accept the tree, or the comparison means nothing.
CFENGINE_TEST_OVERRIDE_WORKDIR="$work/cfwork" cf-promises -f ./promises.cf
"$bin" lint --format short . >/dev/null

cf=$(CFENGINE_TEST_OVERRIDE_WORKDIR="$work/cfwork" median cf-promises -f ./promises.cf)
ours=$(median "$bin" lint --format short .)
same=$(median "$bin" lint --format short ./promises.cf)
files=$(find . -name '*.cf' | wc -l)
lines=$(find . -name '*.cf' -exec cat {} + | wc -l)
printf 'masterfiles (%d files, %d lines), median of %d runs\n' "$files" "$lines" "$runs"
printf '  cf-promises -f promises.cf : %.3f s\n' "$cf"
printf '  promise-rs lint .          : %.3f s\n' "$ours"
printf '  promise-rs lint promises.cf: %.3f s\n' "$same"
printf '  ratio promise-rs/cf-promises: %.2f (whole tree), %.2f (promises.cf) (budget <= 0.50)\n' \
  "$(echo "$ours / $cf" | bc -l)" "$(echo "$same / $cf" | bc -l)"

cd "$work"
python3 "$root/bench/gen_policy.py" 50 > big.cf
speeds=()
for _ in $(seq 5); do
  speeds+=("$("$bin" parse --stats big.cf | sed -E 's/.* ([0-9.]+) MB\/s/\1/')")
done
best=$(printf '%s\n' "${speeds[@]}" | sort -g | tail -1)
med=$(printf '%s\n' "${speeds[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'generated policy (%d bytes), 5 runs\n' "$(stat -c %s big.cf)"
printf '  parse throughput: median %s MB/s, best %s MB/s (budget >= 50 MB/s)\n' "$med" "$best"
