#!/bin/bash
# Rewrite the golden files from the current build (review the diff before committing).
set -eu
cd "$(dirname "$0")/../.."
bin=${1:-build/rstscope}
for pcap in samples/*.pcap; do
	name=$(basename "$pcap" .pcap)
	"$bin" analyze --json "$pcap" >"tests/golden/$name.jsonl" || [ $? = 1 ]
	"$bin" analyze --no-color "$pcap" >"tests/golden/$name.txt" || [ $? = 1 ]
done
git diff --stat tests/golden
