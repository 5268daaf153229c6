#!/bin/bash
# audit on generated config chains (client pool, sysctl with conntrack,
# nginx, HAProxy or Envoy, a named backend) with drawn timeouts: every drawn
# inversion, keepalive above conntrack's idle timeout and silent drop is
# found, with its two hops, and nothing else; sound chains exit 0.
set -u
tmp=$(mktemp -d /tmp/rstscope-800.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

base=${AUDIT_SEED:-$(( (RANDOM << 15 | RANDOM) ))}
total=0 flagged=0
for s in 0 1 2 3 4; do
	seed=$((base + s))
	out="$tmp/$seed"
	python3 "$ROOT/tests/helpers/audit_chains.py" "$seed" "$out" 40 || fail "generator, seed $seed"
	for d in "$out"/*/; do
		mapfile -t args <"$d/args"
		(cd "$d" && "$RSTSCOPE" audit "${args[@]}") >"$d/out" 2>"$d/err"; rc=$?
		jq -r 'select(.type=="finding") | "\(.id) \(.downstream.hop) \(.upstream.hop)"' "$d/out" | sort >"$d/got" \
			|| fail "seed $seed $(basename "$d"): output is not JSON Lines: $(head -3 "$d/out" "$d/err")"
		if ! cmp -s "$d/got" "$d/expected"; then
			echo "seed $seed chain $(basename "$d"): args: ${args[*]}"
			diff "$d/expected" "$d/got" | sed 's/^/    /'
			for f in "$d"/*.conf "$d"/*.cfg "$d"/*.yaml "$d"/conf.d/*; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
			fail "seed $seed: findings differ (< expected, > got)"
		fi
		want=0; [ -s "$d/expected" ] && want=1
		[ $rc = $want ] || fail "seed $seed $(basename "$d"): exit $rc, want $want: $(cat "$d/err")"
		total=$((total + 1)); flagged=$((flagged + want))
	done
	echo "seed $seed ok"
done
echo "$total chains ($flagged with findings, $((total - flagged)) sound) from seeds $base-$((base + 4))"
