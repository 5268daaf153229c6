#!/bin/bash
# lab scenario 'correlate-forged' on real namespaces:
# a forged RST, captured at both ends (analyze --correlate). Verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test correlate-forged
