#!/usr/bin/env bash
# Times a recursive local copy_from (depth_search inf, default compare) of a
# generated tree of 10,000 small files (100 directories x 100 files of a few
# hundred bytes) with `cf-agent -K -f` and `promise-rs run -K -f`: the first
# copy into an empty destination, then a rerun that changes nothing. Each
# tool copies into its own destination with its own workdir. Prints the
# ratios promise-rs/cf-agent (budget: <= 0.5 on both runs). Run it when no
# other job is creating or deleting many files on the same filesystem.
# Usage: [BENCH_TMPDIR=DIR] bench/copy.sh [DIRS] [FILES_PER_DIR]  (the tree goes under DIR, default /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=${1:-100}
files=${2:-100}
command -v cf-agent >/dev/null || { echo "cf-agent not installed (apt-get install cfengine3)" >&2; exit 2; }
cargo build --release --quiet --bin promise-rs
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/promise-rs

work=$(mktemp -d -p "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}")
trap 'rm -rf "$work"' EXIT

python3 - "$work/src" "$dirs" "$files" <<'PY'
import os, sys
root, dirs, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for d in range(dirs):
    path = os.path.join(root, f"dir{d:03}")
    os.makedirs(path)
    for f in range(files):
        with open(os.path.join(path, f"file{f:03}.conf"), "w") as out:
            line = f"# {d}/{f} generated for bench/copy.sh\nkey_{f} = value_{d}_{f}\n"
            out.write(line * 4)
PY

# Each trial copies into a fresh destination (nothing is deleted between
# trials: ext4 searches long for free inodes right after mass deletions,
# which would charge one tool for the other's cleanup). Tools alternate
# which goes first; the fastest of the trials counts.
trials=3
for tool in cf promise; do
  mkdir -p "$work/$tool/work/bin"
  ln -sf "$(command -v cf-promises)" "$work/$tool/work/bin/cf-promises"
  for trial in $(seq "$trials"); do
    cat > "$work/$tool/policy$trial.cf" <<CF
body common control
{
      bundlesequence => { "main" };
}

bundle agent main
{
  files:
      "$work/$tool/dst$trial"
        copy_from => local_tree("$work/src"),
        depth_search => everything;
}

body copy_from local_tree(from)
{
      source => "\$(from)";
}

body depth_search everything
{
      depth => "inf";
}
CF
  done
done

# shellcheck source=bench/timing.sh
. bench/timing.sh

run_tool() { # tool trial
  if [ "$1" = cf ]; then
    CFENGINE_TEST_OVERRIDE_WORKDIR="$work/cf/work" seconds cf-agent -K -f "$work/cf/policy$2.cf"
  else
    seconds "$bin" run -K -f "$work/promise/policy$2.cf" --workdir "$work/promise/work"
  fi
}

min() { printf '%s\n' "$@" | sort -g | head -1; }

declare -A best
for trial in $(seq "$trials"); do
  order="cf promise"
  [ $((trial % 2)) -eq 0 ] && order="promise cf"
  for run in first rerun; do
    for tool in $order; do
      took=$(run_tool "$tool" "$trial")
      best[$tool-$run]=$(min "${best[$tool-$run]:-999}" "$took")
    done
  done
done

printf '%-7s %-6s %12s %12s %7s\n' files run cf-agent promise-rs ratio
for run in first rerun; do
  cf=${best[cf-$run]}
  ours=${best[promise-$run]}
  printf '%-7s %-6s %11.3fs %11.3fs %7.2f\n' "$((dirs * files))" "$run" "$cf" "$ours" "$(echo "$ours / $cf" | bc -l)"
done
copied=$(find "$work/promise/dst1" -type f | wc -l)
[ "$copied" -eq "$((dirs * files))" ] || { echo "promise-rs copied $copied files, expected $((dirs * files))" >&2; exit 1; }
diff -r "$work/src" "$work/promise/dst1" >/dev/null || { echo "promise-rs's copy differs from the source" >&2; exit 1; }
echo "budget: ratio <= 0.50 on both runs (fastest of $trials trials each)"
