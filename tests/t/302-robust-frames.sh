#!/bin/bash
# Odd frames in well-formed files: cut by a 64-byte snap length, IPv4 IHL < 5,
# TCP data offset < 5, zero-length frames. They are counted (truncated apart
# from malformed, in the summary's stats), a warning names the file and the
# first frame of each kind, the run goes on: exit 1 (RSTs found) or 0 (none).
. "$ROOT/tests/data/bad/lib.sh"

run "snaplen 64" snap64.pcap
expect_rc 1
expect_json --file snap64.pcap --rst 1,6 --summary --stat truncated=5 --stat malformed=0
expect_frame snap64.pcap 2

for f in ihl.pcap doff.pcap; do
	run "$f" "$f"
	expect_rc 1
	expect_json --file "$f" --rst 1,4 --summary --stat malformed=2 --stat truncated=0
	expect_frame "$f" 2
done

run "zero-length frames" zero.pcap
expect_rc 1
expect_json --file zero.pcap --rst 1,4 --summary --stat-sum truncated+malformed=2
expect_frame zero.pcap 2

run "zero-length frame, no RST" zero-norst.pcap
expect_rc 0
expect_json --file zero-norst.pcap --rst "" --summary --stat-sum truncated+malformed=1
expect_frame zero-norst.pcap 2

run "both kinds in one file" mixed.pcap
expect_rc 1
expect_json --file mixed.pcap --rst 1,6 --summary --stat malformed=2 --stat truncated=2
expect_frame mixed.pcap 2
expect_frame mixed.pcap 3

run "all odd files together" snap64.pcap ihl.pcap doff.pcap zero.pcap zero-norst.pcap
expect_rc 1
expect_json --file snap64.pcap --rst 1,6 --stat truncated=5 --stat malformed=0
expect_json --file ihl.pcap --rst 1,4 --stat malformed=2
expect_json --file doff.pcap --rst 1,4 --stat malformed=2
expect_json --file zero.pcap --rst 1,4 --stat-sum truncated+malformed=2
expect_json --file zero-norst.pcap --rst "" --stat-sum truncated+malformed=1
for f in snap64.pcap ihl.pcap doff.pcap zero.pcap zero-norst.pcap; do
	expect_frame "$f" 2
done

STDIN=snap64.pcap run "snaplen 64 on stdin" -
expect_rc 1
expect_json --rst 1,6 --summary --stat truncated=5 --stat malformed=0
expect_err_re "frame 2([^0-9]|\$)"

finish
