#!/bin/bash
# proxy: bad command lines exit 2 with a message naming the problem; --help
# exits 0 with an EXAMPLES block. Nothing is started.
set -u
n=0
bad() {  # expected-words... -- args...
	local want=() out rc
	while [ "$1" != -- ]; do want+=("$1"); shift; done; shift
	out=$("$RSTSCOPE" proxy "$@" 2>&1 >/dev/null); rc=$?
	n=$((n + 1))
	if [ $rc -ne 2 ]; then echo "FAIL: 'proxy $*' exited $rc, want 2 ($out)"; exit 1; fi
	case $out in rstscope:*) ;; *) echo "FAIL: 'proxy $*': message '$out' lacks the 'rstscope:' prefix"; exit 1 ;; esac
	for w in "${want[@]}"; do
		case $out in *"$w"*) ;; *) echo "FAIL: 'proxy $*': message '$out' does not mention '$w'"; exit 1 ;; esac
	done
}
L=(--listen 127.0.0.1:1)
U=(--upstream 127.0.0.1:2)
bad -- 
bad "--upstream" -- "${L[@]}"
bad "--listen" -- "${U[@]}"
bad "--listen" "127.0.0.1:99999" -- --listen 127.0.0.1:99999 "${U[@]}"
bad "--upstream" "127.0.0.1:0" -- "${L[@]}" --upstream 127.0.0.1:0
bad "--upstream" "nocolon" -- "${L[@]}" --upstream nocolon
bad "--upstream" "[::1" -- "${L[@]}" --upstream '[::1:80'
bad "--upstream" "12x" -- "${L[@]}" --upstream 127.0.0.1:12x
bad "--reset-probability" "1.5" -- "${L[@]}" "${U[@]}" --reset-probability 1.5
bad "--reset-probability" "-0.1" -- "${L[@]}" "${U[@]}" --reset-probability -0.1
bad "--reset-probability" "nan" -- "${L[@]}" "${U[@]}" --reset-probability nan
bad "--idle-action" "reject" -- "${L[@]}" "${U[@]}" --idle-timeout 1 --idle-action reject
bad "--idle-timeout" -- "${L[@]}" "${U[@]}" --idle-action fin
bad "--idle-timeout" "abc" -- "${L[@]}" "${U[@]}" --idle-timeout abc
bad "--idle-timeout" "0" -- "${L[@]}" "${U[@]}" --idle-timeout 0
bad "--idle-timeout" "1s" -- "${L[@]}" "${U[@]}" --idle-timeout 1s
bad "--reset-after-bytes" "10k" -- "${L[@]}" "${U[@]}" --reset-after-bytes 10k
bad "--reset-after-bytes" "-5" -- "${L[@]}" "${U[@]}" --reset-after-bytes -5
bad "--reset-after-bytes" "99999999999999999999" -- "${L[@]}" "${U[@]}" --reset-after-bytes 99999999999999999999
bad "--direction" "sideways" -- "${L[@]}" "${U[@]}" --reset-after-bytes 10 --direction sideways
bad "--direction" "--reset-after-bytes" -- "${L[@]}" "${U[@]}" --direction up
bad "--max-conns" "0" -- "${L[@]}" "${U[@]}" --max-conns 0
bad "--max-conns" "1000001" -- "${L[@]}" "${U[@]}" --max-conns 1000001
bad "--max-conns" " 5" -- "${L[@]}" "${U[@]}" --max-conns ' 5'
bad "--duration" "-1" -- "${L[@]}" "${U[@]}" --duration -1
bad "--reset-delay" "x" -- "${L[@]}" "${U[@]}" --reset-delay x
bad "--seed" "--reset-probability" -- "${L[@]}" "${U[@]}" --seed 3
bad "--seed" "0x10" -- "${L[@]}" "${U[@]}" --reset-probability 0.5 --seed 0x10
bad "--silent-max" "inf" -- "${L[@]}" "${U[@]}" --silent-max inf
bad "--frobnicate" -- "${L[@]}" "${U[@]}" --frobnicate
bad "needs a value" "--upstream" -- "${L[@]}" --upstream
bad "unexpected" "extra" -- "${L[@]}" "${U[@]}" extra

out=$("$RSTSCOPE" proxy --help) || { echo "FAIL: --help exited $?"; exit 1; }
for w in EXAMPLES --listen --upstream --idle-action --reset-after-bytes --reset-probability --max-conns --json-log; do
	case $out in *"$w"*) ;; *) echo "FAIL: --help does not mention '$w'"; exit 1 ;; esac
done
echo "$n bad command lines refused with exit 2; --help complete"
