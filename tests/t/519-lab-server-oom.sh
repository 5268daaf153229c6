#!/bin/bash
# lab scenario 'server-oom' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test server-oom
