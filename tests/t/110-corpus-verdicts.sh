#!/bin/bash
# Per-RST verdicts on the shared corpus that its README and the reference
# settle (tests/corpus-verdicts.tsv), plus the idle gap of ldap-simpleauth
# and the RST payload text of bug-6244.
set -u
corpus="$SHARED/corpus"
[ -d "$corpus" ] || { echo "no shared corpus at $corpus"; exit 77; }
fail=0
while IFS=$'\t' read -r file frame kind role forged cause; do
	case $file in '#'*|'') continue ;; esac
	got=$("$RSTSCOPE" analyze --json "$corpus/$file" 2>/dev/null |
		jq -r --argjson fr "$frame" 'select(.type=="rst" and .frame==$fr) | [.kind,.sender_role,.forged,.cause] | @tsv')
	IFS=$'\t' read -r gk gr gf gc <<<"$got"
	for pair in "kind:$kind:$gk" "sender_role:$role:$gr" "forged:$forged:$gf" "cause:$cause:$gc"; do
		IFS=: read -r name want have <<<"$pair"
		[ "$want" = - ] && continue
		if [ "$want" != "$have" ]; then
			echo "$file frame $frame: $name '$have', want '$want'"; fail=1
		fi
	done
done <"$ROOT/tests/corpus-verdicts.tsv"
gap=$("$RSTSCOPE" analyze --json "$corpus/zeek/ldap-simpleauth.pcap" | jq -r 'select(.type=="rst") | .idle_gap_s')
awk -v g="$gap" 'BEGIN { exit !(g > 175 && g < 190) }' || { echo "ldap idle gap $gap, want about 181 s"; fail=1; }
txt=$("$RSTSCOPE" analyze --json "$corpus/suricata-verify/bug-6244-tcp-rst-with-data.pcap" | jq -r 'select(.type=="rst") | .payload_text')
[ "$txt" = "Access Denied" ] || { echo "bug-6244 payload text '$txt'"; fail=1; }
[ $fail = 0 ] && echo "corpus verdicts as expected"
exit $fail
