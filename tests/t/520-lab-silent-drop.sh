#!/bin/bash
# lab scenario 'silent-drop' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test silent-drop
