#!/bin/bash
# A mapped capture truncated by another program while analyze reads it
# (a capture being rotated): no SIGBUS, but the cut reported with the
# frame number, the results up to it printed, exit 3. The file's size and
# the moment of the cut are drawn; a run that ends before the cut is
# tried again with a larger file.
set -u
tmp=$(mktemp -d /tmp/rstscope-227.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
seed=${SEED:-$RANDOM}; RANDOM=$seed
echo "SEED=$seed"
fail() { echo "FAIL (SEED=$seed): $*"; exit 1; }
frames=$((RANDOM % 500000 + 1500000))
for try in 1 2 3 4; do
	python3 - "$tmp/big.pcap" "$frames" <<'PY'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 1, 0x50, 0x10, 65535, 0, 0)
pkt = eth + ip + tcp
rec = [struct.pack("<IIII", 1700000000 + i // 100000, i % 100000, len(pkt), len(pkt)) + pkt for i in range(100000)]
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    block = b"".join(rec)
    for _ in range(n // 100000):
        f.write(block)
PY
	touch -d '-1 hour' "$tmp/big.pcap"   # an old file: read mapped
	size=$(stat -c %s "$tmp/big.pcap")
	cut=$(( size / 8 + RANDOM % (size / 8) ))
	RSTSCOPE_PCAP_READ=map "$RSTSCOPE" analyze -q "$tmp/big.pcap" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep 0.0$((RANDOM % 5 + 2))
	truncate -s "$cut" "$tmp/big.pcap"
	wait $pid
	rc=$?
	[ $rc -ge 128 ] && fail "killed by signal $((rc - 128)) (file of $size bytes cut to $cut)"
	if [ $rc = 3 ]; then
		grep -q "big.pcap': frame [0-9]*: the file shrank while it was read (to [0-9]* bytes" "$tmp/err" ||
			fail "the cut not reported: $(cat "$tmp/err")"
		grep -q "^== $tmp/big.pcap: .* frames ==" "$tmp/out" || fail "no results printed: $(head -3 "$tmp/out")"
		echo "ok: $size bytes cut to $cut while read: $(grep -o 'frame [0-9]*' "$tmp/err" | head -1), exit 3, results printed"
		exit 0
	fi
	[ $rc = 0 ] || [ $rc = 1 ] || fail "exit $rc: $(cat "$tmp/err")"
	echo "try $try: the run ended before the cut; a larger file"
	frames=$((frames * 2))
done
echo "the runs always ended before the cut on this machine"
exit 77
