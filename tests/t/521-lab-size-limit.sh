#!/bin/bash
# lab scenario 'size-limit' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test size-limit
