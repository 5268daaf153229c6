#!/bin/bash
# docs/output.md's copy of the cause rule table is the one `rstscope rules`
# prints from the code, every rule listed once and in order.
set -u
doc="$ROOT/docs/output.md"
tmp=$(mktemp -d /tmp/rstscope-rules.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$RSTSCOPE" rules >"$tmp/rules.md" || { echo "rstscope rules failed"; exit 1; }
sed -n '/^<!-- rules:begin/,/^<!-- rules:end/p' "$doc" | sed '1d;$d' >"$tmp/doc.md"
if ! diff -u "$tmp/doc.md" "$tmp/rules.md"; then
	echo "docs/output.md's rule table differs from 'rstscope rules' (above); regenerate it: scripts/rules-doc.sh"
	exit 1
fi
n=$(grep -c '^| [0-9]* | `' "$tmp/rules.md")
[ "$n" -ge 20 ] || { echo "only $n rules listed"; exit 1; }
# every rule id once
dups=$(grep -o '^| [0-9]* | `[a-z-]*`' "$tmp/rules.md" | awk '{print $4}' | sort | uniq -d)
[ -z "$dups" ] || { echo "rules listed twice: $dups"; exit 1; }
"$RSTSCOPE" rules extra >/dev/null 2>&1 && { echo "rstscope rules accepted an argument"; exit 1; }
echo "rules table: $n rules, docs agree"
