#!/bin/bash
# analyze --html on a capture that attacks the page (tests/helpers/
# html_hostile.py: "</script><img src=x onerror=alert(1)>" in the HTTP
# path, the Host and the RST's data) and whose own name is markup: the page
# holds only its own two scripts and no <img>, the strings survive as
# data; in Chromium (when installed) they are text, no element, and the
# page's script ran under its CSP. And the REPORT names refused before
# reading: '-', one of the captures, an existing capture.
set -u
tmp=$(mktemp -d /tmp/rstscope-html-hostile.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
cap="$tmp/<b>x\"'&amp.pcap"
python3 "$ROOT/tests/helpers/html_hostile.py" "$cap" || { echo "FAIL: html_hostile.py"; exit 1; }
"$RSTSCOPE" analyze -q --html "$tmp/r.html" "$cap" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] || { bad "exit $rc, want 1"; cat "$tmp/err"; }
page="$tmp/r.html"
[ "$(grep -o '<script' "$page" | wc -l)" = 2 ] || bad "$(grep -o '<script' "$page" | wc -l) <script in the page, want 2"
[ "$(grep -o '</script' "$page" | wc -l)" = 2 ] || bad "$(grep -o '</script' "$page" | wc -l) </script in the page, want 2"
grep -qi '<img\|<b>' "$page" && bad "markup from the capture in the page: $(grep -oi '<img[^>]*\|<b>' "$page" | head -3)"
# the strings are kept, as data: the request line in the ladder, the RST's data, the file name
python3 - "$page" "$cap" <<'PY' || bad "the hostile strings are not in the page's data"
import json, re, sys
s = open(sys.argv[1], encoding="latin-1").read()
d = json.loads(re.search(r'id="rstscope-data">(.*?)</script>', s, re.S).group(1))
c = d["captures"][0]
evil = "</script><img src=x onerror=alert(1)>"
texts = [p[9] for l in c["ladders"] for p in l["pk"]]
assert c["file"] == sys.argv[2], c["file"]
assert any(t.startswith("GET /" + evil) for t in texts), texts
assert any(e[2] == evil for e in c["evidence"]), c["evidence"]
PY
if command -v chromium >/dev/null; then
	prof="$tmp/profile"
	timeout -k 5 60 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$prof" \
		--no-first-run --dump-dom "file://$page" >"$tmp/dom" 2>/dev/null || bad "chromium failed"
	rm -rf "$prof"
	grep -q 'data-ready-ms=' "$tmp/dom" || bad "the page's script did not run"
	grep -qi '<img' "$tmp/dom" && bad "an <img> element in the DOM"
	grep -q 'GET /&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;' "$tmp/dom" ||
		bad "the request line is not drawn as text"
	grep -q '&lt;b&gt;x"'"'"'&amp;amp.pcap' "$tmp/dom" || bad "the file name is not drawn as text"
else
	echo "chromium is not installed: the DOM is not checked"
fi
cp "$cap" "$tmp/c.pcap"
for out in - "$tmp/c.pcap"; do
	"$RSTSCOPE" analyze -q --html "$out" "$tmp/c.pcap" >/dev/null 2>&1; rc=$?
	[ $rc = 2 ] || bad "--html '$out' with c.pcap: exit $rc, want 2"
done
"$RSTSCOPE" analyze -q --html "$tmp/c.pcap" "$cap" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] || bad "--html over an existing capture: exit $rc, want 2"
cmp -s "$cap" "$tmp/c.pcap" || bad "--html overwrote a capture"
grep -q "is a capture" "$tmp/err" || bad "no message for --html over a capture"
exit $fail
