#!/usr/bin/env bash
# Times the function library: a generated policy calls each of the 20
# functions most used in /usr/share/cfengine3/masterfiles N times (default
# 10,000) through implicit iteration, run by `promise-rs run -K` (release
# build) and by `cf-agent -K`, each in a scratch workdir. Prints the usage
# counts, both times and the ratio (budget: ratio <= 0.50).
# Usage: bench/functions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
n=${1:-10000}
masterfiles=/usr/share/cfengine3/masterfiles
command -v cf-agent >/dev/null || { echo "cf-agent not installed (apt-get install cfengine3)" >&2; exit 2; }
[ -d "$masterfiles" ] || { echo "no $masterfiles to count function use in" >&2; exit 2; }
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$root/target}/release/promise-rs

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The 20 most called functions of masterfiles (names from cf-promises'
# syntax description), then one call per function, each varying with $(i).
python3 - "$masterfiles" "$n" "$work/policy.cf" <<'EOF'
import collections, json, pathlib, re, subprocess, sys

masterfiles, n, out = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
syntax = json.loads(subprocess.run(["cf-promises", "--syntax-description", "json"],
                                   capture_output=True, text=True, check=True).stdout)
functions = syntax["functions"]
counts = collections.Counter()
for path in masterfiles.rglob("*.cf"):
    text = path.read_text(errors="replace")
    for m in re.finditer(r"(?<![A-Za-z0-9_$.])([a-z_][a-z0-9_]*)\s*\(", text):
        if m.group(1) in functions:
            counts[m.group(1)] += 1
top = [name for name, _ in counts.most_common(20)]
print("most used:", ", ".join(f"{name} ({counts[name]})" for name in top))

# A call per function; $(i) makes every iteration a different call.
CALLS = {
    "isvariable": 'isvariable("v$(i)")',
    "not": 'not("c$(i)")',
    "fileexists": 'fileexists("/nonexistent/$(i)")',
    "strcmp": 'strcmp("$(i)", "5000")',
    "and": 'and("any", "c$(i)")',
    "ifelse": 'ifelse("c$(i)", "a$(i)", "b$(i)")',
    "canonify": 'canonify("a b/$(i)")',
    "getindices": 'getindices("d")',
    "regcmp": 'regcmp("[0-9]+5", "$(i)")',
    "format": 'format("%s-%05d", "x", "$(i)")',
    "execresult": 'execresult("/bin/echo x", "noshell")',
    "parsejson": "parsejson('{\"k\": \"$(i)\", \"l\": [1, 2]}')",
    "isgreaterthan": 'isgreaterthan("$(i)", "5000")',
    "getvalues": 'getvalues("d")',
    "returnszero": 'returnszero("/bin/true", "noshell")',
    "regex_replace": 'regex_replace("a$(i)b", "[0-9]", "x", "g")',
    "isdir": 'isdir("/nonexistent/$(i)")',
    "filestat": 'filestat("/etc/passwd", "size")',
    "concat": 'concat("a", "$(i)", "b")',
    "length": 'length("d")',
    "escape": 'escape("a.b$(i)")',
    "mergedata": 'mergedata("d", \'{"k": "$(i)"}\')',
    "translatepath": 'translatepath("/a/$(i)")',
    "grep": 'grep("a.*", "l")',
    "classesmatching": 'classesmatching("c$(i)")',
}
vars_lines, class_lines, report_lines = [], [], []
for k, name in enumerate(top):
    call = CALLS.get(name)
    if call is None:
        sys.exit(f"bench/functions.sh: no benchmark call written for '{name}'")
    kind = functions[name]["returnType"]
    if kind == "context":
        class_lines.append(f'      "f{k}_$(i)" expression => {call};')
        report_lines.append(f'      "{name}: $(with) classes" with => countclassesmatching("f{k}_[0-9]+");')
    else:
        declared = {"string": "string", "int": "int", "real": "real",
                    "data": "data"}.get(kind, "slist")
        # cf-agent refuses a container in an array entry: one name each.
        if kind == "data":
            vars_lines.append(f'      "f{k}_$(i)" data => {call};')
            counted = f'variablesmatching("default:bench\\.f{k}_[0-9]+")'
        else:
            vars_lines.append(f'      "f{k}[$(i)]" {declared} => {call};')
            counted = f'getindices("f{k}")'
        report_lines.append(f'      "{name}: $(with) values" with => length({counted});')
policy = f'''body common control
{{
      bundlesequence => {{ "bench" }};
}}

bundle agent bench
{{
  vars:
      "i" slist => expandrange("[1-{n}]", "1");
      "d" data => parsejson('{{"a": 1, "b": [2, 3], "c": "x"}}');
      "l" slist => {{ "a", "b", "ab" }};
{chr(10).join(vars_lines)}

  classes:
{chr(10).join(class_lines)}

  reports:
{chr(10).join(report_lines)}
}}
'''
pathlib.Path(out).write_text(policy)
EOF

# Runs "$@" with its R: lines saved in $out; prints the seconds it took.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" 2>/dev/null | grep '^R: ' > "$out" || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

for side in cf rs; do
  mkdir -p "$work/$side/.workdir/bin"
  ln -s "$(command -v cf-promises)" "$work/$side/.workdir/bin/cf-promises"
  cp "$work/policy.cf" "$work/$side/policy.cf"
done
cf=$(cd "$work/cf" && out="$work/cf.out" CFENGINE_TEST_OVERRIDE_WORKDIR="$work/cf/.workdir" seconds cf-agent -K -f "$work/cf/policy.cf")
ours=$(cd "$work/rs" && out="$work/rs.out" seconds "$bin" run -K -f "$work/rs/policy.cf" --workdir "$work/rs/.workdir")
# The counts of values and classes each side made must agree, or the
# times compare different work.
if ! diff "$work/cf.out" "$work/rs.out" >"$work/diff"; then
  echo "warning: the two agents did not do the same work:" >&2
  cat "$work/diff" >&2
fi
printf '%-10s %12s %12s %7s\n' calls cf-agent promise-rs ratio
printf '%-10s %11.3fs %11.3fs %7.2f\n' "20x$n" "$cf" "$ours" "$(echo "$ours / $cf" | bc -l)"
echo "budget: ratio <= 0.50"
