#!/bin/bash
# Captures damaged after a good start: the last record cut short (its data or
# its header), a record mid-file whose length is impossible, a pcapng block cut
# short or with a length below the minimum; also read from stdin. stderr names
# the file and the frame, the verdicts and summary of the frames before are
# printed, exit 3.
. "$ROOT/tests/data/bad/lib.sh"

run "good pcapng" good.pcapng
expect_rc 1
expect_json --file good.pcapng --rst 1,6 --summary

check_damaged() {  # file, frame of the damage, expected rst frames
	run "$1" "$1"
	expect_rc 3
	expect_frame "$1" "$2"
	expect_json --file "$1" --rst "$3" --summary

	run "$1 then good" "$1" good.pcap
	expect_rc 3
	expect_frame "$1" "$2"
	expect_json --file "$1" --rst "$3" --summary
	expect_json --file good.pcap --rst 1,6 --summary

	STDIN=$1 run "$1 on stdin" -
	expect_rc 3
	expect_stdin_named
	expect_err_re "frame $2([^0-9]|\$)"
	expect_json --rst "$3" --summary
}

check_damaged trunc-rec.pcap 7 1,6
check_damaged trunc-rechdr.pcap 7 1,6
check_damaged corrupt-mid.pcap 4 1
check_damaged trunc-block.pcapng 7 1,6
check_damaged corrupt-mid.pcapng 4 1

run "two damaged files" trunc-rec.pcap corrupt-mid.pcapng
expect_rc 3
expect_frame trunc-rec.pcap 7
expect_frame corrupt-mid.pcapng 4
expect_json --file trunc-rec.pcap --rst 1,6 --summary
expect_json --file corrupt-mid.pcapng --rst 1 --summary

finish
