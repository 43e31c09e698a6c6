#!/bin/sh
# oracle.sh — run one differential policy through cf-agent exactly the way the
# Rust harness does, and print what is compared:
#
#   1. the stdout lines of cf-agent that start with "R: ", in order;
#   2. a line "--- files";
#   3. the file tree left in the scratch directory (without .workdir and the
#      policy file itself), one entry per line, sorted by path:
#         d 0755 sub/dir
#         f 0644 sub/file sha256=<hex> size=<n> [content="<escaped text>"]
#         l 0777 sub/link -> <target>
#      (content is shown for files of at most 256 bytes of printable text.)
#
# Usage: oracle.sh POLICY.cf [FLAG...]
#   Without FLAGs, the flags come from the policy's "# flags:" header line
#   (split on blanks; no quoting).
#
# Procedure (the harness convention, see README.md):
#   S=$(mktemp -d); cp POLICY.cf S/; mkdir -p S/.workdir/bin;
#   ln -s /usr/bin/cf-promises S/.workdir/bin/cf-promises;
#   cp stdlib/*.cf S/.workdir/inputs/lib/   (the project's stdlib = $(sys.libdir));
#   cd S; CFENGINE_TEST_OVERRIDE_WORKDIR=S/.workdir cf-agent -K -f S/NAME.cf FLAGS </dev/null
#
# Environment:
#   ORACLE_LOG=FILE   also save cf-agent's complete stdout+stderr in FILE.
#   ORACLE_KEEP=1     do not delete the scratch directory (its path goes to stderr).
# Diagnostics go to stderr: cf-agent's exit code when non-zero, every line of its
# output containing "error:", and any cf-serverd/cf-execd/cf-monitord that
# appeared during the run (a sign that the policy failed validation and cf-agent
# ran its failsafe policy); such daemons are stopped by PID. Processes left
# running with the scratch directory on their command line are stopped too.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 POLICY.cf [FLAG...]" >&2
    exit 2
fi
policy=$1
shift
if [ ! -f "$policy" ]; then
    echo "oracle: no such file: $policy" >&2
    exit 2
fi
name=$(basename "$policy")

if [ $# -gt 0 ]; then
    flags="$*"
else
    flags=$(sed -n 's/^#[[:space:]]*flags:[[:space:]]*//p' "$policy" | head -n 1)
fi

cf_agent=${CF_AGENT:-/usr/bin/cf-agent}
cf_promises=${CF_PROMISES:-/usr/bin/cf-promises}

daemons() {
    for d in cf-serverd cf-execd cf-monitord; do
        pgrep -x "$d" 2>/dev/null
    done | sort
}

S=$(mktemp -d "${TMPDIR:-/tmp}/cfdiff.XXXXXXXX")
S=$(cd "$S" && pwd -P)
cp "$policy" "$S/$name"
mkdir -p "$S/.workdir/bin" "$S/.workdir/inputs/lib"
ln -s "$cf_promises" "$S/.workdir/bin/cf-promises"
# The project's stdlib is installed where both agents find $(sys.libdir).
cp "$(dirname "$0")/../../stdlib/"*.cf "$S/.workdir/inputs/lib/"

before=$(daemons)
out="$S/.workdir/oracle.out"
# shellcheck disable=SC2086  # flags are split on blanks on purpose
(cd "$S" && CFENGINE_TEST_OVERRIDE_WORKDIR="$S/.workdir" \
    timeout 120 "$cf_agent" -K -f "$S/$name" $flags </dev/null >"$out" 2>&1)
rc=$?

# 1. R: lines
grep -a '^R: ' "$out"

# 2. files
echo "--- files"
(cd "$S" && find . -mindepth 1 \( -path ./.workdir -o -path "./$name" \) -prune -o -print) |
    LC_ALL=C sort | while IFS= read -r p; do
    rel=${p#./}
    f="$S/$rel"
    mode=$(stat -c %a "$f")
    mode=$(printf '%04d' "$mode")
    if [ -L "$f" ]; then
        printf '%s\n' "l $mode $rel -> $(readlink "$f")"
    elif [ -d "$f" ]; then
        printf '%s\n' "d $mode $rel"
    elif [ -f "$f" ]; then
        size=$(stat -c %s "$f")
        sum=$(sha256sum <"$f" | cut -d' ' -f1)
        content=""
        if [ "$size" -le 256 ] && ! LC_ALL=C grep -qa '[^[:print:][:space:]]' "$f"; then
            text=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' "$f" | awk '{ printf "%s%s", $0, "\\n" }')
            if [ "$size" -gt 0 ] && [ -n "$(tail -c 1 "$f")" ]; then
                text=${text%\\n} # no newline at the end of the file
            fi
            content=" content=\"$text\""
        fi
        printf '%s\n' "f $mode $rel sha256=$sum size=$size$content"
    else
        echo "? $mode $rel"
    fi
done

# Diagnostics
if [ "$rc" -ne 0 ]; then
    echo "oracle: cf-agent exited with status $rc" >&2
fi
grep -a 'error:' "$out" | sed 's/^/oracle: cf-agent said: /' >&2
if [ -n "${ORACLE_LOG:-}" ]; then
    cp "$out" "$ORACLE_LOG"
fi

after=$(daemons)
for pid in $after; do
    if ! echo "$before" | grep -qx "$pid"; then
        echo "oracle: stopping $(cat /proc/"$pid"/comm 2>/dev/null) (pid $pid) started by the failsafe policy" >&2
        kill "$pid" 2>/dev/null
    fi
done
for pid in $(pgrep -f "$S/" 2>/dev/null); do
    [ "$pid" = "$$" ] && continue
    echo "oracle: stopping leftover process $pid: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)" >&2
    kill "$pid" 2>/dev/null
done

if [ -n "${ORACLE_KEEP:-}" ]; then
    echo "oracle: kept $S" >&2
else
    rm -rf "$S"
fi
exit 0
