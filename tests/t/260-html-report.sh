#!/bin/bash
# analyze --html in a real browser: headless Chromium loads the page made of
# every corpus capture at once and one more on stdin, of a drawn synthetic
# capture (about 50 k RSTs; HTML_BIG_PACKETS=700000 draws about 100 k; small
# under ASan), and of two correlated captures, and
# tests/lib/html_check.py checks the DOM it dumped against analyze --json
# on the same files (a time series and a cause bar per cause, gap bars,
# timeout marks, table rows up to a page, the chosen flow's ladder, which
# for a drawn RST of the synthetic capture holds only frames that
# analyze --explain draws for it) and that the page loads nothing from
# elsewhere. Prints the large page's size and open time.
# HTML_SEED=N repeats a seed.
set -u -o pipefail
command -v chromium >/dev/null || { echo "chromium is not installed (scripts/deps.sh installs it)"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-html.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
check="$ROOT/tests/lib/html_check.py"
seed=${HTML_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed"

# load PAGE [#HASH] > DOM: wall ms on stderr
load() {
	local prof="$tmp/profile" t0 t1 rc
	rm -rf "$prof"
	t0=$(date +%s%N)
	timeout -k 5 90 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$prof" \
		--no-first-run --virtual-time-budget=20000 --dump-dom "file://$1${2:-}" 2>"$tmp/chromium.err"
	rc=$?
	t1=$(date +%s%N)
	rm -rf "$prof"
	echo "$(((t1 - t0) / 1000000))" >"$tmp/wall"
	[ $rc = 0 ] || { echo "chromium exit $rc:"; tail -5 "$tmp/chromium.err"; }
	return $rc
}

# one report: name, then analyze's files ('-': the file $stdin)
report() {
	local name=$1 rc
	shift
	"$RSTSCOPE" analyze -q --html "$tmp/$name.html" "$@" <"${stdin:-/dev/null}" >"$tmp/$name.txt" \
		2>"$tmp/$name.err"; rc=$?
	case $rc in 0|1|3) ;; *) bad "$name: analyze --html exit $rc"; cat "$tmp/$name.err"; return 1 ;; esac
	"$RSTSCOPE" analyze --json "$@" <"${stdin:-/dev/null}" >"$tmp/$name.jsonl" 2>/dev/null
	[ -s "$tmp/$name.html" ] || { bad "$name: no page"; return 1; }
}

files=("$SHARED"/corpus/*/*.pcap*)
[ -e "${files[0]}" ] || { echo "no corpus in $SHARED/corpus"; exit 77; }
small="$SHARED/corpus/suricata-verify/bug-5437-02.pcap"
# stdin last: spooled, so its ladders are there too
stdin=$small report corpus "${files[@]}" - &&
	{ load "$tmp/corpus.html" >"$tmp/corpus.dom" || bad "corpus: chromium"; } &&
	{ python3 "$check" "$tmp/corpus.html" "$tmp/corpus.dom" "$tmp/corpus.jsonl" | tail -3 || bad "corpus page"; }
grep -q 'no packet ladders' "$tmp/corpus.dom" && bad "corpus: a capture without ladders"

# the drawn capture: ~100 k RSTs plain, a few hundred under ASan
if [ -n "${RSTSCOPE_ASAN:-}" ]; then pk=8000 fl=100; else pk=${HTML_BIG_PACKETS:-350000} fl=2000; fi
python3 "$SHARED/tools/gen_pcap.py" --out "$tmp/big.pcap" --packets $pk --flows $fl --rst-frac 1.0 \
	--rounds 1 --think-ms 50 --snaplen 128 --udp-frac 0 --arp-frac 0 --seed "$seed" 2>"$tmp/gen.err" ||
	{ bad "gen_pcap"; cat "$tmp/gen.err"; }
t0=$(date +%s%N)
report big "$tmp/big.pcap"
echo "analyze --html on $pk frames: $((($(date +%s%N) - t0) / 1000000)) ms"
# a drawn RST that its flow's ladder holds, picked through the URL
pick=$(python3 - "$tmp/big.html" "$seed" <<'EOF'
import json, random, re, sys
s = open(sys.argv[1], encoding="latin-1").read()
d = json.loads(re.search(r'id="rstscope-data">(.*?)</script>', s, re.S).group(1))
c = d["captures"][0]
# a later RST of a flow past its ladder's window is in no ladder to mark
rows = [r for r in c["rows"] if r[15] >= 0 and r[0] in [p[1] for p in c["ladders"][r[15]]["pk"]]]
print(random.Random(int(sys.argv[2])).choice(rows)[0] if rows else "")
EOF
)
if [ -z "$pick" ]; then
	bad "big: no RST with a ladder"
else
	"$RSTSCOPE" analyze -q --explain "$pick" "$tmp/big.pcap" >"$tmp/explain.txt" 2>/dev/null
	load "$tmp/big.html" "#cap=0&frame=$pick" >"$tmp/big.dom" || bad "big: chromium"
	out=$(python3 "$check" --pick "0:$pick" --explain "$tmp/explain.txt" "$tmp/big.html" "$tmp/big.dom" \
		"$tmp/big.jsonl") || bad "big page"
	echo "$out" | tail -3
	ready=$(echo "$out" | sed -n 's/^ready-ms //p')
	echo "big page: $(stat -c %s "$tmp/big.html") bytes, $(grep -c '"type":"rst"' "$tmp/big.jsonl") RSTs," \
		"drawn $ready ms after navigation start, chromium --dump-dom $(cat "$tmp/wall") ms wall"
	# about a second on a quiet machine; the bound leaves room for a loaded one
	[ -z "${RSTSCOPE_ASAN:-}" ] && [ "${ready%.*}" -gt 8000 ] 2>/dev/null && bad "big page took $ready ms to draw"
fi

# two captures of the same traffic, correlated
if python3 "$ROOT/tests/helpers/corr_pcap.py" --seed "$seed" --case mixed --out "$tmp" 2>/dev/null; then
	"$RSTSCOPE" analyze -q --correlate --html "$tmp/corr.html" "$tmp/a.pcap" "$tmp/b.pcap" >/dev/null 2>&1
	"$RSTSCOPE" analyze --json --correlate "$tmp/a.pcap" "$tmp/b.pcap" >"$tmp/corr.jsonl" 2>/dev/null
	load "$tmp/corr.html" >"$tmp/corr.dom" || bad "corr: chromium"
	python3 "$check" "$tmp/corr.html" "$tmp/corr.dom" "$tmp/corr.jsonl" | tail -3 || bad "correlated page"
	grep -q 'The captures were correlated' "$tmp/corr.dom" || bad "corr: no correlation header"
	grep -q '^seen     in ' <(sed 's/<[^>]*>/\n/g' "$tmp/corr.dom") || bad "corr: the chosen RST says not where it was seen"
else
	bad "corr_pcap.py"
fi

# an output that cannot be written: runtime failure, nothing left behind
"$RSTSCOPE" analyze -q --html "$tmp/no/such/dir/r.html" "$small" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 4 ] || bad "unwritable --html: exit $rc, want 4"
grep -q "r.html" "$tmp/err" || bad "unwritable --html: no message naming it"
exit $fail
