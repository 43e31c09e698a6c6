#!/bin/sh
# regen_expected.sh — run every agent/*.cf (or the files given) through
# oracle.sh twice, fail loudly if the two runs differ (R: lines or files left
# behind), and write the R: lines of cf-agent to agent/<name>.expected.
#
# Usage: tests/differential/regen_expected.sh [POLICY.cf...]
# The .expected files document cf-agent's answer on the host that made them;
# the Rust harness always compares against a live cf-agent run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
    set -- "$here"/agent/*.cf
fi
tmp=$(mktemp -d)
status=0
for f in "$@"; do
    name=$(basename "$f" .cf)
    "$here/oracle.sh" "$f" >"$tmp/1" 2>"$tmp/e1"
    "$here/oracle.sh" "$f" >"$tmp/2" 2>"$tmp/e2"
    if ! cmp -s "$tmp/1" "$tmp/2"; then
        echo "UNSTABLE: $name" >&2
        diff "$tmp/1" "$tmp/2" >&2
        status=1
        continue
    fi
    if grep -q 'failsafe\|exited with status' "$tmp/e1"; then
        echo "SUSPICIOUS: $name" >&2
        cat "$tmp/e1" >&2
        status=1
    fi
    sed -n '/^--- files$/q;p' "$tmp/1" >"$(dirname "$f")/$name.expected"
    echo "ok: $name"
done
rm -rf "$tmp"
exit $status
