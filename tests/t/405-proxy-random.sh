#!/bin/bash
# proxy --reset-probability: 1 resets every connection, 0 none; a seed
# gives the same choices every run (and the documented splitmix64 draws);
# the seed of an unseeded run is logged and reproduces it; --reset-delay
# lets data through first.
. "$ROOT/tests/helpers/proxy_lib.sh"

up_start echo
UP=127.0.0.1:$UP_PORT
pattern() {  # name, proxy options... -> PAT: the conns words for 12 connections
	local name=$1; shift
	px_start "$name" 127.0.0.1 --upstream $UP "$@"
	PAT=$(peer conns --addr "$PX_ADDR" --count 12 --close-each)
	px_stop "$PX_PID"
	[ "$PX_RC" = 0 ] || fail "$name: proxy exit $PX_RC"
}

pattern p1 --reset-probability 1; all1=$PAT
[ "$all1" = "$(echo reset{,,,,,,,,,,,} )" ] || fail "probability 1: $all1"
grep -q 'rst_random=12 ' "$tmp/p1.log" || fail "probability 1: summary"
pattern p0 --reset-probability 0 --seed 5; all0=$PAT
[ "$all0" = "$(echo ok{,,,,,,,,,,,} )" ] || fail "probability 0: $all0"

pattern s42a --reset-probability 0.5 --seed 42; a=$PAT
pattern s42b --reset-probability 0.5 --seed 42; b=$PAT
[ "$a" = "$b" ] || fail "seed 42 gave '$a' then '$b'"
case $a in *ok*reset*|*reset*ok*) ;; *) fail "seed 42 at 0.5 chose all alike: $a" ;; esac
want=$("$PY" - <<'PYEOF'
M = (1 << 64) - 1
s = 42
out = []
for _ in range(12):
    s = (s + 0x9e3779b97f4a7c15) & M
    z = s
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    z ^= z >> 31
    out.append("reset" if (z >> 11) * 2.0 ** -53 < 0.5 else "ok")
print(" ".join(out))
PYEOF
)
[ "$a" = "$want" ] || fail "seed 42: '$a', splitmix64 says '$want'"
pattern s43 --reset-probability 0.5 --seed 43; c=$PAT
[ "$c" != "$a" ] || fail "seeds 42 and 43 chose alike: $c"

pattern unseeded --reset-probability 0.5; u=$PAT
seed=$(sed -n 's/.* seed=\([0-9][0-9]*\).*/\1/p' "$tmp/unseeded.log" | head -n 1)
[ -n "$seed" ] || fail "unseeded run logged no seed"
pattern reseeded --reset-probability 0.5 --seed "$seed"; r=$PAT
[ "$u" = "$r" ] || fail "logged seed $seed does not reproduce: '$u' vs '$r'"

# a delay alone: every connection, after the delay, data passes before it
px_start delay 127.0.0.1 --upstream $UP --reset-delay 0.5
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] && [ "$(field received "$out")" = 5 ] || fail "delay: $out"
within "$(field elapsed "$out")" 0.45 2.5 || fail "delay: reset at $(field elapsed "$out") s, want 0.5 s"
grep -q ' fault conn=1 action=rst reason=probability p=1 delay=0.500' "$tmp/delay.log" || fail "delay: fault event"
px_finish
echo "p=1, p=0, seed 42 = $a, logged seed reproduces, delay: ok"
