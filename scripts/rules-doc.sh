#!/bin/sh
# Rewrite docs/output.md's copy of the cause rule table from `rstscope rules`
# (tests/t/215-rules-doc.sh checks that they agree).
# usage: scripts/rules-doc.sh [RSTSCOPE]   (default: build/rstscope)
set -eu
bin=${1:-build/rstscope}
doc=docs/output.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.rules"' EXIT
"$bin" rules >"$tmp.rules"
awk -v rules="$tmp.rules" '
	/^<!-- rules:begin/ { print; while ((getline l < rules) > 0) print l; skip = 1; next }
	/^<!-- rules:end/ { skip = 0 }
	!skip { print }' "$doc" >"$tmp"
cat "$tmp" >"$doc"
