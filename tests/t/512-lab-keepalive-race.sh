#!/bin/bash
# lab scenario 'keepalive-race' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test keepalive-race
