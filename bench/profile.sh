#!/bin/bash
# profile.sh BINARY [CAPTURE] [ARGS...]: where `rstscope analyze` spends its
# time per packet, by stage (read, decode, flow lookup, flow update and
# detectors, report, other), from a `perf record` of one run on the bench
# capture (bench/out/bench.pcap by default). Needs linux-perf. Hardware
# counters are used when the machine has them (cycles, instructions, cache
# and branch misses); otherwise the software clock, and cycles are the
# nominal clock times the time.
set -u
export LC_ALL=C
bin=${1:?usage: bench/profile.sh BINARY [CAPTURE] [ARGS...]}
here=$(cd "$(dirname "$0")" && pwd)
pcap=${2:-$here/out/bench.pcap}
shift $(($# >= 2 ? 2 : 1))
tmp=$(mktemp -d) || exit 4
trap 'rm -rf "$tmp"' EXIT
cat "$pcap" >/dev/null
frames=$(tcpdump -n -r "$pcap" -w /dev/null 2>&1 | sed -n 's/^\([0-9]*\) packets.*/\1/p')
[ -n "$frames" ] || frames=$(capinfos -c -M "$pcap" 2>/dev/null | awk '/Number of packets/ { print $NF }')
perf stat -x, -e cycles,instructions,cache-misses,branch-misses,task-clock \
	"$bin" analyze --json "$@" "$pcap" >/dev/null 2>"$tmp/stat"
perf record -q -e cpu-clock -F 20000 -o "$tmp/data" "$bin" analyze --json "$@" "$pcap" \
	>/dev/null 2>"$tmp/rec.err"
perf report -i "$tmp/data" --no-children --stdio --sort sym 2>/dev/null |
	awk '/^ +[0-9.]+%/ { sub("%", "", $1); print $1, $NF }' >"$tmp/syms"
mhz=$(awk -F: '/cpu MHz/ { printf "%d", $2; exit }' /proc/cpuinfo)
awk -v frames="$frames" -v mhz="$mhz" -v statf="$tmp/stat" '
BEGIN {
	while ((getline l < statf) > 0) {
		n = split(l, f, ",")
		if (n >= 3 && f[1] ~ /^[0-9.]+$/) ctr[f[3]] = f[1]
	}
	ms = ctr["task-clock"]
}
function stage(s) {
	if (s ~ /copy_to_iter|copy_page_to_iter|^pcapfile_|^refill|^next_classic|filemap|ksys_read|vfs_read|page_cache|fdget/) return "read"
	if (s ~ /^dec_|^decode_/) return "decode"
	if (s ~ /^flow_hash|^flow_prefetch|^flow_lookup|^hash_|^mix64|memcmp|^embryo_find/) return "lookup"
	if (s ~ /^report_|printf|^_IO_|fwrite|_itoa|^fputs|^putc|strlen|^json_/) return "report"
	if (s ~ /^segment|^update_flow|^on_rst|^engine_|^flow_|^list_|^host_|^ttl_hist|^context_|^sender_|^kind_|^cause_|^cluster_|^shape_|^kernel_|^detect_|^diagnosis_|log|^finalise|^pend_|^embryo|^promote|^alloc_slot|^rehash/) return "flows+detectors"
	if (s ~ /fault|^clear_page|memcg|alloc_pages|^rmqueue|tlb|^__handle_mm|mmap|^do_|madvise|^unmap|^zap_/) return "page-faults"
	return "other"
}
{ pct[stage($2)] += $1; tot += $1 }
END {
	printf "frames %d, task-clock %.1f ms, %.1f ns/frame", frames, ms, ms * 1e6 / frames
	if (ctr["cycles"] ~ /^[0-9]/) printf ", %.0f cycles/frame, %.2f IPC, %.2f cache-misses/frame, %.2f branch-misses/frame\n", ctr["cycles"] / frames, ctr["instructions"] / ctr["cycles"], ctr["cache-misses"] / frames, ctr["branch-misses"] / frames
	else printf " (no hardware counters here: cycles = %d MHz x time)\n", mhz
	printf "%-22s %7s %9s %11s\n", "stage", "share", "ns/frame", "cycles/frame"
	split("read decode lookup flows+detectors report page-faults other", order, " ")
	for (i = 1; i <= 7; i++) {
		s = order[i]
		if (!(s in pct)) continue
		ns = ms * 1e6 / frames * pct[s] / tot
		printf "%-22s %6.1f%% %9.1f %11.0f\n", s, pct[s], ns, ns * mhz / 1000
	}
}' "$tmp/syms"
echo "top symbols:"
head -n 15 "$tmp/syms" | awk '{ printf "  %6.2f%%  %s\n", $1, $2 }'
