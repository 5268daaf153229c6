#!/bin/bash
# lab scenario 'listen-overflow' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test listen-overflow
