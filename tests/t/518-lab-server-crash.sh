#!/bin/bash
# lab scenario 'server-crash' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test server-crash
