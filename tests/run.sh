#!/bin/bash
# Run the whole suite against build dir $1: unit programs, then every
# tests/t/NNNN-*.sh script. A script exits 0 (pass), 77 (skip: says why) or
# anything else (fail). Ends with "N passed, N failed, N skipped".
# TESTS=pattern narrows the scripts run (a glob on the file name).
set -u
O=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export RSTSCOPE="$root/$O/rstscope" O="$root/$O" ROOT="$root"
export SHARED=${SHARED:-$(cd "$root/.." && pwd)/shared}
export LC_ALL=C NO_COLOR=1
pass=0 fail=0 skip=0 failed=()
log=$(mktemp -d /tmp/rstscope-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

run_one() {  # name, command...
	local name=$1 rc t0=$SECONDS; shift
	"$@" >"$log/out" 2>&1; rc=$?
	case $rc in
	0) pass=$((pass + 1)); printf 'ok    %-44s %3ds\n' "$name" $((SECONDS - t0))
	   # a test far slower than it should be says where its time went
	   [ $((SECONDS - t0)) -ge "${SLOW_S:-45}" ] && sed 's/^/    . /' "$log/out" | tail -n 12 ;;
	77) skip=$((skip + 1)); printf 'skip  %-44s (%s)\n' "$name" "$(tail -n 1 "$log/out")" ;;
	*) fail=$((fail + 1)); failed+=("$name"); printf 'FAIL  %-44s rc=%d\n' "$name" $rc
	   sed 's/^/    | /' "$log/out" | tail -n 60 ;;
	esac
}

for u in "$O"/tests/*; do
	[ -x "$u" ] && [ -f "$u" ] || continue
	run_one "unit/$(basename "$u")" "$u"
done
for t in "$here"/t/[0-9]*.sh; do
	n=$(basename "$t")
	[ -n "${TESTS:-}" ] && [[ $n != ${TESTS} ]] && continue
	run_one "$n" bash "$t"
done
echo
[ $fail -gt 0 ] && printf 'failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
echo "$pass $fail $skip" >"$O/run-result"
[ $fail -eq 0 ]
