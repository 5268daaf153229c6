#!/bin/bash
# lab killed outright: SIGKILL to the whole process group of `rstscope lab
# run` at a drawn moment of a scenario that lowers a host-wide sysctl leaves
# namespaces, tracefs instances, state and the lowered sysctl behind; the
# next `rstscope lab run` removes all of it and says what, kills only the
# processes it recorded that are still the same processes (a recorded PID
# now held by another process survives), and `rstscope lab cleanup` beside
# a live run leaves that run alone.
. "$ROOT/tests/lab/common.sh"
lab_require
[ -n "${RSTSCOPE_ASAN:-}" ] && lab_skip "kill and cleanup are shell work: not repeated in the sanitizer pass"
command -v setsid >/dev/null || lab_skip "no setsid"
SYSCTLS=(net.netfilter.nf_conntrack_max net.ipv4.tcp_max_orphans)
before=$(sysctl -n "${SYSCTLS[@]}" 2>/dev/null | tr '\n' ' ')
tmp=$(mktemp -d /tmp/rstscope-lab502.XXXXXX)
bystander= fake= live=
cleanup() {
	[ -n "$live" ] && kill -TERM "$live" 2>/dev/null && wait "$live" 2>/dev/null
	[ -n "$bystander" ] && kill "$bystander" 2>/dev/null
	[ -n "$fake" ] && { rm -rf "/run/rstlab/$fake"; ip netns del "rstlab-$fake-c" 2>/dev/null; }
	"$RSTSCOPE" lab cleanup >/dev/null 2>&1
	# whatever happened, the host's sysctls as they were
	local k v i=0
	for v in $before; do k=${SYSCTLS[i]}; i=$((i + 1)); sysctl -q -w "$k=$v" >/dev/null 2>&1; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
no() { echo "not ok: $*"; fail=1; }

lab_assert_clean "before the test" || { echo "(run 'rstscope lab cleanup' first)"; exit 1; }
seed=${LAB_SEED:-$(( $(od -An -N2 -tu2 /dev/urandom) % 32768 ))}
echo "seed $seed (LAB_SEED=$seed repeats it)"
RANDOM=$seed
scen=$( (( RANDOM % 2 )) && echo host-orphans || echo host-conntrack-full)
phase=$((RANDOM % 3))   # 0: topology up, 1: sysctl just lowered, 2: a while after
delay=0.$((RANDOM % 10))
echo "scenario $scen, killed in phase $phase after ${delay}s more"

# 1. the lab in a process group of its own, killed whole at the drawn moment
setsid "$RSTSCOPE" lab run "$scen" --seed "$seed" --out "$tmp/a" >/dev/null 2>"$tmp/a.err" &
lab=$!
ok=
for ((i = 0; i < 300; i++)); do
	case $phase in
	0) ip netns list 2>/dev/null | grep -q '^rstlab-.*-s' && ok=1 ;;
	*) [ "$(sysctl -n "${SYSCTLS[@]}" 2>/dev/null | tr '\n' ' ')" != "$before" ] && ok=1 ;;
	esac
	[ -n "$ok" ] && break
	kill -0 "$lab" 2>/dev/null || break
	sleep 0.1
done
[ -n "$ok" ] || { no "the scenario never reached phase $phase"; tail -n 20 "$tmp/a.err"; exit 1; }
[ $phase = 2 ] && sleep 1
sleep "$delay"
run=$(ls /run/rstlab | head -n 1)
cp "/run/rstlab/$run/pids" "$tmp/a.pids" 2>/dev/null
pgid=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[3] }' "/proc/$lab/stat")
kill -KILL -- "-$pgid"
wait "$lab" 2>/dev/null
sleep 0.3
left=$(lab_leftovers)
[ -n "$left" ] || no "the killed run left nothing behind (the test proves nothing)"
echo "$left" | sed 's/^/  left: /'
lowered=$(sysctl -n "${SYSCTLS[@]}" | tr '\n' ' ')
echo "sysctls before $before, after the kill $lowered"
[ $phase = 0 ] || [ "$lowered" != "$before" ] || no "the sysctl was not left lowered (the test proves nothing)"

# 2. a dead run's record whose PID is another process's now: a process
# recorded with another start time, and one in the old format (no start
# time); the run's namespace has no process
sleep 120 & bystander=$!
true & fake=$!; wait "$fake"
mkdir -p "/run/rstlab/$fake"
echo "$fake 1" >"/run/rstlab/$fake/owner"
st=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[20] }' "/proc/$bystander/stat")
printf '%s %s\n%s\n' "$bystander" "$((st + 1))" "$bystander" >"/run/rstlab/$fake/pids"
ip netns add "rstlab-$fake-c"

# 3. the next lab run cleans both and says what it did
"$RSTSCOPE" lab run refused --seed "$seed" --out "$tmp/b" >/dev/null 2>"$tmp/b.err" &
live=$!
for ((i = 0; i < 150; i++)); do
	ip netns list 2>/dev/null | grep -q "^rstlab-[0-9]*-c" &&
		! ip netns list 2>/dev/null | grep -qE "^rstlab-($run|$fake)-" && break
	sleep 0.1
done
grep "cleanup of run" "$tmp/b.err" | sed 's/^/  said: /'
grep -q "cleanup of run $run: removed namespace rstlab-$run-" "$tmp/b.err" || no "the next run did not say it removed run $run's namespaces"
grep -q "cleanup of run $fake: removed namespace rstlab-$fake-c" "$tmp/b.err" || no "the next run did not say it removed rstlab-$fake-c"
if [ "$lowered" != "$before" ]; then
	grep -q "cleanup of run $run: restored sysctl net\.[a-z0-9_.]* to [0-9]* (was [0-9]*)" "$tmp/b.err" ||
		no "the next run did not say it restored the sysctl"
fi
kill -0 "$bystander" 2>/dev/null || no "the cleanup killed pid $bystander, recorded by a dead run but another process now"
grep -q "killed pid $bystander" "$tmp/b.err" && no "the cleanup says it killed $bystander"
while read -r p t; do
	[ -n "$t" ] && [ "$t" != - ] || continue
	# (a zombie is dead: it waits only for its new parent to reap it)
	s=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); if (f[1] != "Z") print f[20] }' "/proc/$p/stat" 2>/dev/null)
	[ "$s" = "$t" ] && no "recorded pid $p of the killed run still runs"
done <"$tmp/a.pids"
[ "$(sysctl -n "${SYSCTLS[@]}" | tr '\n' ' ')" = "$before" ] || no "sysctls not restored: $(sysctl -n "${SYSCTLS[@]}" | tr '\n' ' '), want $before"

# 4. lab cleanup beside the live run leaves it alone
brun=$(ip netns list 2>/dev/null | sed -n 's/^rstlab-\([0-9]*\)-c.*/\1/p' | head -n 1)
if [ -n "$brun" ] && kill -0 "$live" 2>/dev/null; then
	"$RSTSCOPE" lab cleanup >"$tmp/c.out" 2>&1 || no "lab cleanup failed"
	grep -q "left 1 live run(s) alone" "$tmp/c.out" || no "lab cleanup did not say it left the live run alone"
	grep -q "cleanup of run $brun" "$tmp/c.out" && no "lab cleanup touched the live run $brun"
else
	echo "(the second run ended before lab cleanup could run beside it)"
fi
wait "$live"; rc=$?
live=
[ $rc = 0 ] || { no "the run beside lab cleanup: exit $rc"; tail -n 15 "$tmp/b.err"; }
rm -rf "/run/rstlab/$fake"; fake=
lab_assert_clean "the next run" || fail=1
kill "$bystander"; bystander=
exit $fail
