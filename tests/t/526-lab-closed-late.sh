#!/bin/bash
# lab scenario 'closed-late' on real namespaces:
# a late duplicate meets the server after a completed close. Verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test closed-late
