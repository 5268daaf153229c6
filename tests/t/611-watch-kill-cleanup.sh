#!/bin/bash
# watch killed outright (SIGKILL) leaves its tracefs instance rstscope-<pid>;
# the next watch removes it and says so, and also removes instances whose pid
# now runs another program or an rstscope started after the instance was
# made (a reused pid); it never removes the instance of a live watch, which
# keeps reading events while a second watch starts and stops beside it.
set -u
. "$ROOT/tests/lib/watchlive.sh" ip nsenter python3 jq touch
T=/sys/kernel/tracing/instances
ns=rstscope-w611-$$
tmp=$(mktemp -d /tmp/rstscope-611.XXXXXX)
pids=() made=()
cleanup() {
	local p d
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for d in "${made[@]}"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do sed "s#^#  $(basename "$f")| #" "$f" | tail -8; done; exit 1; }
ip netns add "$ns" || { echo "cannot create a network namespace"; exit 77; }
ip -n "$ns" link set lo up

# start_watch NAME: watch on lo of the namespace, JSON to NAME.out; sets WPID
start_watch() {
	: >"$tmp/$1.err"   # (a name used again: not the last watch's lines)
	nsenter --net=/run/netns/"$ns" "$RSTSCOPE" watch -i lo --json --horizon 1 --summary-every 0 \
		--duration 60 >"$tmp/$1.out" 2>"$tmp/$1.err" &
	WPID=$!
	pids+=("$WPID")
	made+=("$T/rstscope-$WPID")
	local i
	for i in $(seq 100); do grep -q "watching:" "$tmp/$1.err" && break; sleep 0.1; done
	grep -q "kernel events from tracefs instance '$T/rstscope-$WPID'" "$tmp/$1.err" ||
		fail "$1 did not start with its instance"
	[ -d "$T/rstscope-$WPID" ] || fail "$1: no instance rstscope-$WPID"
}
# provoke NAME: a refused connection in the namespace; NAME's watch must
# show the kernel's NO_SOCKET reset with its ports within 10 s (three tries:
# a busy host's ring buffer can drop an event; after three, a join the
# instance itself calls unsure, for events it lost near the reset, will do)
provoke() {
	local line sport dport i try unsure=0
	for try in 1 2 3; do
		line=$(ip netns exec "$ns" python3 "$ROOT/tests/helpers/watch_provoke.py" noport) ||
			fail "provoking failed"
		sport=$(jq -r .sport <<<"$line") dport=$(jq -r .dport <<<"$line")
		for i in $(seq 100); do
			jq -e "select(.type==\"rst\" and .sport==$sport and .dport==$dport and .kernel_reason==\"NO_SOCKET\")" \
				"$tmp/$1.out" >/dev/null 2>&1 && return 0
			sleep 0.1
		done
		echo "$1: try $try: no kernel-joined reset for $sport>$dport: $(jq -c "select(.type==\"rst\" and .sport==$sport and .dport==$dport) | [.kernel_reason, .kernel_match]" "$tmp/$1.out" 2>/dev/null)"
		jq -e "select(.type==\"rst\" and .sport==$sport and .dport==$dport and .kernel_match==\"unsure\")" \
			"$tmp/$1.out" >/dev/null 2>&1 && unsure=$((unsure + 1))
	done
	[ $unsure -eq 3 ] && { echo "$1: the instance lost events near each reset (a busy host); going on"; return 0; }
	fail "$1 did not report the refused connection's reset with the kernel's reason"
}

# 1. a watch killed outright leaves its instance behind
start_watch a
a=$WPID
provoke a
kill -KILL "$a"; wait "$a" 2>/dev/null
[ -d "$T/rstscope-$a" ] || fail "the killed watch left no instance (the test proves nothing)"

# 2. instances whose pid was reused: by another program (a sleep started
# before the instance), and by an rstscope started after the instance was
# made (its mtime set an hour back)
sleep 120 & other=$!; pids+=("$other")
mkdir "$T/rstscope-$other" || fail "cannot make an instance"
made+=("$T/rstscope-$other")
"$RSTSCOPE" proxy --listen 127.0.0.1:0 --upstream 127.0.0.1:9 2>"$tmp/proxy.err" & later=$!; pids+=("$later")
sleep 0.3
kill -0 "$later" 2>/dev/null || fail "the stand-in rstscope did not start"
mkdir "$T/rstscope-$later" || fail "cannot make an instance"
made+=("$T/rstscope-$later")
touch -m -d '1 hour ago' "$T/rstscope-$later" || fail "cannot date the instance"

# 3. the next watch cleans all three and says so; its own instance works
start_watch b
b=$WPID
for p in "$a" "$other" "$later"; do
	grep -q "removed the tracefs instance '$T/rstscope-$p' of a dead rstscope (pid $p)" "$tmp/b.err" ||
		fail "the new watch did not say it removed rstscope-$p"
	[ -d "$T/rstscope-$p" ] && fail "rstscope-$p left after the new watch started"
done
provoke b

# 4. a second live watch removes nothing of the first; the first goes on
start_watch c
c=$WPID
grep -q "'$T/rstscope-$b'" "$tmp/c.err" && fail "the second watch touched the live watch's instance"
[ -d "$T/rstscope-$b" ] || fail "the live watch's instance rstscope-$b is gone"
provoke b
provoke c
kill -TERM "$c"; wait "$c"
[ -d "$T/rstscope-$c" ] && fail "rstscope-$c left after SIGTERM"
provoke b
kill -TERM "$b"; wait "$b"
[ -d "$T/rstscope-$b" ] && fail "rstscope-$b left after SIGTERM"
echo "ok: killed watch $a, reused pids $other (sleep) and $later (a later rstscope) cleaned; live watch $b kept"
exit 0
