#!/bin/bash
# Inputs that cannot be read as captures at all: a missing file, a directory,
# an empty file, a wrong magic, a text file, a file header cut short. Each is
# named in quotes on stderr, exits 3, and the other files given are still
# analysed and their results printed.
. "$ROOT/tests/data/bad/lib.sh"

run baseline good.pcap
expect_rc 1
expect_json --file good.pcap --rst 1,6 --summary

run usage --no-such-option good.pcap
expect_rc 2

mkdir adir
for f in nope.pcap adir empty.pcap magic.pcap text.pcap shorthdr.pcap; do
	run "$f alone" "$f"
	expect_rc 3
	expect_named "$f"
	expect_json --rst ""

	run "$f then good" "$f" good.pcap
	expect_rc 3
	expect_named "$f"
	expect_json --file good.pcap --rst 1,6 --summary

	run "good then $f" good.pcap "$f"
	expect_rc 3
	expect_named "$f"
	expect_json --file good.pcap --rst 1,6 --summary
done

run "all bad around good" nope.pcap empty.pcap good.pcap magic.pcap shorthdr.pcap good.pcapng
expect_rc 3
for f in nope.pcap empty.pcap magic.pcap shorthdr.pcap; do
	expect_named "$f"
done
expect_json --file good.pcap --rst 1,6 --summary
expect_json --file good.pcapng --rst 1,6 --summary

STDIN=empty.pcap run "empty stdin" -
expect_rc 3
expect_stdin_named

STDIN=magic.pcap run "wrong magic on stdin" -
expect_rc 3
expect_stdin_named

STDIN=good.pcap run "stdin and a bad file" - shorthdr.pcap
expect_rc 3
expect_named shorthdr.pcap
expect_json --rst 1,6 --summary

finish
