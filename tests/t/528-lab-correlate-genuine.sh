#!/bin/bash
# lab scenario 'correlate-genuine' on real namespaces:
# a genuine refusal behind a NAT, captured at both ends. Verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test correlate-genuine
