# tests/lib/damaged.sh: damaged copies of a classic pcap for the tests that
# compare two read paths on them. Sourced.
# damaged_copies SRC SEED K DIR: K copies cut at drawn offsets (DIR/cutI.pcap)
# and K with a record length far too large at a drawn record (DIR/badI.pcap);
# prints their paths.
damaged_copies() {
	local src=$1 seed=$2 k=$3 dir=$4 size i cut off
	size=$(stat -c %s "$src")
	for ((i = 1; i <= k; i++)); do
		cut=$(((seed * i * 7919) % size))
		head -c "$cut" "$src" >"$dir/cut$i.pcap"
		cp "$src" "$dir/bad$i.pcap"
		off=$((24 + (seed * i) % (size - 40)))
		printf '\xff\xff\xff\x7f' | dd of="$dir/bad$i.pcap" bs=1 seek="$off" conv=notrunc 2>/dev/null
		printf '%s %s ' "$dir/cut$i.pcap" "$dir/bad$i.pcap"
	done
}
