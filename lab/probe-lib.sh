# lab/probe-lib.sh: sourced by the probe-* scenarios. lab_probe runs
# `rstscope probe --json` in the client's namespace (output OUT/probe.json,
# messages OUT/probe.log, exit status OUT/probe-exit.txt); the expectation
# EXPECT_PROBE=TIMEOUT|DEATH|SENDER goes to params.txt for lab_check_probe.

# lab_probe TARGET MAX [probe options]
lab_probe() {
	local target=$1 max=$2 bin p; shift 2
	bin=$(lab_rstscope) && [ -n "$bin" ] || lab_die "no rstscope binary for probe (set RSTSCOPE)"
	# backgrounded and waited for, so a TERM to the scenario acts at once
	ip netns exec "$NS_C" timeout $((${max%.*} * 2 + 20)) "$bin" probe --json --max "$max" "$@" "$target" \
		>"$OUT/probe.json" 2>"$OUT/probe.log" </dev/null &
	p=$!
	lab_record_pid "$p"
	wait "$p"
	echo $? >"$OUT/probe-exit.txt"
	jq -c 'select(.type == "probe")' "$OUT/probe.json" 2>/dev/null | sed 's/^/  probe: /' >&2
}

# lab_probe_max TIMEOUT FACTOR: --max for a drawn timeout (FACTOR: 2.3 for a
# reaper that closes by itself, 3.5 for one that kills at the next send).
lab_probe_max() { awk -v t="$1" -v f="$2" 'BEGIN { printf "%.0f", t * f + 2 }'; }
