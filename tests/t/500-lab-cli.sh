#!/bin/bash
# rstscope lab: refuses without root, finds its scripts, rejects bad usage,
# lists every scenario with its cause.
. "$ROOT/tests/lab/common.sh"
fail=0
t() { echo "not ok: $*"; fail=1; }

[ "$(id -u)" = 0 ] || lab_skip "needs root to drop to an unprivileged user"
[ -x "${RSTSCOPE:-}" ] || lab_skip "no rstscope binary (RSTSCOPE)"
tmp=$(mktemp -d /tmp/rstscope-labcli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# without root: a clear refusal, exit 4, nothing run
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$RSTSCOPE"; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$RSTSCOPE" lab run refused >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 4 ] || t "non-root exit $rc, want 4"
	grep -q "needs root" "$tmp/out" || t "non-root message: $(cat "$tmp/out")"
	[ -z "$(lab_leftovers)" ] || t "non-root run left something"
	# help needs no root
	setpriv --reuid=65534 --regid=65534 --clear-groups "$RSTSCOPE" lab --help >"$tmp/out" 2>&1 ||
		t "lab --help as non-root failed"
	grep -q 'rstscope lab run' "$tmp/out" || t "help text missing usage"
else
	echo "(the binary is not executable by an unprivileged user: non-root check not run)"
fi

# list: every scenario file, each with a cause id the engine knows
"$RSTSCOPE" lab list >"$tmp/list" 2>&1 || t "lab list failed: $(cat "$tmp/list")"
for f in "$ROOT"/lab/scenarios/*.sh; do
	n=$(basename "$f" .sh)
	grep -q "^$n " "$tmp/list" || t "lab list lacks '$n'"
done
awk 'NR > 1 { print $2 }' "$tmp/list" | while read -r c; do
	case $c in idle-reap|peer-restart|unread-close|middlebox|overload|refused|size-limit|tls|deliberate-abort|loss-mtu|none) ;;
	*) echo "not ok: unknown cause id '$c' in lab list"; exit 1 ;; esac
done || fail=1
[ "$(awk 'NR > 1' "$tmp/list" | wc -l)" -ge 19 ] || t "fewer than 19 scenarios"

# bad usage: exit 2, a message naming the problem
"$RSTSCOPE" lab run no-such-scenario >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] || t "unknown scenario exit $rc, want 2"
grep -q "unknown scenario 'no-such-scenario'" "$tmp/out" || t "unknown scenario message: $(cat "$tmp/out")"
"$RSTSCOPE" lab run refused --seed abc >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] || t "bad seed exit $rc, want 2"
"$RSTSCOPE" lab run refused --seeds 5-3 >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] || t "bad seeds exit $rc, want 2"
"$RSTSCOPE" lab run refused --seed 1 --seeds 2,3 >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] || t "--seed with --seeds exit $rc, want 2"
"$RSTSCOPE" lab run >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] || t "run without a name exit $rc, want 2"
"$RSTSCOPE" lab frobnicate >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] || t "unknown lab command exit $rc, want 2"

# a seed repeats every draw (network, stacks, parameters); --seeds gives a
# table with a column per seed and results.tsv
if ip netns add rstlab-probe-$$ 2>/dev/null; then
	ip netns del rstlab-probe-$$
	"$RSTSCOPE" lab run refused --seeds 7,8 --out "$tmp/s" >"$tmp/s.out" 2>"$tmp/s.err"; rc=$?
	[ $rc -eq 0 ] || t "lab run refused --seeds 7,8 exit $rc: $(tail -n 5 "$tmp/s.err")"
	grep -Eq '^refused +ok +ok +2/2 100%$' "$tmp/s.out" || t "no table row for refused: $(cat "$tmp/s.out")"
	[ "$(awk -F'\t' 'NR > 1 && $1 == "refused" && $3 == "ok"' "$tmp/s/results.tsv" | wc -l)" -eq 2 ] ||
		t "results.tsv: $(cat "$tmp/s/results.tsv")"
	grep -q '^TOPO=box' "$tmp/s/seed-7/refused/params.txt" || t "no TOPO in params.txt"
	"$RSTSCOPE" lab run refused --seed 7 --out "$tmp/r" >/dev/null 2>"$tmp/r.err" || t "lab run refused --seed 7 failed"
	diff <(grep -v '^runtime=' "$tmp/s/seed-7/refused/params.txt") <(grep -v '^runtime=' "$tmp/r/params.txt") \
		>"$tmp/d" || t "seed 7 drew differently twice: $(cat "$tmp/d")"
	lab_assert_clean "lab run --seeds" || fail=1
fi

# the lab dir: RSTSCOPE_LAB_DIR wins, a wrong one is an error
RSTSCOPE_LAB_DIR=$tmp/nowhere "$RSTSCOPE" lab list >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 4 ] || t "bad RSTSCOPE_LAB_DIR exit $rc, want 4"
grep -q "no lab.sh in '$tmp/nowhere'" "$tmp/out" || t "bad lab dir message: $(cat "$tmp/out")"
RSTSCOPE_LAB_DIR=$ROOT/lab "$RSTSCOPE" lab list >/dev/null 2>&1 || t "RSTSCOPE_LAB_DIR=$ROOT/lab failed"
# an installed layout: <prefix>/bin/rstscope finds <prefix>/share/rstscope/lab
mkdir -p "$tmp/p/bin" "$tmp/p/share/rstscope"
cp "$RSTSCOPE" "$tmp/p/bin/rstscope"
cp -r "$ROOT/lab" "$tmp/p/share/rstscope/lab"
"$tmp/p/bin/rstscope" lab list >"$tmp/out" 2>&1 || t "installed layout: $(cat "$tmp/out")"
grep -q '^refused ' "$tmp/out" || t "installed layout lists no scenarios"
exit $fail
