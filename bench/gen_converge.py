#!/usr/bin/env python3
"""Writes a policy of N promises for bench/converge.sh to stdout.

Usage: gen_converge.py N DIR [files|plain]
files: N files promises under DIR, each creating a file, setting its mode
and inserting one line (the shape the runtime issue budgets).
plain: the same number of promises made of vars, classes and reports only,
for timing the evaluator before files promises exist. Both are
self-contained (every body and bundle is defined here)."""
import sys

HEADER = '''body common control
{
      bundlesequence => { "main" };
}

body perms bench_mode(m)
{
      mode => "$(m)";
}

bundle edit_line bench_line(text)
{
  insert_lines:
      "$(text)";
}

bundle agent main
{
'''


def files(n, root):
    out = [HEADER, "  files:\n"]
    for i in range(n):
        out.append(f'''      "{root}/f{i}"
        create => "true",
        perms => bench_mode("0640"),
        edit_line => bench_line("line {i}");
''')
    out.append("}\n")
    return "".join(out)


def plain(n, root):
    # A third each of vars, classes and reports keeps the promise count at n.
    third = max(n // 3, 1)
    out = [HEADER, "  vars:\n"]
    for i in range(third):
        out.append(f'      "v{i}" string => "{root}/f{i}";\n')
    out.append("  classes:\n")
    for i in range(third):
        out.append(f'      "c{i}" expression => "any";\n')
    out.append("  reports:\n")
    for i in range(n - 2 * third):
        out.append(f'    c{i % third}::\n      "$(v{i % third}) {i}";\n')
    out.append("}\n")
    return "".join(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    n, root = int(sys.argv[1]), sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) > 3 else "files"
    sys.stdout.write(files(n, root) if kind == "files" else plain(n, root))


main()
