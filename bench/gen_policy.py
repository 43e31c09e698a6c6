#!/usr/bin/env python3
"""Writes a large, valid CFEngine policy of about SIZE megabytes to stdout.

Usage: gen_policy.py SIZE_MB
The text mixes the constructs real policy uses: control bodies, vars with
lists and function calls, class guards, files promises with bodies, reports
with interpolation, comments and multi-line strings."""
import sys

TEMPLATE = '''# generated bundle {i}
bundle agent generated_{i}(prefix)
{{
  meta:
      "tags" slist => {{ "autorun", "generated" }};

  vars:
      "files" slist => {{ "/tmp/gen/{i}/a", "/tmp/gen/{i}/b", "/tmp/gen/{i}/c", }};
      "joined" string => join(",", "files");
      "owner[{i}]" string => ifelse(isvariable("prefix"), "$(prefix)", "root");
      "json" data => parsejson('{{ "id": {i}, "name": "gen_{i}" }}');

  classes:
      "have_{i}" expression => fileexists("/tmp/gen/{i}");
      "either_{i}" or => {{ "have_{i}", "linux" }};

  files:
    linux.!windows|(have_{i}&either_{i})::
      "$(files)"
        create => "true",
        perms => mog("0644", "root", "root"),
        edit_line => insert_lines("line {i} for $(this.promiser)"),
        comment => "Generated promise {i}";

  reports:
    have_{i}::
      "bundle {i}: $(joined) owned by $(owner[{i}])";
    "$(prefix)_enabled"::
      "multi-line
report {i}";
}}

body perms mode_{i}(m)
{{
      mode => "$(m)";
      rxdirs => "true";
}}

'''

def main():
    target = float(sys.argv[1]) * 1_000_000 if len(sys.argv) > 1 else 50_000_000
    out = sys.stdout
    out.write('body common control\n{\n      bundlesequence => { "generated_0(x)" };\n}\n\n')
    written, i = 0, 0
    while written < target:
        chunk = TEMPLATE.format(i=i)
        out.write(chunk)
        written += len(chunk)
        i += 1

if __name__ == "__main__":
    main()
