#!/bin/bash
# lab scenario 'conntrack-forget' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test conntrack-forget
