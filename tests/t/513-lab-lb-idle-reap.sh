#!/bin/bash
# lab scenario 'lb-idle-reap' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test lb-idle-reap
